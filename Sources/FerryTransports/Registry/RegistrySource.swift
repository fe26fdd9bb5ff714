import FerryRegistry
import FerrySpec
import FerryStreams

/// A repository in a registry, read through a ``RegistryClient`` (`docker://HOST/REPO[:TAG|@DIGEST]`).
///
/// It holds one entry: the manifest or index the reference names (`latest` when it names
/// neither a tag nor a digest). Documents are fetched by digest and verified by the client;
/// blobs stream straight from the response body and are verified by the engine.
public struct RegistrySource: ImageSource {
    /// The client for the reference's registry.
    public let client: RegistryClient
    /// The image, normalised (a tag is `latest` when none was written).
    public let reference: Reference
    /// What a copy reports about where the image was found (a mirror that served it, a short
    /// name's resolution), one sentence each.
    public var notes: [String] = []

    /// A source for `reference` through `client`, which must talk to `reference.domain`.
    public init(client: RegistryClient, reference: Reference) {
        self.client = client
        self.reference = reference.normalized
    }

    public var name: String { "docker://\(reference)" }

    /// The manifest the reference names: its digest, else its tag (`latest` when none).
    var manifestReference: ManifestReference {
        if let digest = reference.digest { return .digest(digest) }
        return .tag(reference.tag ?? Reference.defaultTag)
    }

    public func entries() async throws -> [SourceEntry] {
        let document = try await client.manifest(reference.repository, manifestReference)
        let names = reference.digest == nil ? [reference.tag ?? Reference.defaultTag] : []
        // The full name, so that a copy can record it (`io.containerd.image.name`, `RepoTags`).
        let aliases = reference.digest == nil ? [reference.description] : []
        return [SourceEntry(descriptor: document.descriptor, names: names, aliases: aliases)]
    }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] {
        if descriptor.mediaType.isManifestOrIndex {
            return try await client.manifest(reference.repository, .digest(descriptor.digest)).bytes
        }
        let stream = try await client.blob(reference.repository, descriptor.digest)
        return try await stream.readAll(limit: DocumentLimits.maximumDocumentSize, context: "\(descriptor.digest) in \(name)")
    }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream {
        try await client.blob(reference.repository, descriptor.digest)
    }
}

extension RegistrySource: ReferrerListing {
    /// The referrers the registry lists: its referrers API, or the referrers tag schema's index
    /// when it has no such API (``RegistryClient/referrers(_:of:artifactType:)``).
    public func referrers(of subject: Digest, artifactType: String?) async throws -> [Descriptor] {
        try await client.referrers(reference.repository, of: subject, artifactType: artifactType).manifests
    }
}
