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

    /// Documents and configs already read in this run, shared by the sources of a sync; `nil`
    /// reads everything from the registry.
    public let cache: RegistryReadCache?

    /// A source for `reference` through `client`, which must talk to `reference.domain`.
    /// - Parameter cache: keeps the documents and configs read, for other sources of the run.
    public init(client: RegistryClient, reference: Reference, cache: RegistryReadCache? = nil) {
        self.client = client
        self.reference = reference.normalized
        self.cache = cache
    }

    public var name: String { "docker://\(reference)" }

    /// Remote, listing its own referrers.
    public var capabilities: SourceCapabilities { SourceCapabilities(isRemote: true, referrerListing: self, rangedBlobs: self) }

    /// The manifest the reference names: its digest, else its tag (`latest` when none).
    var manifestReference: ManifestReference {
        if let digest = reference.digest { return .digest(digest) }
        return .tag(reference.tag ?? Reference.defaultTag)
    }

    public func entries() async throws -> [SourceEntry] {
        let document = try await manifest(manifestReference)
        let names = reference.digest == nil ? [reference.tag ?? Reference.defaultTag] : []
        // The full name, so that a copy can record it (`io.containerd.image.name`, `RepoTags`).
        let aliases = reference.digest == nil ? [reference.description] : []
        return [SourceEntry(descriptor: document.descriptor, names: names, aliases: aliases)]
    }

    public func document(_ descriptor: Descriptor) async throws -> [UInt8] {
        if descriptor.mediaType.isManifestOrIndex {
            return try await manifest(.digest(descriptor.digest)).bytes
        }
        let stream = try await client.blob(reference.repository, descriptor.digest)
        return try await stream.readAll(limit: DocumentLimits.maximumDocumentSize, context: "\(descriptor.digest) in \(name)")
    }

    public func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream {
        guard let cache, descriptor.mediaType.isImageConfig, descriptor.size >= 0, descriptor.size <= RegistryReadCache.largestConfig else {
            return try await client.blob(reference.repository, descriptor.digest)
        }
        // A config: read whole (it is small) and kept as it came; every reader verifies it.
        let (client, repository, context) = (self.client, reference.repository, "config \(descriptor.digest) in \(name)")
        let kept = try await cache.document(descriptor.digest.description) {
            let bytes = try await client.blob(repository, descriptor.digest).readAll(limit: RegistryReadCache.largestConfig, context: context)
            return RawDocument(bytes: bytes, mediaType: descriptor.mediaType, digest: descriptor.digest)
        }
        return MemoryByteStream(kept.bytes)
    }

    /// The blob from byte `offset` on (`Range: bytes=OFFSET-`; a registry that ignores `Range`
    /// is read from the start and the first bytes dropped).
    public func blob(_ descriptor: Descriptor, from offset: Int64) async throws -> sending any ByteStream {
        try await client.blob(reference.repository, descriptor.digest, from: offset)
    }

    /// A manifest or index, from the cache when this run read it already.
    private func manifest(_ wanted: ManifestReference) async throws -> RawDocument {
        guard let cache else { return try await client.manifest(reference.repository, wanted) }
        let key: String
        switch wanted {
        case .digest(let digest): key = digest.description
        case .tag(let tag): key = "\(reference.domain)/\(reference.repository):\(tag)"
        }
        let (client, repository) = (self.client, reference.repository)
        let document = try await cache.document(key) { try await client.manifest(repository, wanted) }
        // The planner reads the same manifest again by digest.
        if case .tag = wanted { cache.remember(document, as: document.digest.description) }
        return document
    }
}

extension RegistrySource: RangedBlobReading {}

extension RegistrySource: ReferrerListing {
    /// The referrers the registry lists: its referrers API, or the referrers tag schema's index
    /// when it has no such API (``RegistryClient/referrers(_:of:artifactType:)``).
    public func referrers(of subject: Digest, artifactType: String?) async throws -> [Descriptor] {
        try await client.referrers(reference.repository, of: subject, artifactType: artifactType).manifests
    }
}
