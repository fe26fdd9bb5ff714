import FerrySpec
import FerryStreams

/// Lays out staged images as a Docker 25+ `docker save` archive (formats.md §5.3): an OCI image
/// layout and a `manifest.json` in one tar, so that `docker load` (both image stores), skopeo's
/// `docker-archive:` and any OCI layout reader (`oci-archive:`) read it. Members, in a fixed order:
///
/// ```
/// oci-layout
/// blobs/sha256/<config hex>     each config once
/// blobs/sha256/<DiffID hex>     each distinct uncompressed layer once
/// blobs/sha256/<manifest hex>   an OCI manifest per image (layers application/vnd.oci.image.layer.v1.tar,
///                               or the non-distributable type for foreign layers)
/// index.json                    an entry per name: io.containerd.image.name = full name,
///                               org.opencontainers.image.ref.name = tag; untagged images unnamed
/// manifest.json                 [{"Config","Layers","RepoTags"}] with blobs/sha256/… paths, plus
///                               "LayerSources" for foreign layers (``DockerForeignLayerSources``)
/// repositories                  {"<familiar repo>":{"<tag>":"<DiffID hex of the top layer>"}}
/// ```
///
/// The OCI manifests are built from the staged ones (converted to OCI, layers uncompressed), so
/// their digests are a function of the image: the same input gives the same archive. They
/// describe the bytes the archive holds: a foreign layer that was decompressed keeps its
/// non-distributable type but not the URLs, which serve the compressed blob (`LayerSources` keeps
/// them).
struct DockerOCIArchiveWriter {
    /// The staged file of a blob.
    let blobs: @Sendable (Digest) -> String
    /// The destination's name, for messages.
    let name: String
    /// Where the foreign layers came from.
    var foreign = DockerForeignLayerSources()

    func write(_ images: [(manifest: ImageManifest, names: [String])], to tar: TarWriter) async throws {
        try tar.addFile(OCILayout.layoutFileName, bytes: OCILayout.layoutFileBytes)
        try tar.addDirectory("blobs")
        try tar.addDirectory("blobs/sha256")
        var written = Set<Digest>()
        var items: [DockerSaveManifest] = []
        var entries: [Descriptor] = []
        var repositories: [String: [String: String]] = [:]
        var claimed: [String: Int] = [:]  // familiar name → item, so a name belongs to the last image given it
        var tagged: [(reference: Reference, item: Int, descriptor: Descriptor)] = []
        for (i, image) in images.enumerated() {
            let manifest = image.manifest
            let configBytes = try FileSystem.readFile(blobs(manifest.config.digest), limit: DocumentLimits.maximumDocumentSize)
            try DockerLegacyArchiveWriter(blobs: blobs, name: name).checkLayers(manifest, configBytes: configBytes)
            if written.insert(manifest.config.digest).inserted {
                try tar.addFile(OCILayout.blobPath(manifest.config.digest), bytes: configBytes)
            }
            for layer in manifest.layers where written.insert(layer.digest).inserted {
                let file = blobs(layer.digest)
                guard let size = FileSystem.size(of: file) else {
                    throw TransportError(.notFound, "\(name): layer \(layer.digest) was never stored")
                }
                try await tar.addFile(OCILayout.blobPath(layer.digest), size: size, copyingFile: file)
            }
            let oci = try manifest.converted(to: .oci, layers: foreign.storedLayers(of: manifest), context: "\(name): image \(i)")
            let bytes = try JSONDocument.encode(oci)
            let digest = try DigestHasher.digest(bytes)
            if written.insert(digest).inserted { try tar.addFile(OCILayout.blobPath(digest), bytes: bytes) }
            let descriptor = Descriptor(mediaType: .ociManifest, digest: digest, size: Int64(bytes.count))
            items.append(
                DockerSaveManifest(
                    config: OCILayout.blobPath(manifest.config.digest), repoTags: [],
                    layers: manifest.layers.map { OCILayout.blobPath($0.digest) },
                    layerSources: foreign.entries(for: manifest)))
            let references = image.names.compactMap(DockerArchiveNames.repoTag(for:))
            if references.isEmpty { entries.append(descriptor) }
            for reference in references {
                let familiar = reference.familiarString
                if let previous = claimed[familiar] { tagged.removeAll { $0.item == previous && $0.reference.familiarString == familiar } }
                claimed[familiar] = i
                tagged.append((reference, i, descriptor))
            }
        }
        for (reference, item, descriptor) in tagged {
            items[item].repoTags.append(reference.familiarString)
            var entry = descriptor
            entry.annotations = [
                AnnotationKey.containerdImageName: reference.normalized.description,
                AnnotationKey.refName: reference.tag ?? "latest",
            ]
            entries.append(entry)
            if let top = images[item].manifest.layers.last?.digest.encoded, let tag = reference.tag {
                repositories[reference.familiarName, default: [:]][tag] = top
            }
        }
        try tar.addFile(OCILayout.indexFileName, bytes: try JSONDocument.encode(ImageIndex(manifests: entries)))
        try tar.addFile(DockerSaveManifest.fileName, bytes: try JSONDocument.encode(items))
        if !repositories.isEmpty {
            try tar.addFile("repositories", bytes: try JSONDocument.encode(repositories))
        }
    }
}
