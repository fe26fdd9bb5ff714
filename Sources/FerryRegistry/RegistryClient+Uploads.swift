import AsyncHTTPClient
import FerrySpec
import FerryStreams
import NIOHTTP1

extension RegistryClient {
    /// Opens an upload session (`POST /v2/<name>/blobs/uploads/`, answered 202 with `Location`).
    public func startUpload(_ repository: String) async throws -> BlobUpload {
        let postURL = try await endpoint(repository, "blobs/uploads/")
        let started = try await send(RegistryRequest(method: .POST, url: postURL, scope: Scope.push(repository), expected: [202]))
        await Self.discard(started)
        return try Self.upload(started, repository: repository, requestURL: postURL, method: .POST)
    }

    /// Uploads a blob into an open session, or a new one (formats.md §8.3), and finishes it with
    /// `PUT ?digest=` carrying the digest the stream computed — so a blob being recompressed on
    /// the way is uploaded without knowing its digest in advance. A blob whose digest and size
    /// are known before it is read (a verbatim copy) goes as the body of that `PUT` instead, one
    /// round trip fewer.
    ///
    /// With ``RegistryOptions/uploadChunkSize`` unset, the blob goes in Docker's most compatible
    /// way: one `PATCH` streaming it whole without `Content-Range`; that `PATCH` is never retried,
    /// its body being one-shot. With a chunk size, it goes as ranged `PATCH`es, each held in
    /// memory until acknowledged and resumed from the registry's reported offset when it breaks
    /// (see ``RegistryOptions/uploadChunkSize``); memory stays within about one chunk.
    ///
    /// The blob is verified as it goes (the ``VerifyingStream`` throws before its end on a
    /// mismatch, which aborts the upload); the registry checks the digest again at the `PUT`.
    /// The session is cancelled (`DELETE`) when the upload fails.
    /// - Parameters:
    ///   - repository: where the blob goes (ignored when `upload` is given: its own repository).
    ///   - stream: the blob, read to its end.
    ///   - upload: a session already open, such as the one a declined mount started.
    /// - Returns: the digest and size uploaded.
    public func pushBlob(_ repository: String, from stream: sending VerifyingStream, upload: BlobUpload? = nil) async throws -> (digest: Digest, size: Int64) {
        var session: BlobUpload
        if let upload {
            session = upload
        } else {
            session = try await startUpload(repository)
        }
        do {
            let result: (digest: Digest, size: Int64)
            if let chunkSize = options.uploadChunkSize {
                result = try await uploadChunks(of: stream, size: chunkSize, session: &session)
            } else if let digest = stream.expectedDigest, let size = stream.expectedSize, size >= 0 {
                return try await uploadWhole(stream, digest: digest, size: size, session: session)
            } else {
                result = try await uploadStreamed(stream, session: &session)
            }
            try await finishUpload(session, digest: result.digest)
            return result
        } catch {
            await cancelUpload(session)
            throw error
        }
    }

    /// Abandons an upload session (`DELETE`); errors are ignored (the registry purges stale
    /// uploads).
    public func cancelUpload(_ upload: BlobUpload) async {
        let request = RegistryRequest(method: .DELETE, url: upload.location, scope: Scope.push(upload.repository), expected: [200, 202, 204, 404])
        if let response = try? await send(request) {
            await Self.discard(response)
        }
    }

    /// One `PATCH` streaming the whole blob without `Content-Range` (distribution's "stream upload").
    private func uploadStreamed(_ stream: sending VerifyingStream, session: inout BlobUpload) async throws -> (digest: Digest, size: Int64) {
        let body = RequestBodyStream(stream)
        let patched = try await send(
            RegistryRequest(
                method: .PATCH, url: session.location, headers: ["Content-Type": "application/octet-stream"],
                body: .stream(.stream(body, length: .unknown)), scope: Scope.push(session.repository), expected: [201, 202, 204]))
        await Self.discard(patched)
        if patched.headers.first(name: "Location") != nil {
            session.location = try Self.location(patched, requestURL: session.location, method: .PATCH)
        }
        guard let result = body.result else {
            throw RegistryError(
                .invalidResponse, "PATCH \(session.location): the upload finished before the blob was read to its end", method: "PATCH", url: session.location)
        }
        return result
    }

    /// `PUT <location>?digest=` with the whole blob as its body and its length declared (the
    /// distribution spec's monolithic upload): one round trip fewer than `PATCH` + `PUT`, which
    /// is most of the cost of a small layer. Only for a blob whose digest and size are known
    /// before it is read — a verbatim copy; the registry checks the digest against the bytes.
    private func uploadWhole(_ stream: sending VerifyingStream, digest: Digest, size: Int64, session: BlobUpload) async throws -> (digest: Digest, size: Int64)
    {
        let putURL = RegistryURL.appendingQuery(session.location, name: "digest", value: digest.description)
        let body = RequestBodyStream(stream)
        let finished = try await send(
            RegistryRequest(
                method: .PUT, url: putURL, headers: ["Content-Type": "application/octet-stream"],
                body: .stream(.stream(body, length: .known(size))), scope: Scope.push(session.repository), expected: [201, 204]))
        await Self.discard(finished)
        guard let result = body.result else {
            throw RegistryError(.invalidResponse, "PUT \(putURL): the upload finished before the blob was read to its end", method: "PUT", url: putURL)
        }
        if let reported = finished.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
            reported.algorithm == digest.algorithm, reported != digest
        {
            throw RegistryError(.invalidResponse, "PUT \(putURL): the registry stored digest \(reported), the blob's is \(digest)", method: "PUT", url: putURL)
        }
        return result
    }

    /// `PUT <location>?digest=` with an empty body; the registry's `Docker-Content-Digest` is
    /// checked when it uses the same algorithm.
    private func finishUpload(_ session: BlobUpload, digest: Digest) async throws {
        let putURL = RegistryURL.appendingQuery(session.location, name: "digest", value: digest.description)
        let finished = try await send(RegistryRequest(method: .PUT, url: putURL, scope: Scope.push(session.repository), expected: [201, 204]))
        await Self.discard(finished)
        if let reported = finished.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
            reported.algorithm == digest.algorithm, reported != digest
        {
            throw RegistryError(.invalidResponse, "PUT \(putURL): the registry stored digest \(reported), the blob's is \(digest)", method: "PUT", url: putURL)
        }
    }

    /// The session an upload answer (202 to `POST`) opened.
    static func upload(_ response: HTTPClientResponse, repository: String, requestURL: String, method: HTTPMethod) throws -> BlobUpload {
        BlobUpload(
            repository: repository,
            location: try location(response, requestURL: requestURL, method: method),
            minimumChunkLength: response.headers.first(name: "OCI-Chunk-Min-Length").flatMap(Int.init))
    }

    /// The resolved `Location` of an upload answer.
    static func location(_ response: HTTPClientResponse, requestURL: String, method: HTTPMethod) throws -> String {
        guard let value = response.headers.first(name: "Location"), !value.isEmpty else {
            throw RegistryError(
                .invalidResponse, "\(method) \(requestURL): the registry sent no Location for the upload", method: method.rawValue, url: requestURL)
        }
        return try RegistryURL.follow(value, against: requestURL, what: "the upload Location")
    }
}
