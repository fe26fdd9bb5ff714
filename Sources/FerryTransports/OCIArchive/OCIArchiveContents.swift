import FerrySpec
import FerryStreams
import Synchronization

/// The members and layout of an `oci-archive:`, worked out once: when the source opens (an
/// uncompressed archive), on first use, or by a copy that reads a compressed archive or a pipe in
/// one pass (``OnePassImageSource``).
final class OCIArchiveContents: Sendable {
    /// An opened archive.
    struct Opened: Sendable {
        let members: ArchiveMembers
        let reader: LayoutReader
    }

    private let path: String
    private let name: String
    private let state: Mutex<Opened?>

    /// - Parameter deferred: leave the archive unread until first use; otherwise open it now.
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
        let fresh = try Self.open(path: path, name: name)
        return state.withLock { current in
            if let current { return current }
            current = fresh
            return fresh
        }
    }

    /// Reads the archive in one pass, offering each blob that is not a small JSON document to `land`.
    /// `index` is told of the entries `index.json` names as soon as it passes.
    func readOnce(index: ([SourceEntry]) throws -> Void = { _ in }, offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?) async throws {
        let name = self.name
        let members = try await ArchiveMembers.readingOnce(path: path, name: name, kept: { file, bytes in
            guard file == OCILayout.indexFileName else { return }
            do {
                try index(LayoutReader.entries(of: try JSONDocument.decode(ImageIndex.self, from: bytes, context: "\(name): \(file)")))
            } catch let error as SpecError {
                throw TransportError(.invalidInput, error.message)
            }
        }, offer: land)
        let opened = Opened(members: members, reader: try LayoutReader(files: members))
        state.withLock { $0 = opened }
    }

    private static func open(path: String, name: String) throws -> Opened {
        let members = try ArchiveMembers(path: path, name: name)
        return Opened(members: members, reader: try LayoutReader(files: members))
    }
}
