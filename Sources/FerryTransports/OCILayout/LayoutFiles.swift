import FerrySpec
import FerryStreams

/// Where the files of an OCI layout are: a directory, or the members of a tar.
///
/// Paths are relative to the layout root (`index.json`, `blobs/sha256/…`). Implementations refuse
/// to open anything that would leave the layout (a symlink pointing outside it, a `..` member).
protocol LayoutFiles: Sendable {
    /// The transport name for messages (`oci:/path`, `oci-archive:/path.tar`).
    var name: String { get }
    /// Whether a file exists at `relative`.
    func exists(_ relative: String) -> Bool
    /// The bytes of a small file, refusing more than `limit`.
    func read(_ relative: String, limit: Int) throws -> [UInt8]
    /// A stream of a file's bytes.
    func open(_ relative: String) throws -> any ByteStream
    /// Every entry under `blobs/` (see ``LayoutInventory/blobInventory()``).
    func blobEntries() throws -> [LayoutBlobEntry]
}

/// Reads the shared structure of an OCI layout — `oci-layout`, `index.json`, blobs — from any
/// ``LayoutFiles``, so a directory and an archive are read by the same code.
struct LayoutReader: Sendable {
    let files: any LayoutFiles
    let index: ImageIndex

    init(files: any LayoutFiles) throws {
        self.files = files
        let name = files.name
        guard files.exists(OCILayout.layoutFileName) else {
            throw TransportError(.invalidInput, "\(name) is not an OCI image layout: \(OCILayout.layoutFileName) is missing")
        }
        let layoutBytes = try Self.readSmall(files, OCILayout.layoutFileName, limit: 64 * 1024)
        try OCILayout.checkLayoutFile(layoutBytes, path: "\(name): \(OCILayout.layoutFileName)")
        guard files.exists(OCILayout.indexFileName) else {
            throw TransportError(.invalidInput, "\(name) is not an OCI image layout: \(OCILayout.indexFileName) is missing")
        }
        let indexBytes = try Self.readSmall(files, OCILayout.indexFileName, limit: DocumentLimits.maximumDocumentSize)
        let context = "\(name): \(OCILayout.indexFileName)"
        do {
            index = try JSONDocument.decode(ImageIndex.self, from: indexBytes, context: context)
        } catch {
            throw TransportError(.invalidInput, error.message)
        }
        guard index.schemaVersion == 2 else {
            throw TransportError(.invalidInput, "\(context): schemaVersion is \(index.schemaVersion), expected 2")
        }
    }

    private static func readSmall(_ files: any LayoutFiles, _ relative: String, limit: Int) throws -> [UInt8] {
        do {
            return try files.read(relative, limit: limit)
        } catch let error as StreamError {
            throw TransportError(.invalidInput, "\(files.name): \(relative): \(error.message)")
        }
    }

    /// The delta record of a delta bundle (``BundleDelta``), or `nil` when the layout has none.
    func bundleDelta() throws -> BundleDelta? {
        guard files.exists(BundleDelta.fileName) else { return nil }
        let bytes = try Self.readSmall(files, BundleDelta.fileName, limit: 64 << 20)
        do {
            return try BundleDelta.decode(bytes, context: files.name)
        } catch {
            throw TransportError(.invalidInput, error.message)
        }
    }

    /// The exact bytes of `index.json`.
    func indexBytes() throws -> [UInt8] {
        try Self.readSmall(files, OCILayout.indexFileName, limit: DocumentLimits.maximumDocumentSize)
    }

    func entries() -> [SourceEntry] { Self.entries(of: index) }

    /// The entries an `index.json` names.
    static func entries(of index: ImageIndex) -> [SourceEntry] {
        index.manifests.map { descriptor in
            let names = descriptor.referenceName.map { [$0] } ?? []
            let aliases = descriptor.annotations?[AnnotationKey.containerdImageName].map { [$0] } ?? []
            return SourceEntry(descriptor: descriptor, names: names, aliases: aliases)
        }
    }

    func document(_ descriptor: Descriptor) throws -> [UInt8] {
        let relative = try present(descriptor)
        do {
            return try files.read(relative, limit: DocumentLimits.maximumDocumentSize)
        } catch let error as StreamError {
            throw TransportError(.invalidInput, "\(descriptor.mediaType) \(descriptor.digest) in \(files.name): \(error.message)")
        }
    }

    func blob(_ descriptor: Descriptor) throws -> any ByteStream {
        try files.open(try present(descriptor))
    }

    private func present(_ descriptor: Descriptor) throws -> String {
        let relative = OCILayout.blobPath(descriptor.digest)
        guard files.exists(relative) else {
            throw TransportError(.notFound, "blob \(descriptor.digest) (\(descriptor.mediaType)) is missing from \(files.name) (\(relative))")
        }
        return relative
    }
}
