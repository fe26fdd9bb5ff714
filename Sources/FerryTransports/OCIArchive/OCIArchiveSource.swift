import FerrySpec
import FerryStreams

/// Reads an OCI image layout stored as one tar file (`oci-archive:PATH`), optionally compressed.
///
/// An uncompressed archive is indexed once and its blobs are read in place, in parallel. A
/// compressed one (gzip, zstd, xz, bzip2) is streamed: each blob is read by decompressing up to
/// its member — never unpacked to a temporary file, at the cost of reading the archive again per blob.
public struct OCIArchiveSource: ImageSource {
    /// The archive file.
    public let path: String
    public let name: String
    let reader: LayoutReader

    /// Opens the archive at `path`.
    /// - Throws: ``TransportError`` when the file is missing, is not a tar, or does not hold a layout.
    public init(path: String) throws {
        self.path = path
        self.name = "oci-archive:\(path)"
        reader = try LayoutReader(files: try ArchiveMembers(path: path, name: name))
    }

    public func entries() async throws -> [SourceEntry] { reader.entries() }

    /// What this archive relies on its destination having, when it is a delta bundle
    /// (`ferry-delta.json`, written by `ferry sync --have`); `nil` for a complete one.
    /// - Throws: ``TransportError`` (`invalidInput`) when the record is there but unreadable.
    public func bundleDelta() throws -> BundleDelta? { try reader.bundleDelta() }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] { try reader.document(descriptor) }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream { try reader.blob(descriptor) }
}
