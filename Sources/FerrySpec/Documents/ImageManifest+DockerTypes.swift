extension ImageManifest {
    /// Whether a Docker schema 2 manifest may name a config of this type: Docker's image config
    /// or a plugin config. (An OCI manifest may name Docker's, which most tools tolerate.)
    public static func dockerManifestAllowsConfig(_ type: MediaType) -> Bool {
        type == .dockerConfig || type == .dockerPluginConfig
    }

    /// Whether a Docker schema 2 manifest may name a layer of this type: any but OCI's zstd
    /// types, which schema 2 has no counterpart for. (OCI gzip and plain tar types are tolerated.)
    public static func dockerManifestAllowsLayer(_ type: MediaType) -> Bool {
        !(type.isOCI && type.isLayer && type.layerCompression == .zstd)
    }

    /// What a Docker schema 2 manifest names that schema 2 does not allow, as a sentence, or
    /// `nil`: the rule copy refuses by and verify reports as an error (`type-not-allowed`).
    public func dockerTypeProblem() -> String? {
        if !Self.dockerManifestAllowsConfig(config.mediaType) {
            return "config type \(config.mediaType) is not allowed in a Docker manifest (needs \(MediaType.dockerConfig))"
        }
        if let layer = layers.first(where: { !Self.dockerManifestAllowsLayer($0.mediaType) }) {
            return "zstd layer type \(layer.mediaType) in a Docker manifest (Docker schema 2 has no zstd type)"
        }
        return nil
    }
}
