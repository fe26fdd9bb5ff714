import AsyncHTTPClient
import FerrySpec
import NIOHTTP1

/// What a cross-repository mount did (``RegistryClient/mountBlob(_:into:from:)``).
public enum MountResult: Sendable, Hashable {
    /// The registry linked the blob: the repository holds it now (201).
    case mounted
    /// The registry did not mount it (the source lacks it, or mounting is not allowed) and opened
    /// an ordinary upload session instead (202), ready for ``RegistryClient/pushBlob(_:from:upload:)``.
    case declined(BlobUpload)
}

extension RegistryClient {
    /// Asks the registry to link a blob that another of its repositories holds, so its bytes are
    /// not sent again (`POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<source>`,
    /// formats.md §8.1 and §8.3 item 2). The token asks for `pull` on `source` as well.
    /// - Parameters:
    ///   - digest: the blob.
    ///   - repository: the repository that should hold it.
    ///   - source: a repository of the same registry that holds it.
    /// - Returns: ``MountResult/mounted``, or the upload session the registry opened instead.
    public func mountBlob(_ digest: Digest, into repository: String, from source: String) async throws -> MountResult {
        var url = try await endpoint(repository, "blobs/uploads/")
        url = RegistryURL.appendingQuery(url, name: "mount", value: digest.description)
        url = RegistryURL.appendingQuery(url, name: "from", value: source)
        let response = try await send(
            RegistryRequest(
                method: .POST, url: url, scope: Scope.push(repository), expected: [201, 202],
                additionalScopes: [Scope.pull(source)]))
        await Self.discard(response)
        guard response.status.code == 201 else {
            return .declined(try Self.upload(response, repository: repository, requestURL: url, method: .POST))
        }
        if let reported = response.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
            reported.algorithm == digest.algorithm, reported != digest
        {
            throw RegistryError(.invalidResponse, "POST \(url): the registry mounted digest \(reported), not \(digest)", method: "POST", url: url, status: 201)
        }
        return .mounted
    }
}
