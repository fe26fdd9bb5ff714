import AsyncHTTPClient
import FerrySpec
import FerryStreams
import NIOHTTP1

extension RegistryClient {
    /// Sends `stream` as ranged `PATCH`es (`Content-Range: start-end`, inclusive, with
    /// `Content-Length`), following each answer's `Location` (formats.md §8.3 items 3–5).
    ///
    /// Each chunk stays in memory until the registry acknowledged it. When its `PATCH` breaks
    /// (connection lost, 429, 5xx) the session's status (`GET <location>`, `Range: 0-N`) says how
    /// much arrived and the upload continues at N+1, up to ``RetryPolicy/maximumAttempts`` tries
    /// per chunk. Memory: one chunk plus one piece of the stream.
    ///
    /// A registry that stored part of a broken chunk may refuse the session afterwards
    /// (distribution 2.8 answers `BLOB_UPLOAD_INVALID` when the stored size no longer matches the
    /// offset signed into `Location`'s `_state`). In the first chunk the blob is still whole in
    /// memory and a fresh session starts; later, the upload fails naming the blob, the offset and
    /// the registry's answer (the bytes before the chunk are gone from memory).
    /// - Parameter chunkSize: bytes per `PATCH` (raised to the session's `OCI-Chunk-Min-Length`).
    /// - Returns: the digest and size the stream computed.
    func uploadChunks(of stream: VerifyingStream, size chunkSize: Int, session: inout BlobUpload) async throws -> (digest: Digest, size: Int64) {
        let size = max(1, chunkSize, session.minimumChunkLength ?? 0)
        let context = "upload of \(stream.expectedDigest.map { "blob \($0)" } ?? "a blob") to \(registry)/\(session.repository)"
        var acknowledged: Int64 = 0
        var carry: [UInt8] = []
        var ended = false
        while true {
            try Task.checkCancellation()
            var chunk = carry
            carry = []
            chunk.reserveCapacity(min(size, 8 << 20))
            while chunk.count < size, !ended {
                if let piece = try await stream.next() { chunk += piece } else { ended = true }
            }
            if chunk.count > size {
                carry = Array(chunk[size...])
                chunk.removeSubrange(size...)
            }
            if chunk.isEmpty { break }
            try await sendChunk(chunk, at: acknowledged, session: &session, context: context)
            acknowledged += Int64(chunk.count)
        }
        guard let result = stream.result else {
            throw RegistryError(.invalidResponse, "\(context): the upload finished before the blob was read to its end", url: session.location)
        }
        return result
    }

    /// Sends one chunk that starts at byte `start` of the blob, resuming it until the registry
    /// holds all of it.
    private func sendChunk(_ chunk: [UInt8], at start: Int64, session: inout BlobUpload, context: String) async throws {
        let end = start + Int64(chunk.count)
        var held = start
        var attempt = 0
        while true {
            attempt += 1
            let range = "\(held)-\(end - 1)"
            let request = RegistryRequest(
                method: .PATCH, url: session.location,
                headers: ["Content-Type": "application/octet-stream", "Content-Range": range],
                body: .bytes(Array(chunk[Int(held - start)...])), scope: Scope.push(session.repository),
                expected: [201, 202, 204], retriesFailures: false)
            let failure: RegistryError
            do {
                let response = try await send(request)
                await Self.discard(response)
                if response.headers.first(name: "Location") != nil {
                    session.location = try Self.location(response, requestURL: request.url, method: .PATCH)
                }
                let reported = response.headers.first(name: "Range")
                if let holds = UploadRange.received(reported, acknowledged: end), holds != end {
                    throw RegistryError(
                        .invalidResponse, "\(context): after PATCH of bytes \(range) the registry reports Range \(reported ?? "") (\(holds) bytes), not \(end)",
                        method: "PATCH", url: request.url)
                }
                return
            } catch let error as RegistryError where Self.isResumable(error) {
                failure = error
            }
            guard attempt < options.retry.maximumAttempts else {
                throw RegistryError(
                    failure.code, "\(context): the PATCH of bytes \(range) failed \(attempt) times; gave up at byte \(held): \(failure.message)",
                    method: failure.method, url: failure.url, status: failure.status, details: failure.details)
            }
            try await Task.sleep(for: options.retry.delay(afterAttempt: attempt))
            held = try await resumePoint(session: &session, chunk: start..<end, context: context, after: failure)
            if held == end { return }
        }
    }

    /// Asks the session how much arrived (`GET <location>`, `Range: 0-N`) after a broken chunk,
    /// and checks that the rest can be sent from the chunk in memory.
    /// - Returns: the bytes the registry holds, within `chunk`'s bounds.
    private func resumePoint(session: inout BlobUpload, chunk: Range<Int64>, context: String, after failure: RegistryError) async throws -> Int64 {
        let url = session.location
        let status: HTTPClientResponse
        do {
            status = try await send(RegistryRequest(method: .GET, url: url, scope: Scope.push(session.repository), expected: [200, 204]))
        } catch let error as RegistryError where chunk.lowerBound == 0 && Self.sessionIsGone(error) {
            // The registry dropped the session — distribution 2.8 does when a broken PATCH left it
            // holding more than the session's signed state says. The blob is still whole in
            // memory: start again in a fresh session.
            session = try await startUpload(session.repository)
            return 0
        } catch let error as RegistryError {
            throw RegistryError(
                error.code,
                "\(context): the PATCH at byte \(chunk.lowerBound) failed (\(failure.message)) and the upload's status could not be read: \(error.message)",
                method: error.method, url: error.url, status: error.status, details: error.details)
        }
        await Self.discard(status)
        if status.headers.first(name: "Location") != nil {
            session.location = try Self.location(status, requestURL: url, method: .GET)
        }
        let value = status.headers.first(name: "Range")
        guard let held = UploadRange.received(value, acknowledged: chunk.lowerBound) else {
            throw RegistryError(
                .invalidResponse,
                "\(context): the PATCH at byte \(chunk.lowerBound) failed (\(failure.message)) and GET \(url) answered no usable Range (\(value ?? "none"))",
                method: "GET", url: url)
        }
        guard chunk.contains(held) || held == chunk.upperBound else {
            throw RegistryError(
                .invalidResponse,
                "\(context): the PATCH at byte \(chunk.lowerBound) failed (\(failure.message)) and the registry now reports holding \(held) bytes; only bytes \(chunk.lowerBound)-\(chunk.upperBound - 1) are still at hand, so the upload cannot resume",
                method: "GET", url: url)
        }
        return held
    }

    /// Whether the registry says the upload session no longer exists or can no longer continue
    /// (`BLOB_UPLOAD_UNKNOWN`, `BLOB_UPLOAD_INVALID`, or a bare 404).
    static func sessionIsGone(_ error: RegistryError) -> Bool {
        error.has("BLOB_UPLOAD_UNKNOWN") || error.has("BLOB_UPLOAD_INVALID") || error.code == .notFound
    }

    /// Whether a chunk's failure is worth asking the session's status: a transient one
    /// (``RegistryError/isTransient``, ``RetryRule``).
    static func isResumable(_ error: RegistryError) -> Bool {
        error.isTransient
    }
}
