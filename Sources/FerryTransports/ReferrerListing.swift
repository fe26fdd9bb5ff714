import FerrySpec

/// A source that lists the referrers of a manifest itself — the manifests whose `subject` names
/// it (signatures, SBOMs, attestations) — as a registry does with its referrers API.
///
/// Sources that hold all their manifests in one list (OCI layouts and archives) do not need this:
/// the engine finds their referrers by reading the `subject` of each entry.
public protocol ReferrerListing: ImageSource {
    /// The referrers of `subject`, each with its `artifactType`; only those of `artifactType` when
    /// it is given.
    /// - Returns: descriptors the source's ``ImageSource/document(_:)`` can read.
    func referrers(of subject: Digest, artifactType: String?) async throws -> [Descriptor]
}
