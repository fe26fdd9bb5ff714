import Foundation

/// A document exactly as it was read: its bytes, media type and digest.
///
/// Digests are always over these bytes; Ferry never re-encodes a document it only copies.
public struct RawDocument: Sendable, Hashable {
    /// The exact bytes.
    public let bytes: [UInt8]
    /// The media type, from the descriptor or the document itself.
    public let mediaType: MediaType
    /// The digest of ``bytes``.
    public let digest: Digest

    public init(bytes: [UInt8], mediaType: MediaType, digest: Digest) {
        self.bytes = bytes
        self.mediaType = mediaType
        self.digest = digest
    }

    /// A descriptor for this document.
    public var descriptor: Descriptor {
        Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }
}

/// Limits on documents Ferry decodes, so that hostile input cannot exhaust memory.
public enum DocumentLimits {
    /// Manifests, indexes, configs and `index.json`: 4 MiB, as distribution and containers/image cap them.
    public static let maximumDocumentSize = 4 * 1024 * 1024
}

/// An OCI image manifest or a Docker schema 2 manifest (the same shape).
///
/// See image-spec `manifest.md` and distribution `manifest-v2-2.md`.
public struct ImageManifest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: MediaType?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: MediaType?, artifactType: String? = nil, config: Descriptor, layers: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        mediaType = try c.decodeIfPresent(MediaType.self, forKey: .mediaType)
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        config = try c.decode(Descriptor.self, forKey: .config)
        // `layers` is required by the schema; `null` from sloppy writers is read as empty.
        layers = try c.decodeIfPresent([Descriptor].self, forKey: .layers) ?? []
        // An image is at most 2^63−1 bytes: what says more is not an image, and would overflow
        // every sum of its sizes.
        if let problem = Self.sizeProblem(config: config, layers: layers) {
            throw DecodingError.dataCorruptedError(forKey: .layers, in: c, debugDescription: problem)
        }
        subject = try c.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
    }

    /// What is wrong with the sizes a manifest declares, or `nil`: they must add up to at most
    /// `Int64.max` (2^63−1) bytes, or every sum of them would overflow.
    public static func sizeProblem(config: Descriptor?, layers: [Descriptor]) -> String? {
        guard ByteSum.exact((config.map { [$0.size] } ?? []) + layers.map(\.size)) == nil else { return nil }
        return "the sizes of the config and layers add up to more than \(Int64.max) bytes (2^63−1)"
    }

    /// Every descriptor this manifest references: config first, then layers in order.
    public var children: [Descriptor] { [config] + layers }
}

/// An OCI image index or a Docker manifest list (the same shape).
///
/// See image-spec `image-index.md`.
public struct ImageIndex: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: MediaType?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: MediaType? = .ociIndex, artifactType: String? = nil, manifests: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.manifests = manifests
        self.subject = subject
        self.annotations = annotations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        mediaType = try c.decodeIfPresent(MediaType.self, forKey: .mediaType)
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        manifests = try c.decodeIfPresent([Descriptor].self, forKey: .manifests) ?? []
        subject = try c.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
    }
}

/// The parts of an image config Ferry reads. The exact bytes stay in the ``RawDocument``.
///
/// See image-spec `config.md`.
public struct ImageConfig: Sendable, Hashable, Codable {
    public struct RootFS: Sendable, Hashable, Codable {
        public var type: String
        public var diffIDs: [Digest]
        enum CodingKeys: String, CodingKey { case type, diffIDs = "diff_ids" }
        public init(type: String = "layers", diffIDs: [Digest]) {
            self.type = type
            self.diffIDs = diffIDs
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(String.self, forKey: .type)
            diffIDs = try c.decodeIfPresent([Digest].self, forKey: .diffIDs) ?? []
        }
    }

    public struct History: Sendable, Hashable, Codable {
        public var created: String?
        public var createdBy: String?
        public var author: String?
        public var comment: String?
        public var emptyLayer: Bool?
        enum CodingKeys: String, CodingKey {
            case created, author, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
        public init(created: String? = nil, createdBy: String? = nil, author: String? = nil, comment: String? = nil, emptyLayer: Bool? = nil) {
            self.created = created
            self.createdBy = createdBy
            self.author = author
            self.comment = comment
            self.emptyLayer = emptyLayer
        }
    }

    /// The runtime part (`config`): only what `inspect` shows.
    public struct Runtime: Sendable, Hashable, Codable {
        public var user: String?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        public var labels: [String: String]?
        public var exposedPorts: [String: EmptyObject]?
        enum CodingKeys: String, CodingKey {
            case user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd"
            case workingDir = "WorkingDir", labels = "Labels", exposedPorts = "ExposedPorts"
        }
    }

    /// `{}` in JSON.
    public struct EmptyObject: Sendable, Hashable, Codable {
        public init() {}
    }

    public var architecture: String
    public var os: String
    public var variant: String?
    public var created: String?
    public var author: String?
    public var config: Runtime?
    public var rootfs: RootFS
    public var history: [History]?

    /// The platform this config declares.
    public var platform: Platform { Platform(os: os, architecture: architecture, variant: variant) }
}

/// What a document turned out to be.
public enum DecodedDocument: Sendable {
    case manifest(ImageManifest)
    case index(ImageIndex)
    /// Docker schema 1 (kept raw; the schema 1 module reads it).
    case schema1
}

extension RawDocument {
    /// Decodes the document as the manifest or index its media type says it is.
    ///
    /// - Throws: ``SpecError`` naming `context` (for example `manifest sha256:ab12… in oci:img`)
    ///   when the JSON is malformed, a required field is missing or `schemaVersion` is not 2.
    ///   A document's own `mediaType` that disagrees with its descriptor's is not an error here,
    ///   but content of the other kind is: an image manifest labelled as an index (which would
    ///   read as an index of nothing), or an index labelled as a manifest.
    public func decode(context: String) throws(SpecError) -> DecodedDocument {
        if mediaType.isSchema1 { return .schema1 }
        if let contradiction = DocumentShape.contradiction(bytes, labelled: mediaType) {
            throw SpecError(.invalidDocument, "\(context): \(contradiction)")
        }
        if mediaType.isIndex {
            let index: ImageIndex = try JSONDocument.decode(ImageIndex.self, from: bytes, context: context)
            try checkHeader(schemaVersion: index.schemaVersion, declared: index.mediaType, context: context)
            return .index(index)
        }
        if mediaType.isManifest {
            let manifest: ImageManifest = try JSONDocument.decode(ImageManifest.self, from: bytes, context: context)
            try checkHeader(schemaVersion: manifest.schemaVersion, declared: manifest.mediaType, context: context)
            return .manifest(manifest)
        }
        throw SpecError(.unsupported, "\(context): media type \(mediaType) is not a manifest or an index")
    }

    private func checkHeader(schemaVersion: Int, declared: MediaType?, context: String) throws(SpecError) {
        guard schemaVersion == 2 else {
            throw SpecError(.invalidDocument, "\(context): schemaVersion is \(schemaVersion), expected 2")
        }
        // A document whose own `mediaType` disagrees with its descriptor is read as the descriptor
        // says (the descriptor wins, as containers/image and go-containerregistry read it); the
        // verifier reports the disagreement.
        _ = declared
    }

    /// The media type a document declares for itself, by the rules containers/image uses when no
    /// descriptor says it (formats.md §2.5). `nil` when the bytes are not a JSON object.
    public static func detectMediaType(of bytes: [UInt8]) -> MediaType? {
        struct Probe: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
            var signatures: [IgnoredValue]?
            var config: ConfigProbe?
            var manifests: [IgnoredValue]?
            struct ConfigProbe: Decodable { var mediaType: String? }
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: Data(bytes)) else { return nil }
        if let declared = probe.mediaType.map(MediaType.init(rawValue:)), declared.isManifestOrIndex {
            return declared
        }
        switch probe.schemaVersion {
        case 1: return probe.signatures != nil ? .dockerSchema1Signed : .dockerSchema1
        case 2:
            if let configType = probe.config?.mediaType.map(MediaType.init(rawValue:)) {
                if configType == .dockerConfig { return .dockerManifest }
                return .ociManifest
            }
            if probe.manifests != nil { return .ociIndex }
            return .ociManifest
        default: return nil
        }
    }
}

/// Any JSON value, decoded and thrown away.
public struct IgnoredValue: Decodable, Sendable {
    public init(from decoder: any Decoder) throws {}
}

/// JSON decoding with size limits and errors that say where.
public enum JSONDocument {
    /// Decodes `type` from `bytes`, refusing documents over ``DocumentLimits/maximumDocumentSize``.
    /// - Throws: ``SpecError`` naming `context` and the failing field path.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], context: String) throws(SpecError) -> T {
        guard bytes.count <= DocumentLimits.maximumDocumentSize else {
            throw SpecError(.documentTooLarge, "\(context): \(bytes.count) bytes is over the \(DocumentLimits.maximumDocumentSize)-byte limit for JSON documents")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            if let nesting = JSONNesting.complaint(bytes) { throw SpecError(.invalidDocument, "\(context): \(nesting)") }
            throw SpecError(.invalidDocument, "\(context): \(describe(error))")
        } catch {
            if let nesting = JSONNesting.complaint(bytes) { throw SpecError(.invalidDocument, "\(context): \(nesting)") }
            throw SpecError(.invalidDocument, "\(context): not valid JSON (\(error))")
        }
    }

    /// Encodes a value with sorted keys and no escaped slashes: stable bytes for documents Ferry writes.
    public static func encode<T: Encodable>(_ value: T) throws(SpecError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw SpecError(.invalidDocument, "could not encode \(T.self): \(error)")
        }
    }

    /// What a JSON value of Swift type `type` is, in JSON's words: messages name `an object`,
    /// never `Dictionary<String, Any>`.
    static func jsonKind(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Dictionary<") || name.hasPrefix("[") && name.contains(":") { return "an object" }
        if name.hasPrefix("Array<") || name.hasPrefix("[") { return "an array" }
        switch name {
        case "String", "Substring": return "a string"
        case "Bool": return "true or false"
        case "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64", "Double", "Float", "Decimal":
            return "a number"
        default: return "another kind of value"
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let p = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "the top level" : String(p.drop(while: { $0 == "." }))
        }
        switch error {
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c):
            return "missing required field \(path(c.codingPath + [key]))"
        case .typeMismatch(let type, let c):
            return "\(path(c.codingPath)) has the wrong type (expected \(jsonKind(type)))"
        case .valueNotFound(let type, let c):
            return "\(path(c.codingPath)) is null (expected \(jsonKind(type)))"
        @unknown default:
            return "\(error)"
        }
    }
}
