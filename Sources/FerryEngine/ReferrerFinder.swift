import FerrySpec
import FerryTransports

/// Finds the referrers of a manifest in a source: the manifests whose `subject` names it.
///
/// A source that lists referrers itself (a registry, ``ReferrerListing``) is asked. Any other
/// source is scanned once, when the finder is made: every top-level manifest or index it holds
/// (for an OCI layout, each entry of `index.json`, named or not) is read, verified against its
/// descriptor, and listed under the digest of its `subject`.
public struct ReferrerFinder: Sendable {
    /// The source searched.
    public let source: any ImageSource
    /// Referrers by subject digest, for sources that were scanned; `nil` for a ``ReferrerListing``.
    private let scanned: [Digest: [Descriptor]]?

    /// Prepares to find referrers in `source`, scanning it when it cannot list them itself.
    /// - Throws: when a top-level document cannot be read, does not match its descriptor, or does
    ///   not decode.
    public init(source: any ImageSource) async throws {
        self.source = source
        if source.capabilities.referrerListing != nil {
            scanned = nil
            return
        }
        var bySubject: [Digest: [Descriptor]] = [:]
        var seen = Set<Digest>()
        let reader = GraphReader(source: source)
        for entry in try await source.entries() where !entry.isSynthesized {
            let descriptor = entry.descriptor
            guard descriptor.mediaType.isManifestOrIndex, !descriptor.mediaType.isSchema1,
                seen.insert(descriptor.digest).inserted
            else { continue }
            let document = try await reader.verifiedDocument(descriptor)
            let context = "\(descriptor.mediaType.isIndex ? "index" : "manifest") \(descriptor.digest) in \(source.name)"
            guard let referrer = try Referrer(document, context: context) else { continue }
            bySubject[referrer.subject.digest, default: []].append(referrer.descriptor)
        }
        scanned = bySubject
    }

    /// The referrers of `subject`, in the source's order; only those of `artifactType` when given.
    public func referrers(of subject: Digest, artifactType: String? = nil) async throws -> [Descriptor] {
        guard let scanned else {
            // `init` left `scanned` nil only for a listing source.
            guard let listing = source.capabilities.referrerListing else { return [] }
            return try await listing.referrers(of: subject, artifactType: artifactType)
        }
        let all = scanned[subject] ?? []
        guard let artifactType else { return all }
        return all.filter { $0.artifactType == artifactType }
    }
}
