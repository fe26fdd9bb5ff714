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
            if mediaType.essence == MediaType.dockerManifest.rawValue, let problem = manifest.dockerTypeProblem() {
                throw SpecError(.invalidDocument, "\(context): \(problem)")
            }
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
