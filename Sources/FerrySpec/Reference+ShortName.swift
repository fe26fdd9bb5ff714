extension Reference {
    /// The name of `text` (a reference as written: `alpine:3.19`, `team/app@sha256:…`) without
    /// its tag or digest, when it names no registry — a short name, which containers'
    /// registries.conf may resolve (aliases, unqualified-search registries) — else `nil`.
    ///
    /// The first component names a registry when there is more than one and it contains `.` or
    /// `:`, is `localhost`, or has upper-case letters (the grammar's rule, as ``init(parsing:)``
    /// reads it).
    public static func shortName(of text: String) -> String? {
        var name = Substring(text)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        let pathStart = name.lastIndex(of: "/").map { name.index(after: $0) } ?? name.startIndex
        if let colon = name[pathStart...].firstIndex(of: ":") { name = name[..<colon] }
        guard !name.isEmpty else { return nil }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first, looksLikeDomain(first) { return nil }
        return String(name)
    }
}
