import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// What other tools really write, verified: oras artifacts, Ferry's own signed schema 1 in
/// `dir:`, unregistered digest algorithms, umoci's unpadded layer tars.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct RealWorldVerifyTests {
    /// A one-manifest layout (tag `t`) with the given config and layers, written by hand.
    private func layout(
        at path: String, config: (mediaType: String, bytes: [UInt8]), layers: [(mediaType: String, bytes: [UInt8], digest: String?)],
        artifactType: String? = nil
    ) throws {
        try FileManager.default.createDirectory(atPath: path + "/blobs/sha256", withIntermediateDirectories: true)
        func store(_ bytes: [UInt8]) throws -> String {
            let digest = try DigestHasher.digest(bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path + "/blobs/sha256/" + digest.encoded))
            return digest.description
        }
        var manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": MediaType.ociManifest.rawValue,
            "config": ["mediaType": config.mediaType, "digest": try store(config.bytes), "size": config.bytes.count],
            "layers": try layers.map { ["mediaType": $0.mediaType, "digest": try $0.digest ?? store($0.bytes), "size": $0.bytes.count] },
        ]
        if let artifactType { manifest["artifactType"] = artifactType }
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]))
        let index: [String: Any] = [
            "schemaVersion": 2,
            "manifests": [
                [
                    "mediaType": MediaType.ociManifest.rawValue, "digest": try store(bytes), "size": bytes.count,
                    "annotations": [AnnotationKey.refName: "t"],
                ]
            ],
        ]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path + "/index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: path + "/oci-layout"))
    }

    @Test(
        arguments: [
            // oras push: the empty config, a plain file labelled as a tar layer.
            (MediaType.ociEmpty.rawValue, "application/vnd.example.thing", MediaType.ociLayer.rawValue),
            // oras push --config with its own type, no artifactType.
            ("application/vnd.example.config.v1+json", nil, MediaType.ociLayerGzip.rawValue),
        ] as [(String, String?, String)])
    func artifactLayersAreCheckedByDigestAndSizeOnly(configType: String, artifactType: String?, layerType: String) async throws {
        try await withTemporaryDirectory { dir in
            try layout(
                at: dir + "/a", config: (configType, Array("{}".utf8)),
                layers: [(layerType, Array("hello, not a tar\n".utf8), nil)], artifactType: artifactType)
            let report = try await VerifyFixtures.verify(dir + "/a")
            #expect(report.status == .valid, "\(report.problems)")
            #expect(!report.codes.contains { $0.contains("tar-") || $0.contains("layer-") || $0.contains("diff-id") })
        }
    }

    @Test func anImageWithTheSameLayerIsStillReadAsATar() async throws {
        try await withTemporaryDirectory { dir in
            let config = Array(
                #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#
                    .utf8)
            try layout(
                at: dir + "/i", config: (MediaType.ociConfig.rawValue, config),
                layers: [(MediaType.ociLayer.rawValue, Array("hello, not a tar\n".utf8), nil)])
            let report = try await VerifyFixtures.verify(dir + "/i")
            #expect(report.status == .invalid)
            #expect(report.codes.contains("error tar-invalid"))
        }
    }

    @Test(arguments: [
        ("sha1:" + String(repeating: "ab", count: 20), "error digest-algorithm-unregistered"),
        ("md5:" + String(repeating: "cd", count: 16), "error digest-algorithm-unregistered"),
        ("blake3:" + String(repeating: "ef", count: 32), "warning digest-unverifiable"),
    ])
    func uncomputableDigestsAreErrorsUnlessRegistered(digest: String, expected: String) async throws {
        try await withTemporaryDirectory { dir in
            try layout(
                at: dir + "/d", config: (MediaType.ociEmpty.rawValue, Array("{}".utf8)),
                layers: [(MediaType.ociLayer.rawValue, Array("x".utf8), digest)], artifactType: "application/vnd.example")
            let report = try await VerifyFixtures.verify(dir + "/d", ref: "t")
            #expect(report.codes == [expected])
        }
    }

    @Test func aLayerTarEndingRightAfterTheLastMembersDataIsAWarning() async throws {
        try await withTemporaryDirectory { dir in
            // One member of 5 bytes: header, data, then nothing (umoci 0.4.7 `insert` writes this).
            let padded = try await VerifyFixtures.pythonTar(["hello.txt"])
            let tar = Array(padded.prefix(512 + 5))
            #expect(Array(tar.suffix(5)) == Array("hello".utf8))
            try VerifyFixtures.layout(at: dir + "/u", layers: [(tar, tar, MediaType.ociLayer.rawValue)])
            let report = try await VerifyFixtures.verify(dir + "/u")
            #expect(report.status == .valid, "\(report.problems)")
            #expect(report.codes == ["warning tar-end-marker-missing"])
            #expect(report.problems.first?.message.contains("right after the last member's data") == true)
        }
    }

    @Test func signedSchema1InDirVerifiesLikeFerryDigest() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 1303)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir + "/src")
            var options = CopyOptions()
            options.schema1Output = .signed
            _ = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try DirectoryDestination(path: dir + "/s1", durable: false), options: options
            ).run()
            let reference = try TransportReference(parsing: "dir:\(dir)/s1")
            let report = await Verifier(reference: reference).run()
            #expect(report.status == .valid, "\(report.problems)")
            #expect(!report.codes.contains { $0.hasPrefix("error") })
            let digest = try await DirectorySource(path: dir + "/s1").entries().first?.descriptor.digest
            #expect(report.images.first?.digest == digest?.description)
        }
    }
}
