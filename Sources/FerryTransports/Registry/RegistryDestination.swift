import FerryRegistry
import FerrySpec
import FerryStreams

/// A repository in a registry, written through a ``RegistryClient``.
///
/// Blobs already there (`HEAD`) are skipped; others are streamed into an upload
/// (`POST`, one `PATCH`, `PUT ?digest=`). Manifests are put by digest, children first, and the
/// top-level one again under each tag in ``addEntry(_:names:)`` (skipped when the tag already
/// names that digest, which immutable ECR tags need); the registry makes each visible
/// as it lands, so ``commit()`` has nothing left to do.
public struct RegistryDestination: ImageDestination {
    /// The client for the reference's registry.
    public let client: RegistryClient
    /// The repository written to (its tag or digest, if any, is the caller's business).
    public let reference: Reference
    private let documents = DocumentShelf()

    /// A destination for the repository of `reference` through `client`.
    public init(client: RegistryClient, reference: Reference) {
        self.client = client
        self.reference = reference
    }

    public var name: String { "docker://\(reference.name)" }

    public var capabilities: DestinationCapabilities {
        DestinationCapabilities(
            acceptedManifestTypes: Set(RegistryClient.acceptedManifestTypes),
            acceptedLayerCompressions: nil,
            holdsSeveralImages: true,
            holdsIndexes: true,
            preferredManifestFormat: .oci,
            preferredLayerCompression: .gzip)
    }

    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        guard let size = try await client.blobSize(reference.repository, descriptor.digest) else { return false }
        return size < 0 || size == descriptor.size
    }

    public func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        try await client.pushBlob(reference.repository, from: blob)
    }

    public func putDocument(_ document: RawDocument) async throws {
        try await client.putManifest(document, reference.repository, .digest(document.digest))
        await documents.keep(document)
    }

    public func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        guard !names.isEmpty else { return }
        guard let document = await documents.document(descriptor.digest) else {
            throw TransportError(.invalidArgument, "\(name): manifest \(descriptor.digest) was not written before being tagged")
        }
        for tag in names {
            guard Reference.isValidTag(tag) else {
                throw TransportError(.invalidArgument, "\(name): \"\(tag)\" is not a valid tag (letters, digits, _ . -, at most 128); name the destination docker://\(reference.name):TAG")
            }
            // Immutable tags (Amazon ECR) refuse even an identical re-push: when the tag already
            // names this digest there is nothing to do. A failed HEAD just means "put it".
            if let existing = try? await client.manifestDescriptor(reference.repository, .tag(tag)), existing.digest == document.digest {
                continue
            }
            try await client.putManifest(document, reference.repository, .tag(tag))
        }
    }

    public func commit() async throws {}
}

/// The documents a destination was given, so the top-level one can be put again under its tags.
private actor DocumentShelf {
    private var byDigest: [Digest: RawDocument] = [:]

    func keep(_ document: RawDocument) { byDigest[document.digest] = document }

    func document(_ digest: Digest) -> RawDocument? { byDigest[digest] }
}
