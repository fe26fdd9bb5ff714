import AsyncHTTPClient
import FerrySpec
import FerryStreams
import NIOHTTP1

extension RegistryClient {
    /// Uploads a blob in Docker's most compatible way (formats.md §8.3): `POST` to open an upload,
    /// one `PATCH` streaming the whole blob without `Content-Range`, then `PUT ?digest=` with the
    /// digest the stream computed — so a blob being recompressed on the way is uploaded without
    /// knowing its digest in advance.
    ///
    /// The blob is verified as it goes (the ``VerifyingStream`` throws before its end on a
    /// mismatch, which aborts the `PATCH`); the registry checks the digest again at the `PUT`.
    /// The upload is cancelled (`DELETE`) when it fails after it was opened. The `PATCH` is never
    /// retried: its body is one-shot.
    /// - Returns: the digest and size uploaded.
    public func pushBlob(_ repository: String, from stream: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        let postURL = try await endpoint(repository, "blobs/uploads/")
        let started = try await send(RegistryRequest(method: .POST, url: postURL, scope: Scope.push(repository), expected: [202]))
        await Self.discard(started)
        var location = try Self.location(started, requestURL: postURL, method: .POST)
        do {
            let body = RequestBodyStream(stream)
            let patched = try await send(RegistryRequest(
                method: .PATCH, url: location, headers: ["Content-Type": "application/octet-stream"],
                body: .stream(.stream(body, length: .unknown)), scope: Scope.push(repository), expected: [202, 204]))
            await Self.discard(patched)
            if patched.headers.first(name: "Location") != nil {
                location = try Self.location(patched, requestURL: location, method: .PATCH)
            }
            guard let result = body.result else {
                throw RegistryError(.invalidResponse, "PATCH \(location): the upload finished before the blob was read to its end", method: "PATCH", url: location)
            }
            let putURL = RegistryURL.appendingQuery(location, name: "digest", value: result.digest.description)
            let finished = try await send(RegistryRequest(method: .PUT, url: putURL, scope: Scope.push(repository), expected: [201, 204]))
            await Self.discard(finished)
            if let reported = finished.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
               reported.algorithm == result.digest.algorithm, reported != result.digest {
                throw RegistryError(.invalidResponse, "PUT \(putURL): the registry stored digest \(reported), the blob's is \(result.digest)", method: "PUT", url: putURL)
            }
            return result
        } catch {
            await cancelUpload(location, repository: repository)
            throw error
        }
    }

    /// Abandons an upload session; errors are ignored (the registry purges stale uploads).
    private func cancelUpload(_ location: String, repository: String) async {
        if let response = try? await send(RegistryRequest(method: .DELETE, url: location, scope: Scope.push(repository), expected: [200, 202, 204, 404])) {
            await Self.discard(response)
        }
    }

    /// The resolved `Location` of an upload answer.
    static func location(_ response: HTTPClientResponse, requestURL: String, method: HTTPMethod) throws -> String {
        guard let value = response.headers.first(name: "Location"), !value.isEmpty else {
            throw RegistryError(.invalidResponse, "\(method) \(requestURL): the registry sent no Location for the upload", method: method.rawValue, url: requestURL)
        }
        return RegistryURL.resolve(value, against: requestURL)
    }
}
