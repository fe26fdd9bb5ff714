import FerryRegistry
import FerrySpec
import FerryStreams

/// A repository in a registry, written through a ``RegistryClient``.
///
/// Blobs already there (`HEAD`) are skipped; with a ``mountSource``, a blob absent here is first
/// mounted from that repository of the same registry (no bytes sent; the engine counts it as
/// already present), and when the registry declines, the upload session it opened instead is
/// used for the blob. Others are streamed into an upload (`POST`, one `PATCH` or ranged
/// `PATCH`es per ``RegistryOptions/uploadChunkSize``, `PUT ?digest=`; a blob whose digest is
/// known goes as the body of that `PUT`). Manifests are put children first: a tagged one only
/// under its tags in ``addEntry(_:names:)`` (a refused tag that already names that digest is
/// success, which immutable ECR tags need), the others by digest before anything that refers to
/// them, and any left at ``commit()``.
public struct RegistryDestination: ImageDestination {
    /// The client for the reference's registry.
    public let client: RegistryClient
    /// The repository written to (its tag or digest, if any, is the caller's business).
    public let reference: Reference
    /// A repository of the same registry that blobs are mounted from (formats.md §8.3 item 2),
    /// typically the source of a registry-to-registry copy within one host; `nil` for none.
    public let mountSource: String?
    /// What a copy reports about where the image went (a short name's resolution).
    public var notes: [String] = []
    private let documents = DocumentShelf()
    private let declinedMounts = UploadShelf()

    /// A destination for the repository of `reference` through `client`.
    /// - Parameter mountSource: a repository of the same registry to mount blobs from.
    public init(client: RegistryClient, reference: Reference, mountSource: String? = nil) {
        self.client = client
        self.reference = reference
        self.mountSource = mountSource == reference.repository ? nil : mountSource
    }

    public var name: String { "docker://\(reference.name)" }

    public var capabilities: DestinationCapabilities {
        DestinationCapabilities(
            acceptedManifestTypes: Set(RegistryClient.acceptedManifestTypes),
            acceptedLayerCompressions: nil,
            holdsSeveralImages: true,
            holdsIndexes: true,
            preferredManifestFormat: .oci,
            preferredLayerCompression: .gzip,
            holdsSparseIndexes: false)
    }

    /// Whether the repository holds the blob (`HEAD`), or — with a ``mountSource`` — holds it
    /// now that it was mounted from there. A declined mount keeps the upload session the registry
    /// opened for the ``putBlob(_:)`` that follows; a mount that fails outright (no `pull` on the
    /// source, say) just means the blob is uploaded.
    public func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        if let size = try await client.blobSize(reference.repository, descriptor.digest) {
            return size < 0 || size == descriptor.size
        }
        guard let mountSource else { return false }
        do {
            switch try await client.mountBlob(descriptor.digest, into: reference.repository, from: mountSource) {
            case .mounted:
                return true
            case .declined(let upload):
                if let replaced = await declinedMounts.keep(upload, for: descriptor.digest) { await client.cancelUpload(replaced) }
                return false
            }
        } catch let error as RegistryError where error.code != .connection {
            return false
        }
    }

    public func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        var upload: BlobUpload?
        if let digest = blob.expectedDigest { upload = await declinedMounts.take(digest) }
        return try await client.pushBlob(reference.repository, from: blob, upload: upload)
    }

    /// Keeps the document; it is put by digest before anything that may refer to it is put, or
    /// under its tag by ``addEntry(_:names:)`` (one `PUT` instead of two), or at ``commit()``.
    public func putDocument(_ document: RawDocument) async throws {
        await documents.keep(document)
    }

    /// Puts by digest, in the order they were given (children before their index), every kept
    /// document not put yet, except `digest`.
    private func flush(except digest: Digest? = nil) async throws {
        for document in await documents.takePending(except: digest) {
            try await client.putManifest(document, reference.repository, .digest(document.digest))
        }
    }

    public func addEntry(_ descriptor: Descriptor, names: [String]) async throws {
        guard !names.isEmpty else { return }
        guard let document = await documents.document(descriptor.digest) else {
            throw TransportError(.invalidArgument, "\(name): manifest \(descriptor.digest) was not written before being tagged")
        }
        for tag in names {
            guard Reference.isValidTag(tag) else {
                throw TransportError(
                    .invalidArgument,
                    "\(name): \(Echo.quoted(tag)) is not a valid tag (letters, digits, _ . -, at most 128); name the destination docker://\(reference.name):TAG"
                )
            }
        }
        // What this document refers to goes first; the document itself lands under its tag (the
        // registry stores it by digest too).
        try await flush(except: document.digest)
        for tag in names {
            do {
                try await client.putManifest(document, reference.repository, .tag(tag))
            } catch let refusal as RegistryError where refusal.code != .connection {
                // Immutable tags (Amazon ECR) refuse even an identical re-push: when the tag
                // already names this digest there was nothing to do.
                guard let existing = try? await client.manifestDescriptor(reference.repository, .tag(tag)), existing.digest == document.digest else {
                    throw refusal
                }
            }
        }
        await documents.markPut(document.digest)
    }

    /// Cancels the sessions of declined mounts that no blob used.
    public func commit() async throws {
        for upload in await declinedMounts.takeAll() { await client.cancelUpload(upload) }
        try await flush()
    }
}

/// Upload sessions that declined mounts opened, by blob, until the blob's upload takes them.
private actor UploadShelf {
    private var byDigest: [Digest: BlobUpload] = [:]

    /// Keeps `upload` for `digest`; returns the one it replaces, if any.
    func keep(_ upload: BlobUpload, for digest: Digest) -> BlobUpload? { byDigest.updateValue(upload, forKey: digest) }

    func take(_ digest: Digest) -> BlobUpload? { byDigest.removeValue(forKey: digest) }

    func takeAll() -> [BlobUpload] {
        defer { byDigest = [:] }
        return Array(byDigest.values)
    }
}

/// The documents a destination was given, in order, and which of them are not in the registry yet.
private actor DocumentShelf {
    private var byDigest: [Digest: RawDocument] = [:]
    private var pending: [Digest] = []

    func keep(_ document: RawDocument) {
        if byDigest.updateValue(document, forKey: document.digest) == nil { pending.append(document.digest) }
    }

    func document(_ digest: Digest) -> RawDocument? { byDigest[digest] }

    /// The documents not put yet, oldest first, except `digest`; they count as put from now on.
    func takePending(except digest: Digest?) -> [RawDocument] {
        let taken = pending.filter { $0 != digest }
        pending.removeAll { $0 != digest }
        return taken.compactMap { byDigest[$0] }
    }

    func markPut(_ digest: Digest) { pending.removeAll { $0 == digest } }
}
