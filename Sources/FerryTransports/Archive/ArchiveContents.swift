import FerrySpec
import FerryStreams

/// What an archive source works out once: when it opens (an uncompressed archive, cheap to
/// index), on first use, or by a copy that reads a compressed archive or a pipe in one pass
/// (``OnePassImageSource``), which then ``settle(_:)``s it. Shared by `docker-archive:`
/// (its members and catalogue) and `oci-archive:` (its members and layout).
final class ArchiveContents<Opened: Sendable>: Sendable {
    private let open: @Sendable () throws -> Opened
    private let state: Locked<Opened?>

    /// - Parameters:
    ///   - deferred: leave the archive unread until first use; otherwise open it now.
    ///   - open: reads the archive the ordinary way.
    /// - Throws: what `open` throws, when not deferred.
    init(deferred: Bool, open: @escaping @Sendable () throws -> Opened) throws {
        self.open = open
        state = Locked(deferred ? nil : try open())
    }

    /// Whether nothing has read the archive yet.
    var isUnread: Bool { state.withLock { $0 == nil } }

    /// The archive's contents, reading it now if nothing has yet.
    func opened() throws -> Opened {
        if let opened = state.withLock({ $0 }) { return opened }
        // Read outside the lock; when two callers race, the first to finish is kept.
        let fresh = try open()
        return state.withLock { current in
            if let current { return current }
            current = fresh
            return fresh
        }
    }

    /// Keeps what a one-pass read learnt.
    func settle(_ opened: Opened) {
        state.withLock { $0 = opened }
    }
}
