extension TransportReference.Kind {
    /// The transport a misspelt one most likely meant (`oci-achive` → `oci-archive`,
    /// `docker-arhive` → `docker-archive`, `OCI` → `oci`), or `nil` when none is close.
    public static func suggestion(for misspelt: String) -> Self? {
        let word = misspelt.lowercased()
        let aliases: [String: Self] = ["docker-save": .dockerArchive, "tar": .dockerArchive, "ocidir": .oci, "oci-dir": .oci, "oci-layout": .oci, "registry": .docker]
        if let alias = aliases[word] { return alias }
        let scored = allCases.map { ($0, distance(word, $0.rawValue)) }.min { $0.1 < $1.1 }
        guard let (kind, score) = scored, score <= (kind.rawValue.count >= 5 ? 2 : 1) else { return nil }
        return kind
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
