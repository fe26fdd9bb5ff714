import FerrySpec
import FerryStreams

/// Reads an OCI image layout directory (`oci:PATH`).
///
/// `index.json` is read once when the source opens. Blobs are opened on demand, after checking
/// that the blob path is a regular file inside the layout: a symlink that resolves outside the
/// layout is refused, so a hostile layout cannot make Ferry read arbitrary files.
public struct OCILayoutSource: ImageSource {
    /// The layout directory.
    public let root: String
    public let name: String
    let reader: LayoutReader

    /// Opens the layout at `path`.
    /// - Throws: ``TransportError`` when the directory, `oci-layout` or `index.json` is missing or
    ///   invalid, naming the file and the problem.
    public init(path: String) throws {
        self.root = path
        self.name = "oci:\(path)"
        reader = try LayoutReader(files: try LayoutDirectory(root: path, name: name))
    }

    public func entries() async throws -> [SourceEntry] { reader.entries() }

    /// What this layout relies on its destination having, when it is a delta bundle
    /// (`ferry-delta.json`, written by `ferry sync --have`); `nil` for a complete one.
    /// - Throws: ``TransportError`` (`invalidInput`) when the record is there but unreadable.
    public func bundleDelta() throws -> BundleDelta? { try reader.bundleDelta() }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] { try reader.document(descriptor) }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream { try reader.blob(descriptor) }
}
