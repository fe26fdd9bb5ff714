/// The `Content-Range` of a ranged answer (RFC 9110 §14.4): `bytes FIRST-LAST/LENGTH`, where
/// LENGTH may be `*` (unknown). What a resumed blob download checks a 206 answer against.
struct ContentRange: Equatable, Sendable {
    /// The first byte the body holds.
    var first: Int64
    /// The last byte the body holds (inclusive).
    var last: Int64
    /// The whole representation's length, or `nil` for `*`.
    var completeLength: Int64?

    init(first: Int64, last: Int64, completeLength: Int64?) {
        self.first = first
        self.last = last
        self.completeLength = completeLength
    }

    /// Parses a header value; `nil` when it is not a satisfied byte range (`bytes */SIZE`, other
    /// units, a last byte before the first, or one at or past the complete length).
    init?(_ value: String) {
        var text = Substring(value).drop { $0 == " " }
        guard text.prefix(5).lowercased() == "bytes" else { return nil }
        text = text.dropFirst(5)
        guard text.first == " " else { return nil }
        text = text.drop { $0 == " " }
        let halves = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let bounds = halves[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Self.number(bounds[0]), let last = Self.number(bounds[1]), first <= last else { return nil }
        let length = halves[1].trimmingSuffix(" ")
        if length == "*" {
            completeLength = nil
        } else {
            guard let complete = Self.number(length), last < complete else { return nil }
            completeLength = complete
        }
        self.first = first
        self.last = last
    }

    /// A non-negative decimal of digits only (no sign, no spaces), within `Int64`.
    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text)
    }
}

private extension Substring {
    func trimmingSuffix(_ character: Character) -> Substring {
        var text = self
        while text.last == character { text = text.dropLast() }
        return text
    }
}
