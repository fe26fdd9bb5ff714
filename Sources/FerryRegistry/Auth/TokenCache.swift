import Foundation

/// Bearer tokens by realm, service, scopes and credential (formats.md §9.3), with their expiry.
///
/// An actor because every request of a client, from any task, shares it.
actor TokenCache {
    struct Key: Hashable {
        var realm: String
        var service: String
        var scopes: [String]
        var user: String?
    }

    private struct Entry {
        var token: String
        var expires: ContinuousClock.Instant
    }

    private var entries: [Key: Entry] = [:]

    /// A token still valid for at least a few seconds, or `nil`.
    func token(for key: Key) -> String? {
        guard let entry = entries[key] else { return nil }
        guard entry.expires > .now + .seconds(5) else {
            entries[key] = nil
            return nil
        }
        return entry.token
    }

    /// Keeps `token` for `lifetime` (at least 60 s, as the token spec says of shorter ones).
    func store(_ token: String, for key: Key, lifetime: Duration) {
        entries[key] = Entry(token: token, expires: .now + max(lifetime, .seconds(60)))
    }

    /// Forgets the token for `key` (after the registry said it was invalid or too narrow).
    func invalidate(_ key: Key) {
        entries[key] = nil
    }
}
