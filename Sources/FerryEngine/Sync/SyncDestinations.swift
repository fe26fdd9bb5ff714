import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports

/// Which repositories of a destination registry hold each blob a sync moved, mounted or found,
/// so that the other repositories mount it (`POST …?mount=&from=`) instead of receiving its bytes
/// again.
///
/// It also makes sure one repository is asked about one blob once at a time: images of one
/// repository run in parallel and share their base layers, and two mounts of one blob into one
/// repository at once race inside the registry (distribution's filesystem driver rewrites the
/// link file in place, so a manifest `PUT` between the two can find the blob missing).
actor BlobLedger {
    private struct Key: Hashable {
        let digest: Digest
        let repository: String
    }

    private var holders: [Digest: [String]] = [:]
    private var checks: [Key: Task<Bool, any Error>] = [:]

    /// Records that `repository` holds `digest`.
    func record(_ digest: Digest, in repository: String) {
        if !(holders[digest]?.contains(repository) ?? false) { holders[digest, default: []].append(repository) }
    }

    /// A repository known to hold `digest`, other than `repository`.
    func holder(of digest: Digest, otherThan repository: String) -> String? {
        holders[digest]?.first { $0 != repository }
    }

    /// Whether `repository` holds `digest`, finding out with `check` once for all callers at the
    /// same time; a `true` answer is remembered, a `false` one (the caller uploads) is not.
    func holds(_ digest: Digest, in repository: String, check: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        if holders[digest]?.contains(repository) ?? false { return true }
        let key = Key(digest: digest, repository: repository)
        if let running = checks[key] { return try await running.value }
        let task = Task { try await check() }
        checks[key] = task
        defer { checks[key] = nil }
        let held = try await task.value
        if held { record(digest, in: repository) }
        return held
    }
}

/// A registry repository written by a sync: a blob another repository of the same registry
/// received during this sync is mounted from it, and every blob that lands is recorded; each
/// blob is asked about once per repository at a time (``BlobLedger``).
struct MountingDestination: ImageDestination {
    let inner: RegistryDestination
    let ledger: BlobLedger

    var name: String { inner.name }
    var capabilities: DestinationCapabilities { inner.capabilities }
    private var repository: String { inner.reference.repository }

    func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        let inner = self.inner
        let ledger = self.ledger
        let repository = self.repository
        return try await ledger.holds(descriptor.digest, in: repository) {
            if try await inner.hasBlob(descriptor) { return true }
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
///
/// Staging a delta bundle, it answers "present" for the layers the bundle leaves out.
///
/// Entries are held until ``addHeldEntries()`` and then added in name order, so that the same
/// set gives the same `index.json` (and the same bundle bytes) whatever order images finish in.
struct SharedLayoutDestination: ImageDestination {
    let inner: OCILayoutDestination
    var leftOut: LeftOutBlobs? = nil
    private let held = HeldEntries()

    init(inner: OCILayoutDestination, leftOut: LeftOutBlobs? = nil) {
        self.inner = inner
        self.leftOut = leftOut
    }

    /// Adds the entries the copies made to the layout, in name order (then digest).
    func addHeldEntries() async throws {
        let entries = held.list.withLock { $0 }.sorted { ($0.1.first ?? "", $0.0.digest) < ($1.1.first ?? "", $1.0.digest) }
        for (descriptor, names) in entries { try await inner.addEntry(descriptor, names: names) }
    }

    var name: String { inner.name }
    var capabilities: DestinationCapabilities { inner.capabilities }
    func hasBlob(_ descriptor: Descriptor) async throws -> Bool {
        if leftOut?.contains(descriptor.digest) ?? false { return true }
        return try await inner.hasBlob(descriptor)
    }
    func putBlob(_ blob: sending VerifyingStream) async throws -> (digest: Digest, size: Int64) { try await inner.putBlob(blob) }
    func putDocument(_ document: RawDocument) async throws { try await inner.putDocument(document) }
    func addEntry(_ descriptor: Descriptor, names: [String]) async throws { held.list.withLock { $0.append((descriptor, names)) } }
    func commit() async throws {}
    func layerTranscoded(from original: Descriptor, to landed: Descriptor) async { await inner.layerTranscoded(from: original, to: landed) }
    func keptPrefix(of descriptor: Descriptor) -> KeptBlobPrefix? { inner.keptPrefix(of: descriptor) }
}

/// The index entries a ``SharedLayoutDestination`` holds back.
private final class HeldEntries: Sendable {
    let list = Locked<[(Descriptor, [String])]>([])
}
