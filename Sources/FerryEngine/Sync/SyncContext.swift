import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// The shared state of one sync run: its options, opened sources and the blob bound.
struct SyncContext: Sendable {
    let options: SyncOptions
    let groups: [ImageSet.Group]
    let sourceClients: SyncRegistryEndpoints
    let locals: [String: any ImageSource]
    /// The delta record of each local source that is a delta bundle, by place.
    let deltas: [String: BundleDelta]
    let slots: BlobSlots
    /// Per destination registry host: which repositories hold each blob (shared with a one-pass
    /// read that landed blobs before the images were copied).
    let ledgers: [String: BlobLedger]
    /// Per local place read once before the copies (``SyncOnePass``), per destination (its
    /// description): the blobs it put there, which the copies take as they are (never read from
    /// the source again).
    let landedEarly: [String: [String: Set<Digest>]]
    /// `--limit-rate`, shared by every blob the sync reads.
    let rateLimiter: RateLimiter?
    /// The manifests and configs read from source registries: each is fetched once, however many
    /// destinations plan the image.
    var registryReads = RegistryReadCache()

    /// The staging layout of a bundle at `path`: `.NAME.ferry-sync/` beside it.
    static func stagingPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".ferry-sync").path
    }

    /// Whether every item's source digest is what `existing` names it.
    func allPresent(_ items: [SyncItem], _ existing: [String: Digest]) async throws -> Bool {
        for item in items {
            guard let have = existing[item.reference.description] else { return false }
            let (_, entry) = try await open(item)
            if entry.descriptor.digest != have { return false }
        }
        return true
    }

    /// Name → digest of the entries of the layout at `path` (empty when there is none yet).
    static func namedDigests(inLayout path: String) async -> [String: Digest] {
        guard FileManager.default.fileExists(atPath: path + "/index.json"), let source = try? OCILayoutSource(path: path) else { return [:] }
        return await namedDigests(source)
    }

    /// Name → digest of the entries of the archive at `path` (empty when there is none).
    static func namedDigests(inArchive path: String) async -> [String: Digest] {
        guard FileManager.default.fileExists(atPath: path), let source = try? OCIArchiveSource(path: path) else { return [:] }
        return await namedDigests(source)
    }

    private static func namedDigests(_ source: any ImageSource) async -> [String: Digest] {
        var result: [String: Digest] = [:]
        for entry in (try? await source.entries()) ?? [] {
            for name in entry.names { result[name] = entry.descriptor.digest }
        }
        return result
    }

    /// Stops a delta import, listing them all, when blobs its bundle relies on are neither at
    /// the destination nor mountable there from the repositories its inventory named.
    func checkBases(_ images: [SyncStage.Prepared]) async throws {
        guard !images.isEmpty else { return }
        var checks: [(BundleDelta.Blob, SyncStage.Prepared)] = []
        var seen = Set<String>()
        for prepared in images {
            guard case .local(let place) = prepared.item.origin, let delta = deltas[place] else { continue }
            for blob in delta.reliesOn where prepared.reliedOn.contains(blob.digest) {
                if seen.insert(prepared.target.destination.name + "@" + blob.digest.description).inserted { checks.append((blob, prepared)) }
            }
        }
        let missing = try await mapConcurrently(checks, limit: max(1, options.parallelBlobs)) { blob, prepared -> MissingBase? in
            let descriptor = Descriptor(mediaType: MediaType(blob.mediaType), digest: blob.digest, size: blob.size)
            if try await prepared.target.destination.hasBlob(descriptor) { return nil }
            if let mount = prepared.target.mount, try await mount(descriptor, blob.repositories) { return nil }
            return MissingBase(blob: blob, destination: prepared.target.display)
        }.compactMap { $0 }
        guard missing.isEmpty else {
            let bundles = Set(images.map { $0.item.origin.description }).sorted().joined(separator: ", ")
            throw EngineError.missingBase(missing, bundle: bundles)
        }
    }

    /// Opens an image's source and finds its entry.
    func open(_ item: SyncItem) async throws -> (any ImageSource, SourceEntry) {
        switch item.origin {
        case .registry:
            let source = try await sourceClients.source(for: item.reference, cache: registryReads)
            return (source, try await source.entry(matching: .only))
        case .local(let place):
            guard let source = locals[place] else { throw EngineError(.invalidImageSet, "\(place) was not opened") }
            return (source, try await source.entry(matching: item.localSelector ?? .only))
        }
    }

    /// The copy options of an image: its group's platforms and referrers, the sync's blob bound.
    func copyOptions(for item: SyncItem, names: [String]) -> CopyOptions {
        var copy = CopyOptions(parallelism: 4, destinationNames: names)
        let group = groups[item.group]
        copy.platforms = group.platforms
        copy.includeReferrers = group.referrers
        copy.blobSlots = slots
        copy.rateLimiter = rateLimiter
        copy.checkLayers = options.checkLayers
        return copy
    }
}

/// `body` over `items`, at most `limit` at once, results in the items' order; the first error
/// cancels the rest and is thrown.
func mapConcurrently<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
    try await items.mapConcurrently(limit: limit, body)
}
