import FerrySpec
import FerryStreams
import Synchronization

/// The members and catalogue of a `docker save` archive, worked out once: when the source opens
/// (an uncompressed archive, cheap to index), on first use, or by a copy that reads a compressed
/// archive in one pass (``OnePassImageSource``).
final class DockerArchiveContents: Sendable {
    /// An opened archive.
    struct Opened: Sendable {
        let members: ArchiveMembers
        let catalog: DockerArchiveCatalog
    }

    private let path: String
    private let name: String
    private let state: Mutex<Opened?>

    /// - Parameter deferred: leave the archive unread until first use (a compressed archive);
    ///   otherwise open it now.
    /// - Throws: ``TransportError`` from opening, when not deferred.
    init(path: String, name: String, deferred: Bool) throws {
        self.path = path
        self.name = name
        state = Mutex(deferred ? nil : try Self.open(path: path, name: name))
    }

    /// Whether nothing has read the archive yet.
    var isUnread: Bool { state.withLock { $0 == nil } }

    /// The archive's contents, reading it now if nothing has yet.
    func opened() throws -> Opened {
        if let opened = state.withLock({ $0 }) { return opened }
        // Read outside the lock; when two callers race, the first to finish is kept.
        let fresh = try Self.open(path: path, name: name)
        return state.withLock { current in
            if let current { return current }
            current = fresh
            return fresh
        }
    }

    /// Reads the archive in one pass, offering each member that may be a layer to `land`.
    func readOnce(offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?) async throws {
        let members = try await ArchiveMembers.readingOnce(path: path, name: name, offer: land)
        let opened = Opened(members: members, catalog: try DockerArchiveCatalog(members: members))
        state.withLock { $0 = opened }
    }

    private static func open(path: String, name: String) throws -> Opened {
        let members = try ArchiveMembers(path: path, name: name)
        return Opened(members: members, catalog: try DockerArchiveCatalog(members: members))
    }
}
