import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// A source that counts how often each blob is opened.
private final class CountingSource: ImageSource {
    let base: any ImageSource
    let opened = Locked<[Digest: Int]>([:])

    init(_ base: any ImageSource) { self.base = base }

    var name: String { base.name }
    func entries() async throws -> [SourceEntry] { try await base.entries() }
    func document(_ descriptor: Descriptor) async throws -> [UInt8] { try await base.document(descriptor) }
    func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream {
        opened.withLock { $0[descriptor.digest, default: 0] += 1 }
        return try await base.blob(descriptor)
    }
}

/// Schema 1 → OCI conversion reads each layer once: the DiffID is computed on a tee of the bytes
/// being written.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct Schema1OnePassTests {
    /// A generated image written as unsigned schema 1 into `dir/v2s1`.
    private func makeSchema1(_ dir: String, layerSize: Int = 20_000) async throws -> TestImageBuilder.ImageSummary {
        var builder = TestImageBuilder(seed: 11)
        builder.addImage(tag: "t", layerCount: 3, layerSize: layerSize)
        let summary = try #require(try await builder.write(to: dir + "/src")["t"]?.images.first)
        var options = CopyOptions()
        options.schema1Output = .unsigned
        _ = try await CopyOperation(
            source: try OCILayoutSource(path: dir + "/src"), destination: try DirectoryDestination(path: dir + "/v2s1", durable: false), options: options
        ).run()
        return summary
    }

    @Test func eachLayerIsReadOnceAndCountedAsCopied() async throws {
        try await withTemporaryDirectory { dir in
            // Layers of several MiB, so the tee's bounded queue fills and waits.
            let summary = try await makeSchema1(dir, layerSize: 6 << 20)
            let source = CountingSource(try DirectorySource(path: dir + "/v2s1"))
            let events = Locked<[CopyEvent]>([])
            var options = CopyOptions()
            options.progress = { event in events.withLock { $0.append(event) } }
            let report = try await CopyOperation(source: source, destination: try OCILayoutDestination(path: dir + "/oci", durable: false), options: options)
                .run()
            for layer in summary.layerDigests {
                #expect(source.opened.withLock { $0[layer] } == 1, "layer \(layer) opened more than once")
            }
            #expect(report.blobsCopied == summary.layerDigests.count + 1)
            #expect(report.blobsSkipped == 0)
            let image = try #require(try await Inspector(source: try OCILayoutSource(path: dir + "/oci")).inspect(.only).images.first)
            #expect(image.layers.map(\.digest) == summary.layerDigests)
            #expect(report.bytesCopied >= image.layers.reduce(0) { $0 + $1.size })
            let finished = events.withLock { $0.filter { if case .blobFinished(_, false) = $0 { true } else { false } }.count }
            #expect(finished == summary.layerDigests.count + 1)
        }
    }

    @Test func corruptGzipWithAMatchingDigestFailsBeforeAnythingIsNamed() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await makeSchema1(dir)
            let old = try #require(summary.layerDigests.first)
            // Valid gzip magic, corrupt body, and a blobSum that matches it: only inflating finds it.
            let corrupt: [UInt8] = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3, 4, 5, 6, 7, 8]
            let new = try DigestHasher.digest(corrupt)
            try AtomicFileWriter.write(corrupt, to: dir + "/v2s1/" + new.encoded, durable: false)
            let manifest = String(decoding: try FileSystem.readFile(dir + "/v2s1/manifest.json", limit: 1 << 20), as: UTF8.self)
            try AtomicFileWriter.write(
                Array(manifest.replacingOccurrences(of: old.description, with: new.description).utf8), to: dir + "/v2s1/manifest.json", durable: false)
            await #expect {
                _ = try await CopyOperation(
                    source: try DirectorySource(path: dir + "/v2s1"), destination: try OCILayoutDestination(path: dir + "/oci", durable: false)
                ).run()
            } throws: { error in
                "\(error)".contains(new.description)
            }
            #expect(!FileSystem.exists(dir + "/oci/index.json"))
            #expect(!FileSystem.exists(dir + "/oci/blobs/sha256/" + new.encoded))
        }
    }
}
