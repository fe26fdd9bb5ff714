import FerrySigning
import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Copies into and out of Docker schema 1 through `dir:`, with generated images.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct Schema1CopyTests {
    private func copy(_ from: any ImageSource, to: any ImageDestination, _ options: CopyOptions = CopyOptions()) async throws -> CopyReport {
        try await CopyOperation(source: from, destination: to, options: options).run()
    }

    private func schema1Options(_ output: Schema1Output) -> CopyOptions {
        var options = CopyOptions()
        options.schema1Output = output
        return options
    }

    /// A generated OCI image written as signed (or unsigned) schema 1 into `dir`.
    private func makeSchema1(_ dir: String, _ output: Schema1Output = .signed) async throws -> TestImageBuilder.ImageSummary {
        var builder = TestImageBuilder(seed: 7)
        builder.addImage(tag: "t", layerCount: 2, layerSize: 20_000)
        let summary = try #require(try await builder.write(to: dir + "/src")["t"]?.images.first)
        _ = try await copy(try OCILayoutSource(path: dir + "/src"), to: try DirectoryDestination(path: dir + "/v2s1", durable: false), schema1Options(output))
        return summary
    }

    private func config(ofLayout path: String) async throws -> ImageConfig {
        let inspection = try await Inspector(source: try OCILayoutSource(path: path)).inspect(.only)
        let image = try #require(inspection.images.first)
        let bytes = try FileSystem.readFile(path + "/blobs/sha256/" + image.configDigest.encoded, limit: 1 << 20)
        return try JSONDocument.decode(ImageConfig.self, from: bytes, context: "config")
    }

    @Test func schema2ToSignedSchema1AndBackKeepsDiffIDs() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await makeSchema1(dir)
            let manifest = try FileSystem.readFile(dir + "/v2s1/manifest.json", limit: 1 << 20)
            let envelope = try Schema1Envelope(parsing: manifest, context: "v2s1")
            guard case .verified = Schema1Signing.verify(envelope) else {
                Issue.record("Ferry's own signature does not verify: \(Schema1Signing.verify(envelope))")
                return
            }
            let source = try DirectorySource(path: dir + "/v2s1")
            #expect(try await source.entries().first?.descriptor.mediaType == .dockerSchema1Signed)
            let report = try await copy(source, to: try OCILayoutDestination(path: dir + "/back", durable: false))
            #expect(report.schema1Signatures.values.allSatisfy { if case .verified = $0 { true } else { false } })
            let back = try await config(ofLayout: dir + "/back")
            #expect(back.rootfs.diffIDs == summary.diffIDs)
            let layers = try await Inspector(source: try OCILayoutSource(path: dir + "/back")).inspect(.only).images.first?.layers.map(\.digest)
            #expect(layers == summary.layerDigests)
        }
    }

    @Test func unsignedSchema1HasNoSignaturesAndItsDigestIsTheFile() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await makeSchema1(dir, .unsigned)
            let bytes = try FileSystem.readFile(dir + "/v2s1/manifest.json", limit: 1 << 20)
            #expect(RawDocument.detectMediaType(of: bytes) == .dockerSchema1)
            let entry = try #require(try await DirectorySource(path: dir + "/v2s1").entries().first)
            #expect(entry.descriptor.digest == (try DigestHasher.digest(bytes)))
        }
    }

    @Test func schema1IsCopiedVerbatimBetweenDirectories() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await makeSchema1(dir)
            _ = try await copy(try DirectorySource(path: dir + "/v2s1"), to: try DirectoryDestination(path: dir + "/again", durable: false))
            #expect(
                try FileSystem.readFile(dir + "/again/manifest.json", limit: 1 << 20) == (try FileSystem.readFile(dir + "/v2s1/manifest.json", limit: 1 << 20)))
        }
    }

    @Test func requireSignatureRefusesUnsignedAndBadSignatures() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await makeSchema1(dir, .unsigned)
            var options = CopyOptions()
            options.requireSignature = true
            await #expect {
                _ = try await copy(try DirectorySource(path: dir + "/v2s1"), to: try OCILayoutDestination(path: dir + "/o", durable: false), options)
            } throws: { error in
                (error as? EngineError)?.code == .badSignature && "\(error)".contains("unsigned")
            }
            // A signature that does not match: one character of it changed (the payload stays intact).
            _ = try await copy(
                try OCILayoutSource(path: dir + "/src"), to: try DirectoryDestination(path: dir + "/signed", durable: false), schema1Options(.signed))
            var signed = String(decoding: try FileSystem.readFile(dir + "/signed/manifest.json", limit: 1 << 20), as: UTF8.self)
            let marker = try #require(signed.range(of: "\"signature\":\""))
            let at = signed.index(marker.upperBound, offsetBy: 4)
            signed.replaceSubrange(at...at, with: signed[at] == "A" ? "B" : "A")
            try AtomicFileWriter.write(Array(signed.utf8), to: dir + "/signed/manifest.json", durable: false)
            await #expect {
                _ = try await copy(try DirectorySource(path: dir + "/signed"), to: try OCILayoutDestination(path: dir + "/o2", durable: false), options)
            } throws: { error in
                (error as? EngineError)?.code == .badSignature
            }
            // Without the option the copy goes on and reports the bad signature.
            let report = try await copy(try DirectorySource(path: dir + "/signed"), to: try OCILayoutDestination(path: dir + "/o3", durable: false))
            #expect(report.schema1Signatures.values.contains { if case .invalid = $0 { true } else { false } })
        }
    }

    @Test func layerThatIsNotGzipIsNamed() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await makeSchema1(dir, .unsigned)
            let layer = try #require(summary.layerDigests.first)
            // Valid gzip magic, corrupt body, same name: the digest check fails first, naming the layer.
            try AtomicFileWriter.write([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3], to: dir + "/v2s1/" + layer.encoded, durable: false)
            await #expect {
                _ = try await copy(try DirectorySource(path: dir + "/v2s1"), to: try OCILayoutDestination(path: dir + "/o", durable: false))
            } throws: { error in
                "\(error)".contains(layer.description) && "\(error)".contains("dir:")
            }
        }
    }

    @Test(.enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"))
    func skopeoInspectsFerrysSchema1() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await makeSchema1(dir)
            let result = try await ExternalTool.run("skopeo", ["inspect", "dir:" + dir + "/v2s1"])
            #expect(result.succeeded, "\(result.stderr)")
            let digest = try #require(try await DirectorySource(path: dir + "/v2s1").entries().first?.descriptor.digest)
            #expect(result.stdout.contains(digest.description))
        }
    }
}
