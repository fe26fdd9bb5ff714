import AsyncHTTPClient
import Foundation
import FerrySpec
import NIOHTTP1

/// The referrers of a manifest as a registry lists them, and where the list came from.
public struct RegistryReferrers: Sendable, Hashable {
    /// How the registry answered.
    public enum Origin: Sendable, Hashable {
        /// `GET /v2/<name>/referrers/<digest>` (distribution-spec 1.1).
        case referrersAPI
        /// The registry has no referrers API: the image index under the referrers tag schema's
        /// tag (`sha256-<hex>`), or nothing when that tag does not exist.
        case fallbackTag
    }

    /// One descriptor per referrer: media type, digest, size, `artifactType`, annotations.
    public var manifests: [Descriptor]
    /// Where ``manifests`` came from.
    public var origin: Origin

    public init(manifests: [Descriptor], origin: Origin) {
        self.manifests = manifests
        self.origin = origin
    }
}

extension RegistryClient {
    /// The manifests whose `subject` is `subject` (formats.md §8.1, distribution-spec "Listing
    /// Referrers").
    ///
    /// Asks the referrers API first, following `Link: <…>; rel="next"` pages; a registry that
    /// answers 404 has no such API (Debian's docker-registry 2.8, for one), and the referrers tag
    /// schema's index under ``FerrySpec/Digest/referrersTag`` is read instead (no tag: none).
    /// With `artifactType`, only referrers of that type are returned: the registry filters when
    /// it says so in `OCI-Filters-Applied`, Ferry filters otherwise.
    /// - Throws: ``RegistryError`` when the registry fails or answers with something that is not
    ///   an image index.
    public func referrers(_ repository: String, of subject: Digest, artifactType: String? = nil) async throws -> RegistryReferrers {
        var url = try await endpoint(repository, "referrers/\(subject)")
        if let artifactType { url = RegistryURL.appendingQuery(url, name: "artifactType", value: artifactType) }
        let context = "referrers of \(subject) in \(registry)/\(repository)"
        var manifests: [Descriptor] = []
        var filteredByRegistry = true
        var visited = Set<String>()
        var bound = ListBound(limits: options.listLimits, registry: registry, context: context)
        while visited.insert(url).inserted {
            try bound.countPage()
            let request = RegistryRequest(
                method: .GET, url: url, headers: ["Accept": MediaType.ociIndex.rawValue],
                scope: Scope.pull(repository), expected: [200, 404], followsRedirects: true)
            let response = try await send(request)
            if response.status.code == 404 {
                await Self.discard(response)
                // A 404 on a later page is a broken answer, not a missing API.
                guard visited.count == 1 else {
                    throw RegistryError(
                        .invalidResponse, "\(context): the page \(url) the registry linked to does not exist", method: "GET", url: url, status: 404)
                }
                return try await referrersFromFallbackTag(repository, of: subject, artifactType: artifactType)
            }
            let body = try await readBody(response, limit: DocumentLimits.maximumDocumentSize, context: context)
            let page: ImageIndex
            do {
                page = try JSONDocument.decode(ImageIndex.self, from: body, context: "\(context) (GET \(url))")
            } catch {
                throw RegistryError(.invalidResponse, "\(error.message); the referrers API answers with an image index", method: "GET", url: url)
            }
            try bound.count(entries: page.manifests.count)
            manifests += page.manifests
            let applied = response.headers[canonicalForm: "OCI-Filters-Applied"].map { $0.trimmingCharacters(in: .whitespaces) }
            if artifactType != nil && !applied.contains("artifactType") { filteredByRegistry = false }
            guard let next = response.headers.first(name: "Link").flatMap(RegistryURL.nextLink) else {
                let filtered = filteredByRegistry ? manifests : Self.only(manifests, of: artifactType)
                return RegistryReferrers(manifests: filtered, origin: .referrersAPI)
            }
            url = try RegistryURL.follow(next, against: url, what: "the Link to the next page")
        }
        throw RegistryError(.invalidResponse, "\(context): the registry's Link pages loop back to \(url)")
    }

    /// The referrers tag schema's list: the index tagged `<alg>-<hex>`, or nothing.
    private func referrersFromFallbackTag(_ repository: String, of subject: Digest, artifactType: String?) async throws -> RegistryReferrers {
        guard let index = try await fallbackIndex(repository, of: subject) else {
            return RegistryReferrers(manifests: [], origin: .fallbackTag)
        }
        return RegistryReferrers(manifests: Self.only(index.manifests, of: artifactType), origin: .fallbackTag)
    }

    /// The image index under the fallback tag of `subject`, or `nil` when the tag does not exist.
    private func fallbackIndex(_ repository: String, of subject: Digest) async throws -> ImageIndex? {
        let tag = subject.referrersTag
        let document: RawDocument
        do {
            document = try await manifest(repository, .tag(tag))
        } catch let error as RegistryError where error.code == .notFound {
            return nil
        }
        let context = "referrers tag \(registry)/\(repository):\(tag)"
        guard document.mediaType.isIndex else {
            throw RegistryError(.invalidResponse, "\(context) holds a \(document.mediaType), not the image index the referrers tag schema keeps there")
        }
        do {
            return try JSONDocument.decode(ImageIndex.self, from: document.bytes, context: context)
        } catch {
            throw RegistryError(.invalidResponse, error.message)
        }
    }

    /// Adds `referrer` to the fallback tag's index of its subject: read it (none: an empty OCI
    /// index), append the descriptor unless its digest is already listed, put it back.
    ///
    /// Read-modify-write without a lock, as the distribution spec describes it: two clients
    /// pushing referrers of one subject at the same instant can lose one entry.
    func addToFallbackTag(_ referrer: Referrer, _ repository: String) async throws {
        var index = try await fallbackIndex(repository, of: referrer.subject.digest) ?? ImageIndex(manifests: [])
        guard !index.manifests.contains(where: { $0.digest == referrer.descriptor.digest }) else { return }
        index.mediaType = .ociIndex
        index.subject = nil
        index.manifests.append(referrer.descriptor)
        let bytes: [UInt8]
        do {
            bytes = try JSONDocument.encode(index)
        } catch {
            throw RegistryError(.invalidArgument, "referrers tag of \(referrer.subject.digest): \(error.message)")
        }
        let document = RawDocument(
            bytes: bytes, mediaType: .ociIndex, digest: try Self.digest(bytes, mediaType: .ociIndex, algorithm: nil, context: "referrers index"))
        try await putManifest(document, repository, .tag(referrer.subject.digest.referrersTag))
    }

    private static func only(_ manifests: [Descriptor], of artifactType: String?) -> [Descriptor] {
        guard let artifactType else { return manifests }
        return manifests.filter { $0.artifactType == artifactType }
    }
}
