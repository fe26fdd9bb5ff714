import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// Chunked blob uploads (ranged `PATCH`es) against the real registry, directly and through
/// Tests/Support/fault-proxy.py, which drops or fails `PATCH` requests on purpose.
@Suite(.needs(.registry), .enabled(if: ExternalTool.find("python3") != nil, "python3 missing"))
struct ChunkedUploadTests {
    let upstream = SharedFixtures.testRegistry ?? ""

    /// Plain options with `chunkSize`, and short back-off so retries do not slow the suite.
    private func chunked(_ chunkSize: Int, attempts: Int = 4) -> RegistryOptions {
        var options = RegistryOptions(
            useCredentialFiles: false, retry: RetryPolicy(maximumAttempts: attempts, initialDelay: .milliseconds(20), maximumDelay: .seconds(1)))
        options.uploadChunkSize = chunkSize
        return options
    }

    /// Deterministic bytes that are not periodic at chunk boundaries.
    private func blob(_ count: Int, seed: UInt32) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }

    /// Uploads `bytes` verified against their digest, then reads the blob back from the
    /// registry itself and checks it is the same bytes.
    private func uploadAndReadBack(_ bytes: [UInt8], via host: String, options: RegistryOptions) async throws -> Digest {
        let repository = SharedFixtures.uniqueRepository("chunked")
        let digest = try DigestHasher.digest(bytes)
        let descriptor = Descriptor(mediaType: .ociLayer, digest: digest, size: Int64(bytes.count))
        try await withRegistryClient(host, options: options) { client in
            let stream = try VerifyingStream(MemoryByteStream(bytes, chunkSize: 10_000), expected: descriptor, context: "test blob")
            let (pushed, size) = try await client.pushBlob(repository, from: stream)
            #expect(pushed == digest)
            #expect(size == Int64(bytes.count))
        }
        try await withRegistryClient(upstream, options: plainOptions) { client in
            #expect(try await client.blobSize(repository, digest) == Int64(bytes.count))
            let back = try await client.blob(repository, digest).readAll(limit: 8 << 20, context: "read back")
            #expect(back == bytes)
        }
        return digest
    }

    /// PATCH lines of the proxy log, as their `range=` values.
    private func patchRanges(_ log: [String]) -> [String] {
        log.filter { $0.hasPrefix("PATCH ") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("range=") }.map { String($0.dropFirst(6)) }
        }
    }

    // Sizes around the chunk boundaries: empty (no PATCH at all), one byte, one short, exactly
    // one chunk, one over, several; and chunks of one byte (each answered `Range: 0-…`, where
    // `0-0` means one byte held).
    @Test(arguments: [(0, 1000), (1, 1000), (999, 1000), (1000, 1000), (1001, 1000), (3500, 1000), (5, 1)])
    func chunkedUploadLandsIntact(size: Int, chunkSize: Int) async throws {
        let bytes = blob(size, seed: UInt32(size + chunkSize))
        let expected = try DigestHasher.digest(bytes)
        let digest = try await uploadAndReadBack(bytes, via: upstream, options: chunked(chunkSize))
        #expect(digest == expected)
    }

    @Test func chunksAreSentAsContentRangesInOrder() async throws {
        let bytes = blob(300_000, seed: 11)
        try await withFaultProxy(upstream: upstream, faults: []) { proxy in
            _ = try await uploadAndReadBack(bytes, via: proxy.host, options: chunked(65536))
            #expect(patchRanges(proxy.log()) == ["0-65535", "65536-131071", "131072-196607", "196608-262143", "262144-299999"])
        }
    }

    @Test func droppedChunkIsResumedFromTheRegistrysOffset() async throws {
        let bytes = blob(300_000, seed: 12)
        // The third PATCH loses its connection half-way through its body.
        try await withFaultProxy(upstream: upstream, faults: ["--drop-patch-at", "0.5", "--drop-patch-number", "3"]) { proxy in
            _ = try await uploadAndReadBack(bytes, via: proxy.host, options: chunked(65536))
            let log = proxy.log()
            #expect(patchRanges(log) == ["0-65535", "65536-131071", "131072-196607", "131072-196607", "196608-262143", "262144-299999"], "\(log)")
            let dropped = try #require(log.firstIndex { $0.hasPrefix("PATCH ") && $0.hasSuffix("dropped") })
            // Then the session's status, answered with what the registry holds: 2 chunks.
            let status = try #require(log.dropFirst(dropped + 1).first, "\(log)")
            #expect(status.hasPrefix("GET ") && status.contains("/blobs/uploads/") && status.contains("status=204"), "\(status)")
        }
    }

    // A broken chunk the registry stored part of: distribution 2.8 then refuses the session
    // (its stored size no longer matches the offset signed into the Location's _state): 404
    // BLOB_UPLOAD_UNKNOWN while it is in its first chunk, 400 BLOB_UPLOAD_INVALID later.
    @Test func partlyStoredFirstChunkStartsAgainInAFreshSession() async throws {
        let bytes = blob(150_000, seed: 15)
        try await withFaultProxy(upstream: upstream, faults: ["--drop-patch-at", "0.5", "--drop-patch-forward"]) { proxy in
            _ = try await uploadAndReadBack(bytes, via: proxy.host, options: chunked(65536))
            let log = proxy.log()
            #expect(
                log.contains { $0.hasPrefix("GET ") && $0.contains("/blobs/uploads/") && ($0.contains("status=404") || $0.contains("status=400")) }, "\(log)")
            #expect(log.filter { $0.hasPrefix("POST ") }.count == 2, "a second session: \(log)")
        }
    }

    @Test func partlyStoredLaterChunkFailsNamingTheRegistrysAnswer() async throws {
        let bytes = blob(300_000, seed: 16)
        let digest = try DigestHasher.digest(bytes)
        let repository = SharedFixtures.uniqueRepository("chunked-invalid")
        try await withFaultProxy(upstream: upstream, faults: ["--drop-patch-at", "0.5", "--drop-patch-number", "3", "--drop-patch-forward"]) { proxy in
            let error = await #expect(throws: RegistryError.self) {
                try await withRegistryClient(proxy.host, options: chunked(65536)) { client in
                    let stream = try VerifyingStream(MemoryByteStream(bytes), expectedDigest: digest, context: "test blob")
                    _ = try await client.pushBlob(repository, from: stream)
                }
            }
            let message = error?.message ?? ""
            #expect(message.contains(digest.description), "\(message)")
            #expect(message.contains("PATCH at byte 131072"), "\(message)")
            #expect(message.contains("BLOB_UPLOAD_INVALID"), "\(message)")
            #expect(error?.has("BLOB_UPLOAD_INVALID") == true)
        }
    }

    @Test func chunkAnsweredWithServerErrorIsResumed() async throws {
        let bytes = blob(150_000, seed: 13)
        try await withFaultProxy(upstream: upstream, faults: ["--fail", "1", "--fail-status", "503", "--fail-method", "PATCH"]) { proxy in
            _ = try await uploadAndReadBack(bytes, via: proxy.host, options: chunked(65536))
            let log = proxy.log()
            #expect(log.filter { $0.hasPrefix("PATCH ") && $0.contains("status=503") }.count == 1, "\(log)")
            #expect(patchRanges(log) == ["0-65535", "0-65535", "65536-131071", "131072-149999"], "\(log)")
            #expect(log.contains { $0.hasPrefix("GET ") && $0.contains("/blobs/uploads/") }, "\(log)")
        }
    }

    @Test func uploadThatCannotResumeNamesBlobOffsetAndAnswer() async throws {
        let bytes = blob(100_000, seed: 14)
        let digest = try DigestHasher.digest(bytes)
        let repository = SharedFixtures.uniqueRepository("chunked-fail")
        // Every PATCH is refused with 503: three tries (each after a status GET), then a final error.
        try await withFaultProxy(upstream: upstream, faults: ["--fail", "100", "--fail-status", "503", "--fail-method", "PATCH"]) { proxy in
            let error = await #expect(throws: RegistryError.self) {
                try await withRegistryClient(proxy.host, options: chunked(65536, attempts: 3)) { client in
                    let descriptor = Descriptor(mediaType: .ociLayer, digest: digest, size: Int64(bytes.count))
                    let stream = try VerifyingStream(MemoryByteStream(bytes), expected: descriptor, context: "test blob")
                    _ = try await client.pushBlob(repository, from: stream)
                }
            }
            let message = error?.message ?? ""
            #expect(message.contains(digest.description), "\(message)")
            #expect(message.contains("gave up at byte 0"), "\(message)")
            #expect(message.contains("503"), "\(message)")
            #expect(error?.status == 503)
            let log = proxy.log()
            #expect(log.filter { $0.hasPrefix("PATCH ") }.count == 3, "\(log)")
            // The abandoned session is cancelled.
            #expect(log.last?.hasPrefix("DELETE ") == true, "\(log)")
        }
        let size = try await withRegistryClient(upstream, options: plainOptions) { client in
            try await client.blobSize(repository, digest)
        }
        #expect(size == nil, "nothing landed")
    }
}
