import FerrySpec
import Foundation
import Testing

private let configDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
private let layerDigest = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
private let childDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

private func manifestJSON(
    schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest.rawValue, configType: String = MediaType.ociConfig.rawValue, withConfig: Bool = true
) -> String {
    var fields = ["\"schemaVersion\":\(schemaVersion)"]
    if let mediaType { fields.append("\"mediaType\":\"\(mediaType)\"") }
    if withConfig { fields.append("\"config\":{\"mediaType\":\"\(configType)\",\"digest\":\"\(configDigest)\",\"size\":2}") }
    fields.append("\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"\(layerDigest)\",\"size\":1024}]")
    return "{" + fields.joined(separator: ",") + "}"
}

private func indexJSON(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex.rawValue) -> String {
    var fields = ["\"schemaVersion\":\(schemaVersion)"]
    if let mediaType { fields.append("\"mediaType\":\"\(mediaType)\"") }
    fields.append(
        """
        "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(childDigest)","size":7,\
        "platform":{"architecture":"arm64","os":"linux","variant":"v8"},\
        "annotations":{"org.opencontainers.image.ref.name":"3.19"}}]
        """)
    return "{" + fields.joined(separator: ",") + "}"
}

private func document(_ json: String, _ mediaType: MediaType) -> RawDocument {
    RawDocument(bytes: Array(json.utf8), mediaType: mediaType, digest: .emptySHA256)
}

@Suite("Document decoding")
struct DocumentDecodingTests {
    @Test("a valid OCI manifest decodes with its config and layers")
    func decodesManifest() throws {
        let decoded = try document(manifestJSON(), .ociManifest).decode(context: "manifest m")
        guard case .manifest(let manifest) = decoded else {
            Issue.record("expected a manifest, got \(decoded)")
            return
        }
        #expect(manifest.schemaVersion == 2)
        #expect(manifest.mediaType == .ociManifest)
        #expect(manifest.config.digest.description == configDigest)
        #expect(manifest.config.size == 2)
        #expect(manifest.layers.count == 1)
        #expect(manifest.layers.first?.mediaType == .ociLayer)
        #expect(manifest.children.map(\.digest.description) == [configDigest, layerDigest])
    }

    @Test("a manifest without its own mediaType takes the descriptor's")
    func manifestWithoutMediaType() throws {
        let decoded = try document(manifestJSON(mediaType: nil), .ociManifest).decode(context: "manifest m")
        guard case .manifest(let manifest) = decoded else {
            Issue.record("expected a manifest, got \(decoded)")
            return
        }
        #expect(manifest.mediaType == nil)
    }

    @Test("a valid OCI index decodes with platforms and annotations")
    func decodesIndex() throws {
        let decoded = try document(indexJSON(), .ociIndex).decode(context: "index i")
        guard case .index(let index) = decoded else {
            Issue.record("expected an index, got \(decoded)")
            return
        }
        let entry = try #require(index.manifests.first)
        #expect(index.manifests.count == 1)
        #expect(entry.platform == Platform(os: "linux", architecture: "arm64", variant: "v8"))
        #expect(entry.referenceName == "3.19")
        #expect(Reference.isValidLayoutReferenceName(entry.referenceName ?? ""))
    }

    @Test("a document whose own mediaType disagrees is read as its descriptor says")
    func descriptorWinsOverDocumentMediaType() throws {
        let decoded = try document(manifestJSON(mediaType: MediaType.dockerManifest.rawValue), .ociManifest).decode(context: "m")
        guard case .manifest(let manifest) = decoded else {
            Issue.record("expected a manifest, got \(decoded)")
            return
        }
        #expect(manifest.mediaType == .dockerManifest)
        let index = try document(indexJSON(mediaType: MediaType.dockerManifestList.rawValue), .ociIndex).decode(context: "i")
        guard case .index = index else {
            Issue.record("expected an index, got \(index)")
            return
        }
    }

    @Test("schema 1 media types are not decoded here")
    func schema1IsPassedOn() throws {
        let decoded = try document("{\"schemaVersion\":1}", .dockerSchema1Signed).decode(context: "m")
        guard case .schema1 = decoded else {
            Issue.record("expected schema1, got \(decoded)")
            return
        }
    }

    /// bytes, descriptor media type, error code, message fragment
    static let failures: [(String, MediaType, SpecError.Code, String)] = [
        // schemaVersion must be 2
        (manifestJSON(schemaVersion: 1), .ociManifest, .invalidDocument, "schemaVersion is 1, expected 2"),
        (indexJSON(schemaVersion: 3), .ociIndex, .invalidDocument, "schemaVersion is 3, expected 2"),
        // Required fields
        (manifestJSON(withConfig: false), .ociManifest, .invalidDocument, "missing required field config"),
        ("{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}", .ociIndex, .invalidDocument, "missing required field schemaVersion"),
        // Wrong types and bad nested values name the field path
        ("{\"schemaVersion\":\"2\"}", .ociManifest, .invalidDocument, "schemaVersion has the wrong type"),
        (manifestJSON().replacingOccurrences(of: "\"size\":2", with: "\"size\":-2"), .ociManifest, .invalidDocument, "config.size"),
        // Not JSON at all
        ("not json", .ociManifest, .invalidDocument, "not valid JSON"),
        ("", .ociIndex, .invalidDocument, "not valid JSON"),
        // A media type that is neither a manifest nor an index
        ("{}", .ociConfig, .unsupported, "is not a manifest or an index"),
    ]

    @Test("rejects documents that are not what they claim", arguments: failures)
    func rejectsBadDocument(json: String, mediaType: MediaType, code: SpecError.Code, fragment: String) {
        let error = #expect(throws: SpecError.self) { try document(json, mediaType).decode(context: "manifest sha256:e3b0c442 in test") }
        #expect(error?.code == code)
        #expect(error?.message.hasPrefix("manifest sha256:e3b0c442 in test: ") == true)
        #expect(error?.message.contains(fragment) == true, "message: \(error?.message ?? "none")")
    }

    @Test("documents over the 4 MiB limit are refused before parsing")
    func overLimit() {
        let padding = String(repeating: " ", count: DocumentLimits.maximumDocumentSize)
        let error = #expect(throws: SpecError.self) { try document(manifestJSON() + padding, .ociManifest).decode(context: "m") }
        #expect(error?.code == .documentTooLarge)
        #expect(error?.message.contains("over the 4194304-byte limit") == true)
    }

    @Test("a document of exactly the limit is parsed")
    func atLimit() throws {
        let json = manifestJSON()
        let padded = json + String(repeating: " ", count: DocumentLimits.maximumDocumentSize - json.utf8.count)
        #expect(padded.utf8.count == DocumentLimits.maximumDocumentSize)
        guard case .manifest = try document(padded, .ociManifest).decode(context: "m") else {
            Issue.record("expected a manifest")
            return
        }
    }
}

@Suite("Media type detection")
struct MediaTypeDetectionTests {
    static let cases: [(String, MediaType?)] = [
        // A declared manifest or index type wins
        (manifestJSON(), .ociManifest),
        (indexJSON(), .ociIndex),
        (manifestJSON(mediaType: MediaType.dockerManifest.rawValue, configType: MediaType.dockerConfig.rawValue), .dockerManifest),
        (indexJSON(mediaType: MediaType.dockerManifestList.rawValue), .dockerManifestList),
        // schemaVersion 1: signed if signatures are present
        ("{\"schemaVersion\":1,\"name\":\"a\"}", .dockerSchema1),
        ("{\"schemaVersion\":1,\"signatures\":[{\"header\":{}}]}", .dockerSchema1Signed),
        // schemaVersion 2 without a declared type: by config media type, else manifests ⇒ index, else manifest
        (manifestJSON(mediaType: nil, configType: MediaType.dockerConfig.rawValue), .dockerManifest),
        (manifestJSON(mediaType: nil), .ociManifest),
        (manifestJSON(mediaType: nil, configType: "application/vnd.example.config+json"), .ociManifest),
        (indexJSON(mediaType: nil), .ociIndex),
        ("{\"schemaVersion\":2}", .ociManifest),
        // A declared type that is not a manifest or index falls through to the rules
        ("{\"schemaVersion\":2,\"mediaType\":\"application/json\",\"manifests\":[{}]}", .ociIndex),
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.config.v1+json\"}", .ociManifest),
        // Not a JSON object, or no usable schemaVersion
        ("not json", nil),
        ("[1,2]", nil),
        ("{}", nil),
        ("{\"schemaVersion\":3}", nil),
    ]

    @Test("detects the type by the rules of formats.md §2.5", arguments: cases)
    func detects(json: String, expected: MediaType?) {
        #expect(RawDocument.detectMediaType(of: Array(json.utf8)) == expected)
    }
}
