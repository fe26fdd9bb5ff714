import AsyncHTTPClient
import FerrySigning
import Foundation
import FerrySpec
import FerryStreams
import NIOHTTP1

extension RegistryClient {
    /// The manifest and index types Ferry asks for (formats.md §8.2); schema 1 is never requested.
    public static let acceptedManifestTypes: [MediaType] = [.ociIndex, .ociManifest, .dockerManifestList, .dockerManifest]

    private var acceptHeaders: HTTPHeaders {
        ["Accept": Self.acceptedManifestTypes.map(\.rawValue).joined(separator: ", ")]
    }

    /// Fetches a manifest or index as its exact bytes (`GET /v2/<name>/manifests/<ref>`).
    ///
    /// By digest, the bytes are verified against that digest; by tag, the digest is computed and
    /// compared with `Docker-Content-Digest` when the registry sent one. At most
    /// ``DocumentLimits/maximumDocumentSize`` bytes are read.
    /// - Throws: ``RegistryError`` (`notFound` for 404; `invalidResponse` on a digest, size or
    ///   media-type mismatch).
    public func manifest(_ repository: String, _ reference: ManifestReference) async throws -> RawDocument {
        let url = try await endpoint(repository, "manifests/\(reference)")
        let response = try await send(
            RegistryRequest(method: .GET, url: url, headers: acceptHeaders, scope: Scope.pull(repository), expected: [200], followsRedirects: true))
        let context = "manifest \(registry)/\(repository):\(reference)"
        let bytes = try await readBody(response, limit: DocumentLimits.maximumDocumentSize, context: context)
        let header = response.headers.first(name: "Docker-Content-Digest").flatMap { try? Digest(parsing: $0) }
        let mediaType = try Self.mediaType(of: bytes, contentType: response.headers.first(name: "Content-Type"), context: context)
        let digest: Digest
        switch reference {
        case .digest(let expected):
            digest = try Self.digest(bytes, mediaType: mediaType, algorithm: expected, context: context)
            guard digest == expected else {
                throw RegistryError(.invalidResponse, "\(context): the registry sent content with digest \(digest)", method: "GET", url: url)
            }
        case .tag:
            digest = try Self.digest(bytes, mediaType: mediaType, algorithm: header, context: context)
            if let header, header != digest {
                throw RegistryError(
                    .invalidResponse, "\(context): content has digest \(digest) but Docker-Content-Digest says \(header)", method: "GET", url: url)
            }
        }
        return RawDocument(bytes: bytes, mediaType: mediaType, digest: digest)
    }

    /// The descriptor of a manifest (`HEAD`), or `nil` when there is none (404).
    /// Falls back to a `GET` when the registry omits `Docker-Content-Digest`.
    public func manifestDescriptor(_ repository: String, _ reference: ManifestReference) async throws -> Descriptor? {
        let url = try await endpoint(repository, "manifests/\(reference)")
        let response = try await send(
            RegistryRequest(method: .HEAD, url: url, headers: acceptHeaders, scope: Scope.pull(repository), expected: [200, 404], followsRedirects: true))
        guard response.status.code == 200 else { return nil }
        guard let digest = response.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
            let size = response.headers.first(name: "Content-Length").flatMap(Int64.init),
            let type = response.headers.first(name: "Content-Type")
        else {
            return try await manifest(repository, reference).descriptor
        }
        return Descriptor(mediaType: MediaType(Self.essence(type)), digest: digest, size: size)
    }

    /// Stores a manifest or index under a tag or its digest (`PUT`, `Content-Type` = its media type).
    ///
    /// A document with a `subject` put to a registry that does not confirm it with an
    /// `OCI-Subject` header (one without the referrers API) is also added to the referrers tag
    /// schema's index of its subject (formats.md §8.3 step 7), so ``referrers(_:of:artifactType:)``
    /// finds it.
    /// - Returns: the digest the registry reports (checked against the document's when it uses the
    ///   same algorithm).
    @discardableResult
    public func putManifest(_ document: RawDocument, _ repository: String, _ reference: ManifestReference) async throws -> Digest {
        let url = try await endpoint(repository, "manifests/\(reference)")
        let response = try await send(
            RegistryRequest(
                method: .PUT, url: url, headers: ["Content-Type": document.mediaType.rawValue], body: .bytes(document.bytes), scope: Scope.push(repository),
                expected: [200, 201, 202]))
        await Self.discard(response)
        if let reported = response.headers.first(name: "Docker-Content-Digest").flatMap({ try? Digest(parsing: $0) }),
            reported.algorithm == document.digest.algorithm, reported != document.digest
        {
            throw RegistryError(
                .invalidResponse, "PUT \(url): the registry stored digest \(reported), the document's is \(document.digest)", method: "PUT", url: url)
        }
        if !response.headers.contains(name: "OCI-Subject"),
            let referrer = try? Referrer(document, context: "manifest \(document.digest)")
        {
            try await addToFallbackTag(referrer, repository)
        }
        return document.digest
    }

    /// Deletes a manifest by digest (`DELETE`; distribution refuses tags here).
    /// - Throws: ``RegistryError`` (`notFound` when absent; `httpStatus` 405 when the registry has
    ///   deletion disabled).
    public func deleteManifest(_ repository: String, _ digest: Digest) async throws {
        let url = try await endpoint(repository, "manifests/\(digest)")
        let response = try await send(RegistryRequest(method: .DELETE, url: url, scope: Scope.delete(repository), expected: [200, 202, 204]))
        await Self.discard(response)
    }

    // MARK: Helpers

    ///
    /// A schema 1 manifest's digest is that of its JWS payload, the bytes without `signatures`
    /// (formats.md §6.2): registries re-sign schema 1 on every `GET`, so the whole bytes differ
    /// each time while the payload, and `Docker-Content-Digest`, stay the same.
    static func digest(_ bytes: [UInt8], mediaType: MediaType, algorithm like: Digest?, context: String) throws -> Digest {
        if mediaType.isSchema1 {
            do {
                return try Schema1Signing.digest(of: bytes, context: context)
            } catch {
                throw RegistryError(.invalidResponse, "\(context): a schema 1 manifest whose signatures cannot be read: \(error)")
            }
        }
        let algorithm = like?.knownAlgorithm ?? .sha256
        do {
            return try DigestHasher.digest(bytes, algorithm: algorithm)
        } catch {
            throw RegistryError(.invalidResponse, "\(context): cannot hash: \(error.message)")
        }
    }

    /// The media type from `Content-Type` (parameters dropped) or, when that is not a manifest
    /// type, from the body's `mediaType`; a body that names another type than the header is refused.
    static func mediaType(of bytes: [UInt8], contentType: String?, context: String) throws -> MediaType {
        struct Probe: Decodable { var mediaType: String?; var manifests: [Probe.Empty]?; struct Empty: Decodable {} }
        let probe = try? JSONDecoder().decode(Probe.self, from: Data(bytes))
        let header = contentType.map { MediaType(essence($0)) }
        if let header, header.isManifestOrIndex {
            if let inBody = probe?.mediaType, MediaType(inBody).essence != header.essence {
                throw RegistryError(.invalidResponse, "\(context): Content-Type is \(header) but the document says \(inBody)")
            }
            return header
        }
        if let inBody = probe?.mediaType { return MediaType(inBody) }
        return probe?.manifests != nil ? .ociIndex : .ociManifest
    }

    static func essence(_ contentType: String) -> String {
        (contentType.split(separator: ";").first.map(String.init) ?? contentType).trimmingCharacters(in: .whitespaces).lowercased()
    }
}
