import FerrySpec
import FerryStreams
import Synchronization

/// Writes into an OCI image layout directory (`oci:PATH[:REF]`), creating it if needed.
///
/// Writing into an existing layout adds to it: blobs already there are kept, `index.json` keeps
/// its other entries, and a name given again moves to the new image (the old entry stays,
/// without that name). Blobs land by atomic rename after verification; `index.json` is replaced
/// atomically and last, in ``commit()``, so readers see the old layout or the new one.
public final class OCILayoutDestination: ImageDestination {
    /// The layout directory.
    public let root: String
    public let name: String
    /// Any OCI or Docker schema 2 manifest or index; not Docker schema 1, which an OCI layout
    /// cannot describe (its descriptors would have no config).
    public let capabilities = DestinationCapabilities(acceptedManifestTypes: DestinationCapabilities.schema2Types, isOCIImageLayout: true)
    private let durable: Bool
    private let existingIndex: ImageIndex?
    private let state = Mutex<[(Descriptor, [String])]>([])
    /// Blobs this destination created (they were not in the layout before), which
    /// ``discardBlob(_:)`` may remove.
    private let createdBlobs = Mutex<Set<Digest>>([])

    /// Opens (or prepares to create) a layout at `path`.
    /// - Parameters:
    ///   - durable: `fsync` every file before it is renamed into place (default `true`).
    /// - Throws: ``TransportError`` when `path` exists but is neither empty nor a layout.
    public init(path: String, durable: Bool = true) throws {
        self.root = path
        self.name = "oci:\(path)"
        self.durable = durable
        switch FileSystem.kind(of: path) {
        case .missing:
            existingIndex = nil
        case .directory, .symlink:
            let layoutPath = path + "/" + OCILayout.layoutFileName
            if FileSystem.exists(layoutPath) {
                try OCILayout.checkLayoutFile(try FileSystem.readFile(layoutPath, limit: 64 * 1024), path: layoutPath)
                let indexPath = path + "/" + OCILayout.indexFileName
                if FileSystem.exists(indexPath) {
                    do {
                        existingIndex = try JSONDocument.decode(ImageIndex.self, from: try FileSystem.readFile(indexPath, limit: DocumentLimits.maximumDocumentSize), context: indexPath)
                    } catch let error as SpecError {
                        throw TransportError(.invalidInput, "\(name): cannot add to this layout: \(error.message)")
                    }
                } else {
                    existingIndex = nil
                }
            } else if try FileSystem.contents(of: path).isEmpty {
                existingIndex = nil
            } else {
                throw TransportError(.invalidInput, "\(name): the directory exists, is not empty and is not an OCI layout (no \(OCILayout.layoutFileName)); refusing to write into it")
            }
        default:
            throw TransportError(.invalidInput, "\(name): exists and is not a directory")
        }
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        let path = root + "/" + OCILayout.blobPath(descriptor.digest)
        // Blobs land only after verification, so a regular file of the right size is the blob.
        return FileSystem.kind(of: path) == .regular && FileSystem.size(of: path) == descriptor.size
    }

    public func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        let staging = root + "/blobs"
        try FileSystem.createDirectory(staging)
        let writer = try AtomicFileWriter(path: staging + "/.incoming", durable: durable)
        while let chunk = try await blob.next() {
            try Task.checkCancellation()
            try writer.write(chunk)
        }
        guard let result = blob.result else {
            throw StreamError(.io, "\(name): blob stream ended without a digest")
        }
        try FileSystem.createDirectory(root + "/blobs/" + result.digest.algorithm)
        let path = root + "/" + OCILayout.blobPath(result.digest)
        if !FileSystem.exists(path) { createdBlobs.withLock { _ = $0.insert(result.digest) } }
        try writer.commit(renamingTo: path)
        return result
    }

    public func discardBlob(_ digest: Digest) async throws {
        guard createdBlobs.withLock({ $0.remove(digest) }) != nil else { return }
        FileSystem.removeFile(root + "/" + OCILayout.blobPath(digest))
    }

    public func putDocument(_ document: RawDocument) async throws {
        let writer = try openWriter(for: document.digest)
        try writer.write(document.bytes)
        try writer.commit()
    }

    public func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        state.withLock { $0.append((descriptor, names)) }
    }

    public func commit() async throws {
        try FileSystem.createDirectory(root + "/blobs")
        let layoutPath = root + "/" + OCILayout.layoutFileName
        if !FileSystem.exists(layoutPath) {
            try AtomicFileWriter.write(OCILayout.layoutFileBytes, to: layoutPath, durable: durable)
        }
        var manifests = existingIndex?.manifests ?? []
        for (descriptor, names) in state.withLock({ $0 }) {
            if names.isEmpty {
                if !manifests.contains(where: { $0.digest == descriptor.digest && $0.referenceName == nil }) {
                    manifests.append(Self.stripped(descriptor))
                }
                continue
            }
            for name in names {
                // A name belongs to one entry: take it away from older entries first.
                for i in manifests.indices where manifests[i].referenceName == name {
                    manifests[i].annotations?[AnnotationKey.refName] = nil
                    if manifests[i].annotations?.isEmpty == true { manifests[i].annotations = nil }
                }
                var entry = Self.stripped(descriptor)
                entry.annotations = (entry.annotations ?? [:]).merging([AnnotationKey.refName: name]) { $1 }
                manifests.append(entry)
            }
        }
        // An unnamed entry whose image is also listed under a name (or listed twice) adds nothing.
        let named = Set(manifests.filter { $0.referenceName != nil }.map(\.digest))
        var unnamedSeen = Set<Digest>()
        manifests = manifests.filter { entry in
            entry.referenceName != nil || (!named.contains(entry.digest) && unnamedSeen.insert(entry.digest).inserted)
        }
        var index = existingIndex ?? ImageIndex(manifests: [])
        index.manifests = manifests
        index.mediaType = .ociIndex
        try AtomicFileWriter.write(try JSONDocument.encode(index), to: root + "/" + OCILayout.indexFileName, durable: durable)
    }

    /// A descriptor for `index.json`: the source's `ref.name` is not carried over (the entry's
    /// names are); `io.containerd.image.name`, the full name the engine gives, is kept.
    private static func stripped(_ descriptor: Descriptor) -> Descriptor {
        var d = descriptor
        d.annotations?[AnnotationKey.refName] = nil
        if d.annotations?.isEmpty == true { d.annotations = nil }
        return d
    }

    private func openWriter(for digest: Digest) throws -> AtomicFileWriter {
        let directory = root + "/blobs/" + digest.algorithm
        try FileSystem.createDirectory(directory)
        return try AtomicFileWriter(path: directory + "/" + digest.encoded, durable: durable)
    }
}
