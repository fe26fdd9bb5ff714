import FerrySpec
import FerryStreams

/// The image manifest Ferry makes for a `manifest.json` item that has no stored manifest, as
/// skopeo's `docker-archive:` source does.
///
/// Each layer is described by what its member *is*, not by what anything claims (formats.md
/// §5.6): a plain tar is `…rootfs.diff.tar` with the config's DiffID as digest (the copy's
/// verifying stream then proves it); gzip is `…rootfs.diff.tar.gzip` with the digest of the
/// member's bytes. Docker schema 2 has no zstd type, so **when any layer is zstd the whole
/// manifest is OCI** (OCI manifest, config and layer types); otherwise it is Docker schema 2,
/// the type every `docker save` consumer expects. The JSON is encoded with sorted keys, so the
/// same archive always gives the same manifest digest.
struct DockerManifestSynthesis: Sendable {
    /// One layer member and how it is stored.
    struct Layer: Sendable {
        var member: String
        var size: Int64
        var compression: LayerCompression
        var diffID: Digest
    }

    /// The position of the item in `manifest.json`.
    let item: Int
    /// The config descriptor (Docker type; made OCI with the manifest).
    let config: Descriptor
    /// The layers, base first.
    let layers: [Layer]

    /// The manifest's descriptor and bytes, and each layer's digest with its member.
    /// - Parameter hashes: the digests of compressed layer members, by member.
    func manifest(hashes: [String: Digest]) throws -> (descriptor: Descriptor, bytes: [UInt8], layers: [(digest: Digest, member: String)]) {
        let oci = layers.contains { $0.compression == .zstd }
        var described: [Descriptor] = []
        var located: [(digest: Digest, member: String)] = []
        for layer in layers {
            let digest: Digest
            if layer.compression == .none {
                digest = layer.diffID
            } else {
                guard let hash = hashes[layer.member] else {
                    throw TransportError(.notFound, "layer member \(layer.member) was not hashed")
                }
                digest = hash
            }
            let mediaType = oci ? MediaType.ociLayer(layer.compression) : (MediaType.dockerLayer(layer.compression) ?? .dockerLayer)
            described.append(Descriptor(mediaType: mediaType, digest: digest, size: layer.size))
            located.append((digest, layer.member))
        }
        var configDescriptor = config
        configDescriptor.mediaType = oci ? .ociConfig : .dockerConfig
        let mediaType: MediaType = oci ? .ociManifest : .dockerManifest
        let manifest = ImageManifest(mediaType: mediaType, config: configDescriptor, layers: described)
        let bytes = try JSONDocument.encode(manifest)
        let digest = try DigestHasher.digest(bytes)
        return (Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count)), bytes, located)
    }
}
