import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Pulls from the plain test registry through Tests/Support/fault-proxy.py, which breaks
/// connections, answers errors and corrupts blobs on purpose.
@Suite(.needs(.registry), .enabled(if: ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil, "gzip or python3 missing"))
struct FaultProxyTests {
    let upstream = SharedFixtures.testRegistry ?? ""

    /// Short back-off so retries do not slow the suite.
    private let fastRetries = RegistryOptions(
        useCredentialFiles: false, retry: RetryPolicy(maximumAttempts: 4, initialDelay: .milliseconds(20), maximumDelay: .seconds(2)))

    /// Pushes image `v1` (two layers of `layerSize`) straight to the registry.
    private func seed(_ dir: String, seed: UInt64, layerSize: Int = 8192) async throws -> (String, TestImageBuilder.ImageSummary, Digest) {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: layerSize)
        let summary = try await builder.write(to: dir + "/src")
        let repository = SharedFixtures.uniqueRepository("fault")
        try await push(layout: dir + "/src", name: "v1", to: upstream, repository: repository, tag: "v1")
        let tag = try #require(summary["v1"])
        return (repository, try #require(tag.images.first), tag.digest)
    }

    @Test func brokenBlobBodyIsResumedWithRange() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, image, digest) = try await seed(dir, seed: 701, layerSize: 300_000)
            try await withFaultProxy(upstream: upstream, faults: ["--drop-at", "0.8"]) { proxy in
                let pulled = try await pull(proxy.host, repository: repository, tag: "v1", into: dir + "/back", options: fastRetries)
                #expect(pulled.entries.first?.descriptor.digest == digest)
                let log = proxy.log()
                for (layer, size) in zip(image.layerDigests, image.layerSizes) {
                    let lines = log.filter { $0.hasPrefix("GET ") && $0.contains("/blobs/\(layer) ") }
                    // One whole GET cut at 80 %, then one ranged GET answered 206 with the rest from
                    // the byte Ferry had read: resumed, not restarted. It starts at or before the
                    // cut (what the HTTP client had buffered but not handed on when the connection
                    // closed is lost with it), never at 0.
                    #expect(lines.count == 2, "\(lines)")
                    let cut = Self.bytesServed(Array(lines.prefix(1)))
                    #expect(lines.first?.hasSuffix("dropped") == true && abs(cut - size * 8 / 10) <= 1, "\(lines)")
                    let resumedAt = try #require(Self.rangeStart(lines.last ?? ""), "\(lines)")
                    #expect(resumedAt > 0 && resumedAt <= cut, "\(lines)")
                    #expect(lines.last?.contains("range=bytes=\(resumedAt)- status=206 bytes=\(size - resumedAt)") == true, "\(lines)")
                }
            }
            #expect(FileManager.default.fileExists(atPath: dir + "/back/index.json"))
        }
    }

    @Test func serverIgnoringRangeIsReadAgainFromTheStart() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, image, digest) = try await seed(dir, seed: 702, layerSize: 100_000)
            try await withFaultProxy(upstream: upstream, faults: ["--drop-at", "0.8", "--ignore-range"]) { proxy in
                let pulled = try await pull(proxy.host, repository: repository, tag: "v1", into: dir + "/back", options: fastRetries)
                #expect(pulled.entries.first?.descriptor.digest == digest)
                let layer = try #require(image.layerDigests.first)
                let lines = proxy.log().filter { $0.hasPrefix("GET ") && $0.contains("/blobs/\(layer) ") }
                #expect(lines.count == 2 && lines.last?.contains("status=200") == true, "\(lines)")
            }
        }
    }

    @Test func resumedAnswerStartingElsewhereIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, image, _) = try await seed(dir, seed: 706, layerSize: 100_000)
            try await withFaultProxy(upstream: upstream, faults: ["--drop-at", "0.8", "--bad-content-range"]) { proxy in
                let error = await #expect(throws: RegistryError.self) {
                    try await pull(proxy.host, repository: repository, tag: "v1", into: dir + "/back", options: fastRetries)
                }
                #expect(error?.code == .invalidResponse)
                #expect(
                    error?.message.contains("asked for bytes") == true && error?.message.contains("which starts at byte 0") == true,
                    "\(String(describing: error))")
                // Refused once, not retried: no blob GET after the rewritten answer.
                let rewritten = proxy.log().filter { $0.hasSuffix("rewritten") }
                #expect(rewritten.count >= 1 && rewritten.count <= image.layerDigests.count + 1, "\(proxy.log())")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/back/index.json"))
        }
    }

    /// N in a log line's `range=bytes=N-`.
    static func rangeStart(_ line: String) -> Int? {
        line.split(separator: " ").first { $0.hasPrefix("range=bytes=") }.flatMap { Int($0.dropFirst(12).prefix { $0.isNumber }) }
    }

    /// The response bytes the proxy sent for these GET lines.
    static func bytesServed(_ lines: [String]) -> Int {
        lines.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("bytes=") }.flatMap { Int($0.dropFirst(6)) }
        }.reduce(0, +)
    }

    @Test func serverErrorsAreRetried() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, _, digest) = try await seed(dir, seed: 703)
            try await withFaultProxy(upstream: upstream, faults: ["--fail", "2", "--fail-status", "500"]) { proxy in
                let pulled = try await pull(proxy.host, repository: repository, tag: "v1", into: dir + "/back", options: fastRetries)
                #expect(pulled.entries.first?.descriptor.digest == digest)
                #expect(proxy.log().filter { $0.contains("status=500") }.count == 2)
            }
        }
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, _, digest) = try await seed(dir, seed: 704)
            try await withFaultProxy(upstream: upstream, faults: ["--fail", "1", "--fail-status", "429", "--retry-after", "1"]) { proxy in
                let started = ContinuousClock.now
                let pulled = try await pull(proxy.host, repository: repository, tag: "v1", into: dir + "/back", options: fastRetries)
                #expect(pulled.entries.first?.descriptor.digest == digest)
                #expect(ContinuousClock.now - started >= .seconds(1))
                #expect(proxy.log().filter { $0.contains("status=429") }.count == 1)
            }
        }
    }

    @Test func corruptedBlobFailsVerificationAndLeavesNothingUnverified() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, image, _) = try await seed(dir, seed: 705, layerSize: 50_000)
            let layer = try #require(image.layerDigests.last)
            try await withFaultProxy(upstream: upstream, faults: ["--corrupt", layer.description]) { proxy in
                let error = await #expect(throws: StreamError.self) {
                    try await pull(proxy.host, repository: repository, tag: "v1", into: dir + "/back", options: fastRetries)
                }
                #expect(error?.code == .digestMismatch)
                #expect(error?.message.contains(layer.description) == true, "\(String(describing: error))")
            }
            let back = dir + "/back"
            #expect(!FileManager.default.fileExists(atPath: back + "/index.json"))
            let blobs = back + "/blobs/sha256/" + layer.encoded
            #expect(!FileManager.default.fileExists(atPath: blobs))
            // Nothing else under blobs/ may be a partial or unverified file either.
            let stored = (try? FileManager.default.subpathsOfDirectory(atPath: back + "/blobs")) ?? []
            for path in stored where !path.hasSuffix("sha256") {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: back + "/blobs/" + path)))
                #expect(try DigestHasher.digest(bytes).encoded == (path as NSString).lastPathComponent, "\(path)")
            }
        }
    }
}
