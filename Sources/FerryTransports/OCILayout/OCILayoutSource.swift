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
    private let canonicalRoot: String
    private let index: ImageIndex

    /// Opens the layout at `path`.
    /// - Throws: ``TransportError`` when the directory, `oci-layout` or `index.json` is missing or
    ///   invalid, naming the file and the problem.
    public init(path: String) throws {
        self.root = path
        self.name = "oci:\(path)"
        guard FileSystem.kind(of: path) == .directory || (FileSystem.kind(of: path) == .symlink && FileSystem.canonicalPath(path) != nil) else {
            throw TransportError(.notFound, "\(name): no such directory")
        }
        canonicalRoot = FileSystem.canonicalPath(path) ?? path
        let layoutPath = path + "/" + OCILayout.layoutFileName
        guard FileSystem.exists(layoutPath) else {
            throw TransportError(.invalidInput, "\(name) is not an OCI image layout: \(OCILayout.layoutFileName) is missing")
        }
        try OCILayout.checkLayoutFile(try FileSystem.readFile(layoutPath, limit: 64 * 1024), path: layoutPath)
        let indexPath = path + "/" + OCILayout.indexFileName
        guard FileSystem.exists(indexPath) else {
            throw TransportError(.invalidInput, "\(name) is not an OCI image layout: \(OCILayout.indexFileName) is missing")
        }
        let indexBytes: [UInt8]
        do {
            indexBytes = try FileSystem.readFile(indexPath, limit: DocumentLimits.maximumDocumentSize)
        } catch {
            throw TransportError(.invalidInput, "\(indexPath): \(error.message)")
        }
        do {
            index = try JSONDocument.decode(ImageIndex.self, from: indexBytes, context: indexPath)
        } catch {
            throw TransportError(.invalidInput, error.message)
        }
        guard index.schemaVersion == 2 else {
            throw TransportError(.invalidInput, "\(indexPath): schemaVersion is \(index.schemaVersion), expected 2")
        }
    }

    public func entries() async throws -> [SourceEntry] {
        index.manifests.map { descriptor in
            let names = descriptor.referenceName.map { [$0] } ?? []
            let aliases = descriptor.annotations?[AnnotationKey.containerdImageName].map { [$0] } ?? []
            return SourceEntry(descriptor: descriptor, names: names, aliases: aliases)
        }
    }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] {
        let path = try safeBlobPath(descriptor)
        do {
            return try FileSystem.readFile(path, limit: DocumentLimits.maximumDocumentSize)
        } catch {
            throw TransportError(.invalidInput, "\(descriptor.mediaType) \(descriptor.digest) in \(name): \(error.message)")
        }
    }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream {
        try FileByteStream(path: try safeBlobPath(descriptor))
    }

    /// The blob's path, after checking it is present and stays inside the layout.
    func safeBlobPath(_ descriptor: Descriptor) throws -> String {
        let relative = OCILayout.blobPath(descriptor.digest)
        let path = root + "/" + relative
        switch FileSystem.kind(of: path) {
        case .regular:
            return path
        case .missing:
            throw TransportError(.notFound, "blob \(descriptor.digest) (\(descriptor.mediaType)) is missing from \(name) (\(relative))")
        case .symlink:
            guard let resolved = FileSystem.canonicalPath(path) else {
                throw TransportError(.invalidInput, "blob \(descriptor.digest) in \(name): \(relative) is a dangling symlink")
            }
            guard resolved.hasPrefix(canonicalRoot + "/") else {
                throw TransportError(.invalidInput, "blob \(descriptor.digest) in \(name): \(relative) is a symlink pointing outside the layout (to \(resolved))")
            }
            guard FileSystem.kind(of: resolved) == .regular else {
                throw TransportError(.invalidInput, "blob \(descriptor.digest) in \(name): \(relative) does not resolve to a regular file")
            }
            return resolved
        case .directory, .other:
            throw TransportError(.invalidInput, "blob \(descriptor.digest) in \(name): \(relative) is not a regular file")
        }
    }
}
