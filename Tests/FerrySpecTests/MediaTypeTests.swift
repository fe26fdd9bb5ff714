import FerrySpec
import Testing

@Suite("MediaType questions")
struct MediaTypeTests {
    /// media type, isIndex, isManifest, isLayer, layerCompression, isForeignLayer, isKnown
    static let cases: [(MediaType, Bool, Bool, Bool, LayerCompression?, Bool, Bool)] = [
        // Indexes: OCI index and Docker manifest list
        (.ociIndex, true, false, false, nil, false, true),
        (.dockerManifestList, true, false, false, nil, false, true),
        // Manifests: OCI, Docker schema 2, schema 1 signed and unsigned
        (.ociManifest, false, true, false, nil, false, true),
        (.dockerManifest, false, true, false, nil, false, true),
        (.dockerSchema1, false, true, false, nil, false, true),
        (.dockerSchema1Signed, false, true, false, nil, false, true),
        // Configs and other known non-layer types
        (.ociConfig, false, false, false, nil, false, true),
        (.dockerConfig, false, false, false, nil, false, true),
        (.ociEmpty, false, false, false, nil, false, true),
        // Distributable layers and their compression
        (.ociLayer, false, false, true, LayerCompression.none, false, true),
        (.ociLayerGzip, false, false, true, .gzip, false, true),
        (.ociLayerZstd, false, false, true, .zstd, false, true),
        (.dockerLayer, false, false, true, LayerCompression.none, false, true),
        (.dockerLayerGzip, false, false, true, .gzip, false, true),
        // Foreign (non-distributable) layers
        (.ociForeignLayer, false, false, true, LayerCompression.none, true, true),
        (.ociForeignLayerGzip, false, false, true, .gzip, true, true),
        (.ociForeignLayerZstd, false, false, true, .zstd, true, true),
        (.dockerForeignLayer, false, false, true, LayerCompression.none, true, true),
        (.dockerForeignLayerGzip, false, false, true, .gzip, true, true),
        // Encrypted layers: layers without a usable compression, still known
        ("application/vnd.oci.image.layer.v1.tar+gzip+encrypted", false, false, true, nil, false, true),
        // Parameters and case are ignored by the questions
        ("application/vnd.oci.image.index.v1+json; charset=utf-8", true, false, false, nil, false, true),
        ("Application/VND.OCI.Image.Manifest.v1+JSON", false, true, false, nil, false, true),
        ("application/vnd.oci.image.layer.v1.tar+zstd ; x=y", false, false, true, .zstd, false, true),
        // Unknown types are carried and answer false everywhere
        ("application/json", false, false, false, nil, false, false),
        ("application/vnd.example.thing+json", false, false, false, nil, false, false),
        ("application/vnd.oci.image.layer.v1.tar+lz4", false, false, true, nil, false, false),
    ]

    @Test("answers the questions Ferry asks", arguments: cases)
    func questions(
        type: MediaType, isIndex: Bool, isManifest: Bool, isLayer: Bool, compression: LayerCompression?, isForeign: Bool, isKnown: Bool
    ) {
        #expect(type.isIndex == isIndex)
        #expect(type.isManifest == isManifest)
        #expect(type.isManifestOrIndex == (isIndex || isManifest))
        #expect(type.isLayer == isLayer)
        #expect(type.layerCompression == compression)
        #expect(type.isForeignLayer == isForeign)
        #expect(type.isKnown == isKnown)
    }

    static let wellFormed: [(MediaType, Bool)] = [
        // type/subtype of [A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}; parameters ignored
        (.ociManifest, true), ("text/plain", true), ("application/json; charset=utf-8", true), ("a/b", true),
        // Missing parts, extra slashes, bad first characters, overlong parts
        ("", false), ("application", false), ("application/", false), ("/json", false), ("a/b/c", false),
        ("application/.json", false), ("app lication/json", false),
        (MediaType("application/" + String(repeating: "x", count: 127)), true), (MediaType("application/" + String(repeating: "x", count: 128)), false),
    ]

    @Test("isWellFormed follows the descriptor schema's pattern", arguments: wellFormed)
    func wellFormedness(type: MediaType, expected: Bool) {
        #expect(type.isWellFormed == expected)
    }

    @Test("rawValue keeps parameters; essence drops them")
    func keepsRawValue() {
        let type = MediaType("application/vnd.oci.image.index.v1+json; charset=utf-8")
        #expect(type.rawValue == "application/vnd.oci.image.index.v1+json; charset=utf-8")
        #expect(type.essence == MediaType.ociIndex.rawValue)
        #expect(type != .ociIndex)
    }

    @Test("layer type constructors map compression both ways")
    func layerTypesForCompression() {
        for compression in LayerCompression.allCases {
            #expect(MediaType.ociLayer(compression).layerCompression == compression)
            #expect(MediaType.ociLayer(compression, foreign: true).isForeignLayer)
        }
        #expect(MediaType.dockerLayer(.gzip) == .dockerLayerGzip)
        #expect(MediaType.dockerLayer(.zstd) == nil)
    }
}
