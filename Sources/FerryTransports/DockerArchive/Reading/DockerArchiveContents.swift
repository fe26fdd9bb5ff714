import FerrySpec
import FerryStreams

/// The members and catalogue of a `docker save` archive, worked out once (``ArchiveContents``).
struct DockerArchiveOpened: Sendable {
    let members: ArchiveMembers
    let catalog: DockerArchiveCatalog

    static func open(path: String, name: String) throws -> DockerArchiveOpened {
        let members = try ArchiveMembers(path: path, name: name)
        return DockerArchiveOpened(members: members, catalog: try DockerArchiveCatalog(members: members))
    }
}

extension ArchiveContents where Opened == DockerArchiveOpened {
    /// Reads the archive in one pass, offering each member that may be a layer to `land`.
    func readOnce(path: String, name: String, offering land: (BlobOffer, sending any ByteStream) async throws -> Digest?) async throws {
        let members = try await ArchiveMembers.readingOnce(path: path, name: name, offer: land)
        settle(DockerArchiveOpened(members: members, catalog: try DockerArchiveCatalog(members: members)))
    }
}
