import AsyncHTTPClient
import FerrySpec
import FerryStreams
import NIOHTTP1

/// A blob body that resumes with `Range` requests when the connection breaks (formats.md §8.2),
/// so that the reader — and the ``VerifyingStream`` hashing it — sees one continuous stream and
/// no byte already received is fetched or hashed again.
///
/// After a transient break at byte N it asks again with `Range: bytes=N-`:
/// - 206 whose `Content-Range` starts at N (and names the same complete length, when both are
///   known): the body carries on from byte N;
/// - 200 (the server ignores `Range`): the whole blob again, its first N bytes dropped unread by
///   the reader;
/// - 206 whose `Content-Range` starts elsewhere, is unreadable or names another length: refused
///   (``RegistryError`` `invalidResponse`, not retried), since splicing it would corrupt the blob.
///
/// Breaks are answered up to ``RetryPolicy/maximumAttempts`` times in a row; a resumed body that
/// brings new bytes before it breaks starts the count again, so a long download over a flaky link
/// finishes as long as every connection makes progress. A body cut for falling under the
/// low-speed limit has not made progress, whatever trickled in: a server that sends a byte a
/// second is given up on after those attempts, not after the blob's length in seconds.
final class ResumingBlobStream: ByteStream {
    private let client: RegistryClient
    private let request: RegistryRequest
    /// The blob's length when an answer said it.
    private var total: Int64?
    private let context: String
    private var current: ResponseBodyStream
    /// The blob's byte the reader is handed next (bytes handed on so far, when it started at 0).
    private var delivered: Int64 = 0
    /// Bytes of the current body to drop before handing more on (the server ignored `Range`).
    private var skip: Int64 = 0
    /// Breaks answered since the last one after which new bytes arrived.
    private var resumes = 0
    /// `delivered` when the current body was asked for.
    private var deliveredAtResume: Int64 = 0

    /// - Parameters:
    ///   - first: the first answer's body.
    ///   - total: the blob's length, when the answer said it.
    ///   - position: the blob's byte the reader is handed first (0, or where a kept download
    ///     ends).
    ///   - skipping: bytes at the start of `first` to drop (a 200 to a request for the rest).
    init(
        client: RegistryClient, request: RegistryRequest, first: ResponseBodyStream, total: Int64?, context: String, position: Int64 = 0,
        skipping: Int64 = 0
    ) {
        self.client = client
        self.request = request
        self.current = first
        self.total = total
        self.context = context
        self.skip = skipping
        self.delivered = position
        self.deliveredAtResume = position
    }

    /// A blob read from byte `offset` on, to continue a download an earlier run kept
    /// (``rest(of:from:total:client:context:why:)``).
    static func opening(client: RegistryClient, request: RegistryRequest, context: String, at offset: Int64) async throws -> ResumingBlobStream {
        let (body, skip, total) = try await rest(of: request, from: offset, total: nil, client: client, context: context, why: "to continue a kept download")
        return ResumingBlobStream(client: client, request: request, first: body, total: total, context: context, position: offset, skipping: skip)
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
                if delivered > deliveredAtResume, !current.fellUnderLowSpeed { resumes = 0 }
                resumes += 1
                guard resumes < client.options.retry.maximumAttempts else {
                    throw RegistryError(.connection, "\(error.message); gave up after \(resumes) attempts", method: error.method, url: error.url)
                }
                try await Task.sleep(for: client.options.retry.delay(afterAttempt: resumes))
                try await resume()
            }
        }
    }

    /// Asks for the rest after a break (``rest(of:from:total:client:context:why:)``).
    private func resume() async throws {
        (current, skip, total) = try await Self.rest(
            of: request, from: delivered, total: total, client: client, context: context, why: "after the connection broke")
        deliveredAtResume = delivered
    }

    /// Asks for a blob from byte `offset` on: `Range: bytes=<offset>-`. A 206 must say it starts
    /// there (and, when `total` is known, name that length); a 200 is the whole blob again, whose
    /// first `offset` bytes the reader is to drop (`skip`).
    /// - Returns: the body, the bytes of it to drop, and the blob's length when known.
    /// - Throws: ``RegistryError`` (`invalidResponse`, not retried) for a 206 that starts
    ///   elsewhere, or names another length: splicing it would corrupt the blob.
    static func rest(
        of request: RegistryRequest, from offset: Int64, total: Int64?, client: RegistryClient, context: String, why: String
    ) async throws -> (body: ResponseBodyStream, skip: Int64, total: Int64?) {
        var ranged = request
        ranged.expected = [200, 206]
        ranged.headers.replaceOrAdd(name: "Range", value: "bytes=\(offset)-")
        let response = try await client.send(ranged)
        guard response.status.code == 206 else {
            let body = ResponseBodyStream(response.body, context: context, lowSpeed: client.options.lowSpeed)
            return (body, offset, total ?? response.headers.first(name: "Content-Length").flatMap(Int64.init))
        }
        let header = response.headers.first(name: "Content-Range")
        let range = header.flatMap(ContentRange.init)
        if let problem = mismatch(range, header: header, asked: offset, total: total) {
            await RegistryClient.discard(response)
            throw RegistryError(
                .invalidResponse,
                "\(context): asked for bytes \(offset)- \(why), and the registry answered 206 with \(problem); refusing to splice it into the blob",
                method: "GET", url: request.url, status: 206)
        }
        let body = ResponseBodyStream(response.body, context: context, offset: offset, lowSpeed: client.options.lowSpeed)
        return (body, 0, total ?? range?.completeLength)
    }

    /// What is wrong with a 206 answer to `Range: bytes=<asked>-`, or `nil` when it continues the
    /// blob at `asked`.
    static func mismatch(_ range: ContentRange?, header: String?, asked: Int64, total: Int64?) -> String? {
        guard let header else { return "no Content-Range" }
        guard let range else { return "an unreadable Content-Range \"\(header.prefix(100))\"" }
        if range.first != asked { return "Content-Range \"\(header.prefix(100))\", which starts at byte \(range.first)" }
        if let total, let complete = range.completeLength, complete != total {
            return "Content-Range \"\(header.prefix(100))\" for \(complete) bytes where the first answer had \(total)"
        }
        return nil
    }
}
