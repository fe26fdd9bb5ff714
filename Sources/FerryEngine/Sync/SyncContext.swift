import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// Where one image of a sync goes at one destination.
struct SyncTarget: Sendable {
    let destination: any ImageDestination
    /// The names the image gets there (a tag, or its full reference in a layout).
    let names: [String]
    /// How the image is shown at the destination, for reports.
    let display: String
    /// Whether the destination already holds the image with this digest under its name.
    let isUpToDate: @Sendable (Digest) async throws -> Bool
    /// Mounts a blob from one of these repositories of the destination registry; `nil` where
    /// there are no repositories to mount from.
    var mount: (@Sendable (Descriptor, [String]) async throws -> Bool)? = nil
}

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
    /// Per local place read once before the copies (``SyncOnePass``): the blobs it put in the
    /// first destination, which the copies take as they are (never read from the source again).
    let landedEarly: [String: Set<Digest>]
    /// `--limit-rate`, shared by every blob the sync reads.
    let rateLimiter: RateLimiter?

    /// The staging layout of a bundle at `path`: `.NAME.ferry-sync/` beside it.
    static func stagingPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".ferry-sync").path
    }

    // MARK: Destinations

    func syncToRegistry(_ items: [SyncItem], client: RegistryClient, host: String, prefix: String, report: inout SyncReport) async throws {
        let ledger = ledgers[host] ?? BlobLedger()
        let scoped = options.scoped
        if options.destinationRegistry.createRepository, !options.dryRun {
            // ECR: each repository the set lands in exists before anything is pushed to it.
            let repositories = Set(items.map { SyncDestination.repository(for: $0.reference, prefix: prefix, scoped: scoped) })
            for repository in repositories.sorted() { _ = try await client.createRepository(repository) }
        }
        try await sync(items, label: "docker://\(host)\(prefix.isEmpty ? "" : "/" + prefix)", report: &report) { item in
            let repository = SyncDestination.repository(for: item.reference, prefix: prefix, scoped: scoped)
            let suffix = item.tag.map { ":" + $0 } ?? "@\(item.reference.digest?.description ?? "")"
            let reference = try Reference(parsing: "\(host)/\(repository)\(suffix)")
            let lookup: ManifestReference = item.tag.map { .tag($0) } ?? .digest(item.reference.digest!)
            return SyncTarget(
                destination: MountingDestination(inner: RegistryDestination(client: client, reference: reference), ledger: ledger),
                names: item.tag.map { [$0] } ?? [],
                display: "docker://\(reference)",
                isUpToDate: { digest in try await client.manifestDescriptor(repository, lookup)?.digest == digest },
                mount: { blob, holders in
                    for holder in holders where holder != repository {
                        switch try await client.mountBlob(blob.digest, into: repository, from: holder) {
                        case .mounted:
                            await ledger.record(blob.digest, in: repository)
                            return true
                        case .declined(let upload):
                            await client.cancelUpload(upload)
                        }
                    }
                    return false
                })
        }
    }

    func syncToLayout(_ items: [SyncItem], path: String, label: String, leftOut: LeftOutBlobs? = nil, report: inout SyncReport) async throws {
        let layout = try OCILayoutDestination(path: path, durable: options.durable)
        let shared = SharedLayoutDestination(inner: layout, leftOut: leftOut)
        let existing = await Self.namedDigests(inLayout: path)
        try await sync(items, label: label, leftOut: leftOut, report: &report) { item in
            let name = item.reference.description
            return SyncTarget(destination: shared, names: [name], display: "\(label):\(name)", isUpToDate: { existing[name] == $0 })
        }
        if !options.dryRun {
            try await shared.addHeldEntries()
            try await layout.commit()
        }
    }

    /// A bundle: the set goes into a staging layout beside the file (kept when the sync fails,
    /// so a rerun reuses every blob that landed), which is then packed into the archive — or,
    /// with ``SyncOptions/splitSize``, into numbered parts. With ``SyncOptions/have`` it is a
    /// delta bundle: the layers the far side has are left out and recorded.
    func syncToBundle(_ items: [SyncItem], path: String, report: inout SyncReport) async throws {
        let label = "oci-archive:\(path)"
        let partsManifest = path + BundleParts.fileSuffix
        let existingPlace = FileSystem.exists(path) ? path : FileSystem.exists(partsManifest) ? partsManifest : nil
        var existing: [String: Digest] = [:]
        if let existingPlace { existing = await Self.namedDigests(inArchive: existingPlace) }
        let staging = Self.stagingPath(for: path)
        // Every image of the set is in the bundle already: nothing to write.
        let wanted = Dictionary(items.map { ($0.reference.description, $0) }, uniquingKeysWith: { a, _ in a })
        if !existing.isEmpty, try await allPresent(items, existing) {
            for (name, item) in wanted.sorted(by: { $0.key < $1.key }) {
                report.images.append(.init(source: item.description, destination: "\(label):\(name)", digest: existing[name], status: .upToDate))
                options.progress?(.finished(report.images[report.images.count - 1]))
            }
            return
        }
        let isDelta = !options.have.isEmpty
        // A delta or split bundle is made whole from the set; adding to one would mix shipments.
        let addsToExisting = existingPlace == path && !isDelta && options.splitSize == nil
        if let existingPlace, !addsToExisting, !options.dryRun {
            throw TransportError(.invalidInput, "\(existingPlace) exists and holds other images; a \(isDelta ? "delta" : "split") bundle is written whole, never added to: remove it or name another file")
        }
        let leftOut = isDelta ? LeftOutBlobs(have: options.have) : nil
        var staged = SyncReport()
        try await syncToLayout(items, path: staging, label: label, leftOut: leftOut, report: &staged)
        for index in staged.images.indices where staged.images[index].status == .upToDate {
            // Up to date in the staging layout from a run that stopped: it still has to be packed.
            staged.images[index].status = options.dryRun ? .planned : .copied
        }
        report.images += staged.images
        report.uniqueBlobs += staged.uniqueBlobs
        report.uniqueBytes += staged.uniqueBytes
        report.blobsCopied += staged.blobsCopied
        report.bytesCopied += staged.bytesCopied
        if let delta = leftOut?.delta {
            report.blobsLeftOut += delta.reliesOn.count
            report.bytesLeftOut += delta.reliesOn.reduce(Int64(0)) { $0 &+ max(0, $1.size) }
        }
        guard !options.dryRun, staged.count(.failed) == 0 else { return }
        if addsToExisting {
            var copy = CopyOptions(parallelism: options.parallelBlobs)
            copy.blobSlots = slots
            _ = try await CopyOperation(source: try OCILayoutSource(path: staging), destination: try OCIArchiveDestination(path: path, durable: options.durable), selector: .all, options: copy).run()
        } else {
            if let parts = try await BundlePacker.pack(staging, to: path, delta: leftOut?.delta, splitSize: options.splitSize, durable: options.durable) {
                report.parts = parts
            }
        }
        try? FileManager.default.removeItem(atPath: staging)
    }

    /// Whether every item's source digest is what `existing` names it.
    private func allPresent(_ items: [SyncItem], _ existing: [String: Digest]) async throws -> Bool {
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

    // MARK: One destination

    /// An image ready to copy: its source, entry and the blobs it needs moved.
    private struct Prepared: Sendable {
        let item: SyncItem
        let target: SyncTarget
        let source: any ImageSource
        let entry: SourceEntry
        let blobs: [Descriptor]
        /// Layers the image's source relies on the destination having (a delta bundle's), or
        /// that a delta bundle being written leaves out.
        let reliedOn: Set<Digest>
    }

    /// What preparing an image gave.
    private enum Preparation: Sendable {
        case upToDate(SyncReport.Image)
        case ready(Prepared)
        case failed(SyncReport.Image)
    }

    /// The five phases for one destination (see ``SyncOperation``).
    private func sync(_ items: [SyncItem], label: String, leftOut: LeftOutBlobs? = nil, report: inout SyncReport, target makeTarget: @escaping @Sendable (SyncItem) throws -> SyncTarget) async throws {
        let keepGoing = options.keepGoing
        let deltas = self.deltas
        // 1–2. Prepare and plan each image.
        let preparations = try await mapConcurrently(items, limit: options.parallelImages) { item -> Preparation in
            var display = label
            do {
                let target = try makeTarget(item)
                display = target.display
                let (source, entry) = try await open(item)
                if try await target.isUpToDate(entry.descriptor.digest) {
                    return .upToDate(.init(source: item.description, destination: target.display, digest: entry.descriptor.digest, status: .upToDate))
                }
                let copy = copyOptions(for: item, names: target.names)
                let plan = try await CopyPlanner(source: source, capabilities: target.destination.capabilities, options: copy).plan([entry])
                var jobs: [BlobJob] = []
                var seen = Set<BlobJob>()
                for planned in plan.entries { CopyOperation.collectJobs(planned.root, into: &jobs, seen: &seen) }
                // Blobs carried as they are (layers too, which the copy sniffs for a wrong label
                // later; a mislabelled one is then written again in its corrected form).
                let layers = plan.entries.flatMap { CopyOperation.layers(of: $0.root) }
                var reliedOn = Set<Digest>()
                if let leftOut {
                    let image = target.names.first ?? item.reference.description
                    for layer in layers where leftOut.leaveOut(layer, image: image) { reliedOn.insert(layer.digest) }
                } else if case .local(let place) = item.origin, let delta = deltas[place] {
                    let relied = Set(delta.reliesOn.map(\.digest))
                    reliedOn = Set(layers.map(\.digest).filter(relied.contains))
                }
                let blobs = jobs.filter { job in
                    guard !reliedOn.contains(job.descriptor.digest) else { return false }
                    switch job.kind {
                    case .copy, .copyLayer: return true
                    case .transcode: return false
                    }
                }.map(\.descriptor)
                return .ready(Prepared(item: item, target: target, source: source, entry: entry, blobs: blobs, reliedOn: reliedOn))
            } catch {
                guard keepGoing, !(error is CancellationError) else { throw error }
                return .failed(.init(source: item.description, destination: display, status: .failed, error: FailureKind.message(for: error)))
            }
        }
        var ready: [Prepared] = []
        for preparation in preparations {
            switch preparation {
            case .upToDate(let image), .failed(let image):
                report.images.append(image)
                options.progress?(.finished(image))
            case .ready(let prepared):
                ready.append(prepared)
            }
        }

        // The unique blobs, each with the first image that needs it.
        var firstNeed: [BlobKey: Int] = [:]
        var unique: [(Descriptor, Int)] = []
        for (index, prepared) in ready.enumerated() {
            for blob in prepared.blobs where firstNeed[BlobKey(blob)] == nil {
                firstNeed[BlobKey(blob)] = index
                unique.append((blob, index))
            }
        }
        let uniqueBytes = unique.reduce(Int64(0)) { $0 &+ max(0, $1.0.size) }
        report.uniqueBlobs += unique.count
        report.uniqueBytes += uniqueBytes
        options.progress?(.planned(destination: label, images: ready.count, blobs: unique.count, bytes: uniqueBytes))
        if leftOut == nil {
            // 2½. A delta bundle's import: every blob it relies on is at the destination (or
            // mounted there) before anything is written.
            try await checkBases(ready.filter { !$0.reliedOn.isEmpty })
        }
        if options.dryRun {
            for prepared in ready {
                let image = SyncReport.Image(source: prepared.item.description, destination: prepared.target.display, digest: prepared.entry.descriptor.digest, status: .planned)
                report.images.append(image)
                options.progress?(.finished(image))
            }
            return
        }

        // 3. Each unique blob once, under the sync's bound.
        let slots = self.slots
        let readyImages = ready
        let moved = try await mapConcurrently(unique, limit: max(1, options.parallelBlobs)) { (blob, index) -> (Int, Bool, Int64)? in
            let prepared = readyImages[index]
            do {
                return try await slots.withSlot {
                    if try await prepared.target.destination.hasBlob(blob) { return (index, false, 0) }
                    var raw = try await prepared.source.blob(blob)
                    if let limiter = rateLimiter { raw = RateLimitedStream(raw, limiter: limiter) }
                    let verified = try VerifyingStream(raw, expected: blob, context: "blob \(blob.digest) of \(prepared.item.reference) from \(prepared.source.name)")
                    let landed = try await prepared.target.destination.putBlob(verified)
                    return (index, true, landed.size)
                }
            } catch {
                // The image's own copy tries the blob again and reports it.
                guard keepGoing, !(error is CancellationError) else { throw error }
                return nil
            }
        }
        var movedByImage: [Int: (count: Int, bytes: Int64, skipped: Int)] = [:]
        for case let (index, copied, bytes)? in moved {
            var entry = movedByImage[index] ?? (0, 0, 0)
            if copied {
                entry.count += 1
                entry.bytes += bytes
            } else {
                entry.skipped += 1
            }
            movedByImage[index] = entry
        }

        // 4. Each image, its blobs now present: documents and names.
        let movedEarly = movedByImage
        let finished = try await mapConcurrently(Array(ready.enumerated()), limit: options.parallelImages) { (index, prepared) -> SyncReport.Image in
            var image = SyncReport.Image(source: prepared.item.description, destination: prepared.target.display, digest: prepared.entry.descriptor.digest, status: .copied)
            do {
                let selector: ImageSelector = prepared.item.localSelector ?? .only
                var options = copyOptions(for: prepared.item, names: prepared.target.names)
                options.reliedOnBlobs = prepared.reliedOn
                if case .local(let place) = prepared.item.origin, let landed = landedEarly[place] {
                    options.reliedOnBlobs.formUnion(landed)
                }
                let copy = CopyOperation(source: prepared.source, destination: prepared.target.destination, selector: selector, options: options)
                let result = try await copy.run()
                let early = movedEarly[index] ?? (0, 0, 0)
                image.blobsCopied = early.count + result.blobsCopied
                image.bytesCopied = early.bytes + result.bytesCopied
                image.blobsSkipped = max(0, result.blobsSkipped - early.count)
                image.digest = result.entries.first?.descriptor.digest ?? image.digest
            } catch {
                guard keepGoing, !(error is CancellationError) else { throw error }
                image.status = .failed
                image.error = FailureKind.message(for: error)
            }
            options.progress?(.finished(image))
            return image
        }
        for image in finished {
            report.images.append(image)
            report.blobsCopied += image.blobsCopied
            report.bytesCopied += image.bytesCopied
        }
    }

    /// Stops a delta import, listing them all, when blobs its bundle relies on are neither at
    /// the destination nor mountable there from the repositories its inventory named.
    private func checkBases(_ images: [Prepared]) async throws {
        guard !images.isEmpty else { return }
        var checks: [(BundleDelta.Blob, Prepared)] = []
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
    private func open(_ item: SyncItem) async throws -> (any ImageSource, SourceEntry) {
        switch item.origin {
        case .registry:
            let source = try await sourceClients.source(for: item.reference)
            return (source, try await source.entry(matching: .only))
        case .local(let place):
            guard let source = locals[place] else { throw EngineError(.invalidImageSet, "\(place) was not opened") }
            return (source, try await source.entry(matching: item.localSelector ?? .only))
        }
    }

    /// The copy options of an image: its group's platforms and referrers, the sync's blob bound.
    private func copyOptions(for item: SyncItem, names: [String]) -> CopyOptions {
        var copy = CopyOptions(parallelism: 4, destinationNames: names)
        let group = groups[item.group]
        copy.platforms = group.platforms
        copy.includeReferrers = group.referrers
        copy.blobSlots = slots
        copy.rateLimiter = rateLimiter
        return copy
    }
}

/// `body` over `items`, at most `limit` at once, results in the items' order; the first error
/// cancels the rest and is thrown.
func mapConcurrently<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
    try await items.mapConcurrently(limit: limit, body)
}
