/// Bearer tokens by realm, service, scopes and credential (formats.md §9.3), with their expiry.
///
/// An actor because every request of a client, from any task, shares it. A token is handed out
/// only while more than its renewal margin (``IssuedToken/renewalMargin(lifetime:)``) is left, so
/// a long copy renews its tokens before the registry would refuse them. Concurrent requests that
/// need the same missing token wait for one fetch instead of each fetching their own.
actor TokenCache {
    struct Key: Hashable {
        var realm: String
        var service: String
        var scopes: [String]
        var user: String?
    }

    private struct Entry {
        var token: String
        var renewAt: ContinuousClock.Instant
    }

    private var entries: [Key: Entry] = [:]
    private var inFlight: [Key: Task<IssuedToken, any Error>] = [:]

    /// A token still valid for longer than its renewal margin, or `nil`.
    func token(for key: Key) -> String? {
        guard let entry = entries[key] else { return nil }
        guard ContinuousClock.now < entry.renewAt else {
            entries[key] = nil
            return nil
        }
        return entry.token
    }

    /// The cached token for `key`, or one fetched with `fetch` — once for all callers waiting at
    /// the same time.
    func token(for key: Key, fetch: @escaping @Sendable () async throws -> IssuedToken) async throws -> String {
        if let token = token(for: key) { return token }
        if let running = inFlight[key] { return try await running.value.value }
        let task = Task { try await fetch() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let issued = try await task.value
        store(issued, for: key)
        return issued.value
    }

    /// Keeps `issued` until its renewal time.
    func store(_ issued: IssuedToken, for key: Key) {
        let now = ContinuousClock.now
        entries[key] = Entry(token: issued.value, renewAt: now + issued.lifetime - IssuedToken.renewalMargin(lifetime: issued.lifetime))
    }

    /// Forgets the token for `key` if it is still `token` (the one the registry just refused);
    /// a token another request already renewed is kept.
    func invalidate(_ key: Key, ifStill token: String?) {
        if let token, entries[key]?.token != token { return }
        entries[key] = nil
    }
}
