import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// An uncompressed layer labelled `tar+gzip`, as podman and skopeo sometimes write: a copy sniffs
/// it and never carries the wrong label (nothing Ferry writes fails `ferry verify`).
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct MislabelledLayerTests {
    private func mislabelled(_ path: String) async throws -> [UInt8] {
        let tar = try await VerifyFixtures.pythonTar(["a.txt", "b.txt"])
        try VerifyFixtures.layout(at: path, layers: [(tar, tar, MediaType.ociLayerGzip.rawValue)])
        let before = try await VerifyFixtures.verify(path)
        #expect(before.codes.contains("error layer-compression-mismatch"))
        return tar
    }

    @Test(
        arguments: [
            // (--compress, media type written, layer bytes kept)
            (nil, MediaType.ociLayer, true),
            (CompressionChoice.keep, MediaType.ociLayer, true),
            (CompressionChoice.to(.gzip, level: nil), MediaType.ociLayerGzip, false),
            (CompressionChoice.to(.zstd, level: nil), MediaType.ociLayerZstd, false),
            (CompressionChoice.to(.none, level: nil), MediaType.ociLayer, true),
        ] as [(CompressionChoice?, MediaType, Bool)])
    func copyCorrectsTheLabelOrTheContent(compression: CompressionChoice?, written: MediaType, kept: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let tar = try await mislabelled(dir + "/src")
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                options: CopyOptions(compression: compression)
            ).run()
            let inspection = try await Inspector(source: try OCILayoutSource(path: dir + "/dst")).inspect(.only)
            let layer = try #require(inspection.images.first?.layers.first)
            #expect(layer.mediaType == written)
            #expect((layer.digest == (try DigestHasher.digest(tar))) == kept)
            #expect(report.entries.first?.descriptor.digest != report.entries.first?.sourceDigest)
            let after = try await VerifyFixtures.verify(dir + "/dst")
            #expect(after.status == .valid, "\(after.problems)")
            #expect(!after.codes.contains { $0.hasPrefix("error") })
        }
    }

    @Test func withoutOptionsTheCorrectionIsReported() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await mislabelled(dir + "/src")
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst", durable: false)
            ).run()
            #expect(report.notes.contains { $0.contains("labelled \(MediaType.ociLayerGzip)") && $0.contains("corrected to \(MediaType.ociLayer)") })
        }
    }

    @Test func preserveDigestsRefusesTheCorrection() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await mislabelled(dir + "/src")
            do {
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"),
                    destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                    options: CopyOptions(preserveDigests: true)
                ).run()
                Issue.record("a mislabelled layer was copied under --preserve-digests")
            } catch let error as EngineError {
                #expect(error.message.contains("--preserve-digests") && error.message.contains("uncompressed"))
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/dst/index.json"))
        }
    }

    @Test func intoADockerArchiveTheLayerIsStoredPlain() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await mislabelled(dir + "/src")
            _ = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try DockerArchiveDestination(path: dir + "/out.tar", durable: false),
                options: CopyOptions(destinationNames: ["example/mislabelled:1"])
            ).run()
            let report = await Verifier(reference: try TransportReference(parsing: "docker-archive:\(dir)/out.tar")).run()
            #expect(report.status == .valid, "\(report.problems)")
        }
    }
}
