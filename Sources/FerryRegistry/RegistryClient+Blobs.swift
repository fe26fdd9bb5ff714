import AsyncHTTPClient
import FerrySpec
import FerryStreams
import NIOHTTP1

extension RegistryClient {
    /// The size of a blob the repository holds (`HEAD`), or `nil` when it has none (404).
    public func blobSize(_ repository: String, _ digest: Digest) async throws -> Int64? {
        let url = try await endpoint(repository, "blobs/\(digest)")
        let response = try await send(RegistryRequest(method: .HEAD, url: url, scope: Scope.pull(repository), expected: [200, 404], followsRedirects: true))
        guard response.status.code == 200 else { return nil }
        return response.headers.first(name: "Content-Length").flatMap(Int64.init) ?? -1
    }

    /// Opens a blob as a stream of its bytes (`GET`, following redirects without sending
    /// credentials to another host). Nothing is verified here: the reader wraps the stream in a
    /// ``VerifyingStream``.
    ///
    /// When the body breaks off (or ends short of its `Content-Length`), the stream asks again
    /// with `Range: bytes=N-` and carries on from byte N, so the reader sees one continuous
    /// stream; a server that ignores `Range` (200) is read again from the start, dropping the
    /// bytes already delivered. It tries as often as ``RetryPolicy/maximumAttempts`` allows.
    /// - Throws: ``RegistryError`` (`notFound` for 404) before the first byte; the stream throws
    ///   ``RegistryError`` (`connection`) when the body breaks off and cannot be resumed, or
    ///   (`invalidResponse`) when a resumed answer's `Content-Range` starts elsewhere.
    public func blob(_ repository: String, _ digest: Digest) async throws -> sending any ByteStream {
        let url = try await endpoint(repository, "blobs/\(digest)")
        let request = RegistryRequest(method: .GET, url: url, scope: Scope.pull(repository), expected: [200], followsRedirects: true)
        let response = try await send(request)
        let context = "blob \(digest) from \(registry)/\(repository)"
        let total = response.headers.first(name: "Content-Length").flatMap(Int64.init)
        return ResumingBlobStream(
            client: self, request: request, first: ResponseBodyStream(response.body, context: context, lowSpeed: options.lowSpeed), total: total,
            context: context)
    }

    /// Opens a blob from byte `offset` on (`Range: bytes=OFFSET-`), to continue a download an
    /// earlier run kept: a 206 must start at `offset`; a 200 (the server ignores `Range`) is the
    /// whole blob, whose first `offset` bytes the stream drops. It resumes when the body breaks,
    /// as ``blob(_:_:)`` does.
    /// - Throws: as ``blob(_:_:)``; ``RegistryError`` (`invalidResponse`) when a 206 starts
    ///   elsewhere.
    public func blob(_ repository: String, _ digest: Digest, from offset: Int64) async throws -> sending any ByteStream {
        guard offset > 0 else { return try await blob(repository, digest) }
        let url = try await endpoint(repository, "blobs/\(digest)")
        let request = RegistryRequest(method: .GET, url: url, scope: Scope.pull(repository), expected: [200], followsRedirects: true)
        return try await ResumingBlobStream.opening(client: self, request: request, context: "blob \(digest) from \(registry)/\(repository)", at: offset)
    }
}
