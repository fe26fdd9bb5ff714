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
        return ResumingBlobStream(client: self, request: request, first: ResponseBodyStream(response.body, context: context, lowSpeed: options.lowSpeed), total: total, context: context)
    }
}

/// A blob body that resumes with `Range` requests when the connection breaks (formats.md §8.2).
final class ResumingBlobStream: ByteStream {
    private let client: RegistryClient
    private let request: RegistryRequest
    private let total: Int64?
    private let context: String
    private var current: ResponseBodyStream
    /// Bytes handed to the reader so far.
    private var delivered: Int64 = 0
    /// Bytes of the current body to drop before handing more on (the server ignored `Range`).
    private var skip: Int64 = 0
    private var resumes = 0

    init(client: RegistryClient, request: RegistryRequest, first: ResponseBodyStream, total: Int64?, context: String) {
        self.client = client
        self.request = request
        self.current = first
        self.total = total
        self.context = context
    }

    func next() async throws -> [UInt8]? {
        while true {
            do {
                guard var chunk = try await current.next() else {
                    if skip > 0 || total.map({ delivered < $0 }) == true {
                        let size = total.map { String($0) } ?? "?"
                        throw RegistryError(.connection, "\(context): the body ended after \(delivered) of \(size) bytes")
                    }
                    return nil
                }
                if skip > 0 {
                    let dropped = min(Int64(chunk.count), skip)
                    chunk.removeFirst(Int(dropped))
                    skip -= dropped
                    if chunk.isEmpty { continue }
                }
                delivered += Int64(chunk.count)
                return chunk
            } catch let error as RegistryError where error.code == .connection {
                if let total, delivered >= total, skip == 0 { return nil }
                resumes += 1
                guard resumes < client.options.retry.maximumAttempts else {
                    throw RegistryError(.connection, "\(error.message); gave up after \(resumes) attempts", method: error.method, url: error.url)
                }
                try await Task.sleep(for: client.options.retry.delay(afterAttempt: resumes))
                try await resume()
            }
        }
    }

    /// Asks for the rest: `Range: bytes=<delivered>-`; 206 must say where it starts, 200 means
    /// the whole blob again.
    private func resume() async throws {
        var ranged = request
        ranged.expected = [200, 206]
        ranged.headers.replaceOrAdd(name: "Range", value: "bytes=\(delivered)-")
        let response = try await client.send(ranged)
        if response.status.code == 206 {
            let contentRange = response.headers.first(name: "Content-Range") ?? ""
            guard Self.start(ofContentRange: contentRange) == delivered else {
                await RegistryClient.discard(response)
                throw RegistryError(.invalidResponse, "\(context): asked for bytes \(delivered)- and got Content-Range \"\(contentRange)\"", method: "GET", url: request.url, status: 206)
            }
            skip = 0
            current = ResponseBodyStream(response.body, context: context, offset: delivered, lowSpeed: client.options.lowSpeed)
        } else {
            skip = delivered
            current = ResponseBodyStream(response.body, context: context, lowSpeed: client.options.lowSpeed)
        }
    }

    /// The first byte of a `Content-Range: bytes a-b/size` value, or `nil`.
    static func start(ofContentRange value: String) -> Int64? {
        var text = Substring(value).drop { $0 == " " }
        guard text.lowercased().hasPrefix("bytes") else { return nil }
        text = text.dropFirst(5).drop { $0 == " " || $0 == "=" }
        return Int64(text.prefix { $0.isNumber })
    }
}
