/// The edit distance between two strings — insertions, deletions, substitutions and swaps of two
/// neighbouring characters (optimal string alignment) — for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var beforePrevious: [Int] = []
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], beforePrevious[j - 2] + 1)
            }
        }
        beforePrevious = previous
        previous = current
    }
    return previous[b.count]
}

/// The candidate closest to `word` (ignoring case), if it is close enough to be a misspelling:
/// at most 1 edit for words shorter than 5 characters, 2 otherwise.
public func closestMatch(to word: String, among candidates: [String]) -> String? {
    let lowered = word.lowercased()
    guard let (best, score) = candidates.map({ ($0, editDistance(lowered, $0)) }).min(by: { $0.1 < $1.1 }) else { return nil }
    return score <= (best.count >= 5 ? 2 : 1) ? best : nil
}
