import FerrySpec
import FerryStreams

/// The members and layout of an `oci-archive:`, worked out once (``ArchiveContents``).
struct OCIArchiveOpened: Sendable {
    let members: ArchiveMembers
    let reader: LayoutReader

    static func open(path: String, name: String) throws -> OCIArchiveOpened {
        let members = try ArchiveMembers(path: path, name: name)
        return OCIArchiveOpened(members: members, reader: try LayoutReader(files: members))
    }
}

extension ArchiveContents where Opened == OCIArchiveOpened {
    /// Reads the archive in one pass, offering each blob that is not a small JSON document to
    /// `land`; `index` is told of the entries `index.json` names as soon as it passes.
    func readOnce(
        path: String, name: String, index: ([SourceEntry]) throws -> Void = { _ in }, offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?
    ) async throws {
        let members = try await ArchiveMembers.readingOnce(
            path: path, name: name,
            kept: { file, bytes in
                guard file == OCILayout.indexFileName else { return }
                do {
                    try index(LayoutReader.entries(of: try JSONDocument.decode(ImageIndex.self, from: bytes, context: "\(name): \(file)")))
                } catch let error as SpecError {
                    throw TransportError(.invalidInput, error.message)
                }
            }, offer: land)
        settle(OCIArchiveOpened(members: members, reader: try LayoutReader(files: members)))
    }
}
