@testable import FerryEngine
import FerrySpec
import FerryTransports
import Testing

/// The planner's decisions as tables: options × destination capabilities × what the source says
/// of a document or layer (``CopyRules``).
@Suite struct CopyRulesTests {
    /// Takes everything, prefers OCI and gzip (an OCI layout, a registry).
    static let anything = DestinationCapabilities()
    /// An OCI image layout (a directory or an oci-archive).
    static let ociLayout = DestinationCapabilities(isOCIImageLayout: true)
    /// Docker schema 2 only, uncompressed or gzip layers, prefers Docker and gzip.
    static let dockerOnly = DestinationCapabilities(
        acceptedManifestTypes: [.dockerManifest, .dockerManifestList], acceptedLayerCompressions: [.none, .gzip],
        preferredManifestFormat: .v2s2, preferredLayerCompression: .gzip)
    /// Uncompressed layers only.
    static let uncompressedOnly = DestinationCapabilities(acceptedLayerCompressions: [.none], preferredLayerCompression: .none)

    struct DocumentRow: Sendable, CustomTestStringConvertible {
        var format: ManifestFormat?
        var capabilities: DestinationCapabilities
        var mediaType: MediaType
        var synthesized: Bool
        var expected: ManifestFormat?
        var testDescription: String {
            "--format \(format?.rawValue ?? "-") \(mediaType.rawValue)\(synthesized ? " (synthesised)" : "") → \(expected?.rawValue ?? "kept")"
        }
    }

    static let documentRows: [DocumentRow] = [
        DocumentRow(format: nil, capabilities: anything, mediaType: .ociManifest, synthesized: false, expected: nil),
        DocumentRow(format: nil, capabilities: anything, mediaType: .dockerManifest, synthesized: false, expected: nil),
        // A docker-archive's manifest stays Docker schema 2 in a registry (as skopeo keeps it),
        // becomes OCI in an OCI layout.
        DocumentRow(format: nil, capabilities: anything, mediaType: .dockerManifest, synthesized: true, expected: .v2s2),
        DocumentRow(format: nil, capabilities: ociLayout, mediaType: .dockerManifest, synthesized: true, expected: .oci),
        DocumentRow(format: nil, capabilities: anything, mediaType: .ociManifest, synthesized: true, expected: .oci),
        DocumentRow(format: nil, capabilities: dockerOnly, mediaType: .ociManifest, synthesized: false, expected: .v2s2),
        DocumentRow(format: nil, capabilities: dockerOnly, mediaType: .ociIndex, synthesized: false, expected: .v2s2),
        DocumentRow(format: nil, capabilities: dockerOnly, mediaType: .dockerManifest, synthesized: false, expected: nil),
        DocumentRow(format: nil, capabilities: dockerOnly, mediaType: .dockerSchema1Signed, synthesized: false, expected: .v2s2),
        DocumentRow(format: nil, capabilities: anything, mediaType: .dockerSchema1Signed, synthesized: false, expected: nil),
        DocumentRow(format: .oci, capabilities: anything, mediaType: .dockerManifest, synthesized: false, expected: .oci),
        DocumentRow(format: .oci, capabilities: anything, mediaType: .ociManifest, synthesized: false, expected: nil),
        DocumentRow(format: .oci, capabilities: anything, mediaType: .ociManifest, synthesized: true, expected: .oci),
        DocumentRow(format: .v2s2, capabilities: anything, mediaType: .ociIndex, synthesized: false, expected: .v2s2),
        DocumentRow(format: .v2s2, capabilities: dockerOnly, mediaType: .dockerManifest, synthesized: false, expected: nil),
    ]

    @Test(arguments: documentRows)
    func documentFormat(row: DocumentRow) {
        let rules = CopyRules(format: row.format, compression: nil, capabilities: row.capabilities)
        #expect(rules.documentFormat(row.mediaType, synthesized: row.synthesized) == row.expected)
    }

    struct LayerRow: Sendable, CustomTestStringConvertible {
        var compression: CompressionChoice?
        var capabilities: DestinationCapabilities
        var current: LayerCompression
        var synthesized: Bool
        var family: ManifestFormat
        var expected: LayerCompression?
        var testDescription: String {
            "--compress \(compression?.description ?? "-") \(current)\(synthesized ? " (synthesised)" : "") in \(family) → \(expected.map { "\($0)" } ?? "copied")"
        }
    }

    static let layerRows: [LayerRow] = [
        LayerRow(compression: nil, capabilities: anything, current: .gzip, synthesized: false, family: .oci, expected: nil),
        LayerRow(compression: nil, capabilities: anything, current: .none, synthesized: false, family: .oci, expected: nil),
        LayerRow(compression: nil, capabilities: anything, current: .none, synthesized: true, family: .oci, expected: .gzip),
        LayerRow(compression: nil, capabilities: anything, current: .zstd, synthesized: false, family: .v2s2, expected: .gzip),
        LayerRow(compression: nil, capabilities: uncompressedOnly, current: .gzip, synthesized: false, family: .oci, expected: LayerCompression.none),
        LayerRow(compression: nil, capabilities: dockerOnly, current: .zstd, synthesized: false, family: .v2s2, expected: .gzip),
        LayerRow(compression: .keep, capabilities: anything, current: .none, synthesized: true, family: .oci, expected: nil),
        LayerRow(compression: .keep, capabilities: uncompressedOnly, current: .zstd, synthesized: false, family: .oci, expected: LayerCompression.none),
        LayerRow(compression: .to(.zstd, level: nil), capabilities: anything, current: .gzip, synthesized: false, family: .oci, expected: .zstd),
        LayerRow(compression: .to(.zstd, level: nil), capabilities: anything, current: .gzip, synthesized: false, family: .v2s2, expected: nil),
        LayerRow(compression: .to(.gzip, level: nil), capabilities: anything, current: .gzip, synthesized: false, family: .oci, expected: nil),
        LayerRow(compression: .to(.gzip, level: 9), capabilities: anything, current: .gzip, synthesized: false, family: .oci, expected: .gzip),
        LayerRow(compression: .to(.gzip, level: 0), capabilities: anything, current: .gzip, synthesized: false, family: .oci, expected: nil),
        LayerRow(compression: .to(.zstd, level: 3), capabilities: anything, current: .zstd, synthesized: false, family: .oci, expected: .zstd),
        LayerRow(compression: .to(.none, level: 5), capabilities: anything, current: .none, synthesized: false, family: .oci, expected: nil),
        LayerRow(
            compression: .to(.none, level: nil), capabilities: anything, current: .gzip, synthesized: false, family: .oci, expected: LayerCompression.none),
    ]

    @Test(arguments: layerRows)
    func transcodeTarget(row: LayerRow) {
        let rules = CopyRules(format: nil, compression: row.compression, capabilities: row.capabilities)
        #expect(rules.transcodeTarget(row.current, synthesized: row.synthesized, family: row.family) == row.expected)
    }

    @Test(arguments: [
        (CompressionChoice?.some(.to(.gzip, level: 9)), LayerCompression.gzip, Int?.some(9)),
        (.some(.to(.gzip, level: 9)), .zstd, nil),
        (.some(.to(.zstd, level: nil)), .zstd, nil),
        (.some(.keep), .gzip, nil),
        (nil, .gzip, nil),
    ])
    func level(compression: CompressionChoice?, target: LayerCompression, expected: Int?) {
        let rules = CopyRules(format: nil, compression: compression, capabilities: Self.anything)
        #expect(rules.level(for: target) == expected)
    }

    @Test(arguments: [
        (ManifestFormat?.none, anything, false, ManifestFormat.oci),
        (nil, anything, true, .v2s2),
        (nil, ociLayout, true, .oci),
        (nil, dockerOnly, false, .v2s2),
        (nil, dockerOnly, true, .v2s2),
        (nil, DestinationCapabilities(preferredManifestFormat: .v2s2), true, .v2s2),
        (nil, DestinationCapabilities(preferredManifestFormat: .v2s2), false, .oci),
        (.some(.v2s2), anything, false, .v2s2),
    ])
    func likelyFamily(format: ManifestFormat?, capabilities: DestinationCapabilities, synthesized: Bool, expected: ManifestFormat) {
        let rules = CopyRules(format: format, compression: nil, capabilities: capabilities)
        #expect(rules.likelyFamily(synthesized: synthesized) == expected)
    }
}
