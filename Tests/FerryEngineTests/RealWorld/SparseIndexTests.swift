import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Sparse indexes, as `ctr images export --platform` writes them: the whole multi-platform index,
/// the blobs of some platforms only. A note in verify, inspect and copy; a refusal, before
/// anything is written, where the destination cannot hold such an index.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct SparseIndexTests {
    static let amd64 = Platform(os: "linux", architecture: "amd64")
    static let arm64 = Platform(os: "linux", architecture: "arm64")
    static let s390x = Platform(os: "linux", architecture: "s390x")

    /// A layout whose index `multi` names three platforms; the manifests of `absent` are removed.
    private func sparseLayout(_ path: String, absent: [Platform]) async throws -> TestImageBuilder.TagSummary {
        var builder = TestImageBuilder(seed: 1301)
        let platforms = [Self.amd64, Self.arm64, Self.s390x]
        builder.addIndex(tag: "multi", platforms: platforms, layerCount: 1)
        let summary = try #require(try await builder.write(to: path)["multi"])
        let surgery = LayoutSurgery(path)
        for (platform, image) in zip(platforms, summary.images) where absent.contains(platform) {
            try surgery.remove(image.manifestDigest)
            try surgery.remove(image.configDigest)
            for layer in image.layerDigests { try surgery.remove(layer) }
        }
        return summary
    }

    @Test func verifyNotesTheAbsentPlatformAndStaysValidEvenUnderStrict() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await sparseLayout(dir + "/src", absent: [Self.arm64])
            let report = try await VerifyFixtures.verify(dir + "/src")
            #expect(report.status == .valid)
            #expect(report.codes == ["note index-child-absent"])
            #expect(report.problems.first?.message.contains("linux/arm64") == true)
            let strict = try await VerifyFixtures.verify(dir + "/src", strict: true)
            #expect(strict.status == .valid)
            #expect(strict.codes == ["warning index-child-absent"])
        }
    }

    @Test func inspectShowsWhatIsNotHeld() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await sparseLayout(dir + "/src", absent: [Self.arm64, Self.s390x])
            let inspection = try await Inspector(source: try OCILayoutSource(path: dir + "/src")).inspect(.name("multi"))
            #expect(inspection.images.count == 1)
            #expect(inspection.absent?.count == 2)
            #expect(inspection.absent?.first?.hasPrefix("linux/arm64") == true)
        }
    }

    @Test func copyToALayoutKeepsTheIndexAndSaysWhatWasAbsent() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await sparseLayout(dir + "/src", absent: [Self.arm64])
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                selector: .name("multi")
            ).run()
            #expect(report.entries.map(\.descriptor.digest) == [summary.digest])
            #expect(report.notes.count == 1)
            #expect(report.notes.first?.contains("linux/arm64") == true)
            let copied = try await VerifyFixtures.verify(dir + "/dst")
            #expect(copied.status == .valid)
            #expect(copied.codes == ["note index-child-absent"])
        }
    }

    @Test func copyToADestinationThatCannotHoldItStopsBeforeWriting() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await sparseLayout(dir + "/src", absent: [Self.arm64])
            let destination = CountingDestination(capabilities: DestinationCapabilities(holdsSparseIndexes: false))
            do {
                _ = try await CopyOperation(source: try OCILayoutSource(path: dir + "/src"), destination: destination, selector: .name("multi")).run()
                Issue.record("a sparse index was copied to a destination that cannot hold it")
            } catch let error as EngineError {
                #expect(error.message.contains("linux/arm64"))
                #expect(error.message.contains("--platform linux/amd64 --platform linux/s390x"))
            }
            #expect(destination.calls.withLock { $0 } == 0)
        }
    }

    @Test func explicitPlatformThatIsAbsentIsRefusedNamingWhatIsHeld() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await sparseLayout(dir + "/src", absent: [Self.arm64])
            var options = CopyOptions()
            options.platforms = [Self.arm64]
            do {
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"),
                    destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                    selector: .name("multi"), options: options
                ).run()
                Issue.record("an absent platform was copied")
            } catch let error as EngineError {
                #expect(error.message.contains("holds linux/amd64, linux/s390x"))
                #expect(error.message.contains("which it does not hold"))
            }
            options.platforms = [Self.s390x]
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                selector: .name("multi"), options: options
            ).run()
            #expect(report.entries.first?.descriptor.mediaType == .ociManifest)
        }
    }

    @Test(.enabled(if: Platform.host.architecture == "amd64", "the test removes this machine's platform, written for amd64 hosts"))
    func singlePlatformDestinationTakesTheOnePlatformHeld() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await sparseLayout(dir + "/src", absent: [Self.amd64, Self.arm64])
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try DockerArchiveDestination(path: dir + "/out.tar", durable: false),
                selector: .name("multi")
            ).run()
            #expect(report.entries.count == 1)
            #expect(report.notes.contains { $0.contains("this machine's platform linux/amd64 is not held") && $0.contains("linux/s390x") })
            #expect(report.digestMap[summary.images[2].manifestDigest] != nil)
        }
    }
}

/// A destination that counts every call that would write, and accepts nothing.
final class CountingDestination: ImageDestination {
    let capabilities: DestinationCapabilities
    let calls = Locked(0)
    var name: String { "counting:" }

    init(capabilities: DestinationCapabilities) { self.capabilities = capabilities }

    func hasBlob(_ descriptor: Descriptor) async throws -> Bool { false }
    func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        calls.withLock { $0 += 1 }
        throw TransportError(.unsupported, "not written")
    }
    func putDocument(_ document: RawDocument) async throws { calls.withLock { $0 += 1 } }
    func addEntry(_ descriptor: Descriptor, names: [String]) async throws { calls.withLock { $0 += 1 } }
    func commit() async throws { calls.withLock { $0 += 1 } }
}
