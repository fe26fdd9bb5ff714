import FerrySpec

/// What a manifest references, as far as its JSON could be used.
struct ManifestReferences: Sendable {
    var config: Descriptor?
    var layers: [Descriptor]
    /// Whether layers are image layers (an image config and no `artifactType`), so unknown layer
    /// types deserve a warning; artifacts carry any types they like.
    var isImage: Bool
}

extension DocumentChecks {
    /// Checks an image manifest (OCI or Docker schema 2) and returns what it references.
    ///
    /// Type rules (docs/verify-report.md): a Docker manifest needs a Docker config type (error);
    /// OCI layer types in it are a warning, zstd an error (Docker has no zstd type). An OCI manifest
    /// takes any config type (artifacts), a Docker config or Docker layer types are a warning.
    /// Unknown layer types in an image are a warning.
    /// - Parameter attestation: the index entry marks it as a BuildKit attestation
    ///   (`vnd.docker.reference.type`): an artifact whatever its config type says.
    mutating func manifest(_ object: [String: JSONValue], descriptor: Descriptor, attestation: Bool, at location: Location) -> ManifestReferences {
        header(object, descriptor: descriptor, what: "manifest", at: location)
        let isDocker = descriptor.mediaType.essence == MediaType.dockerManifest.rawValue
        let config = self.descriptor(object["config"], field: "config", at: location)
        var layers: [Descriptor] = []
        switch object["layers"] {
        case nil, .null?:
            // Required by the schema, but BuildKit leaves it out of zero-layer images.
            problems.warning(.documentMissingField, "no layers field (read as no layers)", at: location)
        case .array(let values)?:
            for (i, value) in values.enumerated() {
                if let layer = self.descriptor(value, field: "layers[\(i)]", at: location) { layers.append(layer) }
            }
        case let v?:
            problems.error(.documentInvalidField, "layers is \(v.typeName), not an array", at: location)
        }
        if let problem = ImageManifest.sizeProblem(config: config, layers: layers) {
            problems.error(.descriptorInvalid, problem, at: location)
        }
        let artifactType = object["artifactType"]?.string
        let isImage = artifactType == nil && !attestation && (config?.mediaType.isImageConfig ?? true)
        if let config {
            var here = location
            here.blob = config.digest.description
            if isDocker && !ImageManifest.dockerManifestAllowsConfig(config.mediaType) {
                problems.error(
                    .typeNotAllowed, "config type \(config.mediaType) is not allowed in a Docker manifest (needs \(MediaType.dockerConfig))", at: here)
            } else if !isDocker && config.mediaType.essence == MediaType.dockerConfig.rawValue {
                problems.warning(.typeNotAllowed, "Docker config type in an OCI manifest (tolerated by most tools)", at: here)
            } else if config.mediaType == .ociEmpty && artifactType == nil {
                problems.warning(.artifactFieldInvalid, "the config is the empty descriptor but the manifest has no artifactType", at: location)
            }
        }
        for layer in layers {
            var here = location
            here.blob = layer.digest.description
            let type = layer.mediaType
            if isDocker && type.isOCI && type.isLayer {
                if !ImageManifest.dockerManifestAllowsLayer(type) {
                    problems.error(.typeNotAllowed, "zstd layer type \(type) in a Docker manifest (Docker schema 2 has no zstd type)", at: here)
                } else {
                    problems.warning(.typeNotAllowed, "OCI layer type \(type) in a Docker manifest", at: here)
                }
            } else if !isDocker && type.isDocker && type.isLayer {
                problems.warning(.typeNotAllowed, "Docker layer type \(type) in an OCI manifest", at: here)
            } else if isImage && !type.isKnown {
                problems.warning(.mediaTypeUnknown, "unknown layer media type \(type); only its digest and size are checked", at: here)
            }
        }
        return ManifestReferences(config: config, layers: layers, isImage: isImage)
    }

    /// Checks an index or manifest list and returns its children.
    mutating func index(_ object: [String: JSONValue], descriptor: Descriptor, at location: Location) -> [Descriptor] {
        header(object, descriptor: descriptor, what: "index", at: location)
        guard case .array(let values)? = object["manifests"] else {
            problems.error(.documentMissingField, "index has no manifests array", at: location)
            return []
        }
        let isDockerList = descriptor.mediaType.essence == MediaType.dockerManifestList.rawValue
        var children: [Descriptor] = []
        for (i, value) in values.enumerated() {
            guard let child = self.descriptor(value, field: "manifests[\(i)]", at: location) else { continue }
            var here = location
            here.blob = child.digest.description
            if isDockerList && child.mediaType.isOCI {
                problems.warning(.typeNotAllowed, "OCI type \(child.mediaType) in a Docker manifest list", at: here)
            }
            children.append(child)
        }
        return children
    }
}
