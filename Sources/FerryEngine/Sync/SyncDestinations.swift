import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports

/// Which repository of a destination registry holds each blob a sync moved or found, so that the
/// other repositories mount it (`POST …?mount=&from=`) instead of receiving its bytes again.
actor BlobLedger {
    private var holders: [Digest: String] = [:]

    /// Records that `repository` holds `digest` (the first holder is kept).
    func record(_ digest: Digest, in repository: String) {
        if holders[digest] == nil { holders[digest] = repository }
    }

    /// A repository known to hold `digest`, other than `repository`.
    func holder(of digest: Digest, otherThan repository: String) -> String? {
        guard let holder = holders[digest], holder != repository else { return nil }
        return holder
    }
}

/// A registry repository written by a sync: blobs another repository of the same registry
/// received during this sync are mounted from it, and every blob that lands is recorded.
struct MountingDestination: ImageDestination {
    let inner: RegistryDestination
    let ledger: BlobLedger

    var name: String { inner.name }
    var capabilities: DestinationCapabilities { inner.capabilities }
    private var repository: String { inner.reference.repository }

    func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        if try await inner.hasBlob(descriptor) {
            await ledger.record(descriptor.digest, in: repository)
            return true
        }
        guard let holder = await ledger.holder(of: descriptor.digest, otherThan: repository) else { return false }
        do {
            switch try await inner.client.mountBlob(descriptor.digest, into: repository, from: holder) {
            case .mounted:
                return true
            case .declined(let upload):
                await inner.client.cancelUpload(upload)
                return false
            }
        } catch let error as RegistryError where error.code != .connection {
            return false
        }
    }

    func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) {
        let landed = try await inner.putBlob(blob)
        await ledger.record(landed.digest, in: repository)
        return landed
    }

    func putDocument(_ document: RawDocument) async throws { try await inner.putDocument(document) }
    func addEntry(_ descriptor: Descriptor, names: [String]) async throws { try await inner.addEntry(descriptor, names: names) }
    func commit() async throws { try await inner.commit() }
}

/// One layout written by many copies of a sync: each copy's ``commit()`` does nothing, and the
/// sync commits the layout once, when every image is in (one `index.json` write).
struct SharedLayoutDestination: ImageDestination {
    let inner: OCILayoutDestination

    var name: String { inner.name }
    var capabilities: DestinationCapabilities { inner.capabilities }
    func hasBlob(_ descriptor: Descriptor) async throws -> Bool { try await inner.hasBlob(descriptor) }
    func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) { try await inner.putBlob(blob) }
    func putDocument(_ document: RawDocument) async throws { try await inner.putDocument(document) }
    func addEntry(_ descriptor: Descriptor, names: [String]) async throws { try await inner.addEntry(descriptor, names: names) }
    func commit() async throws {}
    func layerTranscoded(from original: Descriptor, to landed: Descriptor) async { await inner.layerTranscoded(from: original, to: landed) }
}
