import FerrySpec
import FerryStreams

extension OCILayout {
    /// Every digest that the images `index.json` names refer to — the entries, the manifests
    /// and indexes they reach, their configs and layers (and subjects) — or `nil` when that
    /// cannot be told (no readable `index.json`, a document missing or unreadable), in which case
    /// a caller deciding whether a blob may go keeps it.
    static func referencedDigests(_ root: String) -> Set<Digest>? {
        let indexPath = root + "/" + indexFileName
        guard FileSystem.exists(indexPath) else { return [] }
        guard let bytes = try? FileSystem.readFile(indexPath, limit: DocumentLimits.maximumDocumentSize),
            let index = try? JSONDocument.decode(ImageIndex.self, from: bytes, context: indexPath)
        else { return nil }
        var referenced = Set<Digest>()
        var pending = index.manifests
        while let descriptor = pending.popLast() {
            guard referenced.insert(descriptor.digest).inserted, descriptor.mediaType.isManifestOrIndex, !descriptor.mediaType.isSchema1 else { continue }
            let path = root + "/" + blobPath(descriptor.digest)
            guard let bytes = try? FileSystem.readFile(path, limit: DocumentLimits.maximumDocumentSize) else { return nil }
            switch try? RawDocument(bytes: bytes, mediaType: descriptor.mediaType, digest: descriptor.digest).decode(context: path) {
            case .index(let child)?: pending += child.manifests + (child.subject.map { [$0] } ?? [])
            case .manifest(let manifest)?: pending += manifest.children + (manifest.subject.map { [$0] } ?? [])
            case .schema1?: continue
            case nil: return nil
            }
        }
        return referenced
    }
}
