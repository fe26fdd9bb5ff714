import FerrySpec
import FerryStreams

extension DockerArchiveSource: SequentialImageSource {
    /// A compressed archive is read in one pass; an uncompressed one is read in place, in parallel.
    public var prefersSequentialReads: Bool { (try? members.isStreamed) ?? false }

    public func forEachBlob(_ blobs: [Descriptor], _ body: (Descriptor, sending any ByteStream) async throws -> Void) async throws {
        let (members, catalog) = (try members, try catalog)
        var byMember: [String: Descriptor] = [:]
        for blob in blobs {
            if let bytes = catalog.documents[blob.digest] {
                try await body(blob, MemoryByteStream(bytes))
                continue
            }
            guard let member = try? locate(blob), byMember[member] == nil else { continue }
            // A config kept in memory from the pass that opened the archive.
            if let bytes = members.cached(member) {
                try await body(blob, MemoryByteStream(bytes))
                continue
            }
            byMember[member] = blob
        }
        try await members.scanInOrder(Set(byMember.keys)) { member, stream in
            if let blob = byMember[member] { try await body(blob, stream) }
        }
    }
}
