import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

extension SyncContext {
    // MARK: Opening a destination

    /// Opens a registry destination: each image lands in its repository under `prefix`, mounting
    /// blobs another repository of the registry holds. With `--create-repository` (ECR), each
    /// repository the set lands in is created first.
    func registryStage(_ items: [SyncItem], client: RegistryClient, host: String, prefix: String) async throws -> SyncStage {
        let ledger = ledgers[host] ?? BlobLedger()
        let scoped = options.scoped
        if options.destinationRegistry.createRepository, !options.dryRun {
            let repositories = Set(items.map { SyncDestination.repository(for: $0.reference, prefix: prefix, scoped: scoped) })
            for repository in repositories.sorted() { _ = try await client.createRepository(repository) }
        }
        return SyncStage(label: "docker://\(host)\(prefix.isEmpty ? "" : "/" + prefix)", ending: .registry) { item in
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
                },
                mountGroup: host)
        }
    }

    /// Opens one layout for the whole set, every image named by its full reference.
    func layoutStage(path: String, label: String) async throws -> SyncStage {
        let layout = try OCILayoutDestination(path: path, durable: options.durable)
        return await layoutStage(layout, label: label, ending: { .layout(layout, $0) })
    }

    /// Opens a bundle: the set goes into a staging layout beside the file (kept when the sync
    /// fails, so a rerun reuses every blob that landed), which is packed into the archive at the
    /// end — or, with ``SyncOptions/splitSize``, into numbered parts. With ``SyncOptions/have`` it
    /// is a delta bundle: the layers the far side has are left out and recorded.
    func bundleStage(_ items: [SyncItem], path: String) async throws -> SyncStage {
        let label = "oci-archive:\(path)"
        let partsManifest = path + BundleParts.fileSuffix
        let existingPlace = FileSystem.exists(path) ? path : FileSystem.exists(partsManifest) ? partsManifest : nil
        var existing: [String: Digest] = [:]
        if let existingPlace { existing = await Self.namedDigests(inArchive: existingPlace) }
        if !existing.isEmpty, try await allPresent(items, existing) {
            // Every image of the set is in the bundle already: nothing to write. A staging layout
            // still beside it is the leftover of a run killed after packing and is removed.
            if !options.dryRun { try? FileManager.default.removeItem(atPath: Self.stagingPath(for: path)) }
            var stage = SyncStage(label: label, ending: .upToDate) { _ in throw EngineError(.invalidImageSet, "\(label) holds every image already") }
            let wanted = Dictionary(items.map { ($0.reference.description, $0) }, uniquingKeysWith: { a, _ in a })
            for (name, item) in wanted.sorted(by: { $0.key < $1.key }) {
                stage.report.images.append(.init(source: item.description, destination: "\(label):\(name)", digest: existing[name], status: .upToDate))
                options.progress?(.finished(stage.report.images[stage.report.images.count - 1]))
            }
            return stage
        }
        let isDelta = !options.have.isEmpty
        // A delta or split bundle is made whole from the set; adding to one would mix shipments.
        let addsToExisting = existingPlace == path && !isDelta && options.splitSize == nil
        if let existingPlace, !addsToExisting, !options.dryRun {
            throw TransportError(
                .invalidInput,
                "\(existingPlace) exists and holds other images; a \(isDelta ? "delta" : "split") bundle is written whole, never added to: remove it or name another file"
            )
        }
        let staging = try OCILayoutDestination(path: Self.stagingPath(for: path), durable: options.durable)
        let leftOut = isDelta ? LeftOutBlobs(have: options.have) : nil
        return await layoutStage(
            staging, label: label, leftOut: leftOut, ending: { .bundle(path: path, staging: staging, shared: $0, addsToExisting: addsToExisting) })
    }

    private func layoutStage(
        _ layout: OCILayoutDestination, label: String, leftOut: LeftOutBlobs? = nil, ending: (SharedLayoutDestination) -> SyncStage.Ending
    ) async -> SyncStage {
        let shared = SharedLayoutDestination(inner: layout, leftOut: leftOut)
        let existing = await Self.namedDigests(inLayout: layout.root)
        return SyncStage(label: label, ending: ending(shared), leftOut: leftOut) { item in
            let name = item.reference.description
            return SyncTarget(destination: shared, names: [name], display: "\(label):\(name)", isUpToDate: { existing[name] == $0 })
        }
    }

    // MARK: Finishing a destination

    /// The last phase of a destination: a layout's `index.json`, a bundle's packing; then its
    /// report joins the sync's.
    func finish(_ stage: SyncStage, into report: inout SyncReport) async throws {
        var own = stage.report
        defer { report.add(own) }
        switch stage.ending {
        case .registry, .upToDate:
            return
        case .layout(let layout, let shared):
            guard !options.dryRun else { return }
            try await shared.addHeldEntries()
            try await layout.commit()
        case .bundle(let path, let staging, let shared, let addsToExisting):
            for index in own.images.indices where own.images[index].status == .upToDate {
                // Up to date in the staging layout from a run that stopped: it still has to be packed.
                own.images[index].status = options.dryRun ? .planned : .copied
            }
            if let delta = stage.leftOut?.delta {
                own.blobsLeftOut += delta.reliesOn.count
                own.bytesLeftOut += delta.reliesOn.reduce(Int64(0)) { $0 &+ max(0, $1.size) }
            }
            guard !options.dryRun else { return }
            // Committed even when an image failed, so that a rerun finds the others up to date.
            try await shared.addHeldEntries()
            try await staging.commit()
            guard own.count(.failed) == 0 else { return }
            if addsToExisting {
                var copy = CopyOptions(parallelism: options.parallelBlobs)
                copy.blobSlots = slots
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: staging.root), destination: try OCIArchiveDestination(path: path, durable: options.durable),
                    selector: .all, options: copy
                ).run()
            } else if let parts = try await BundlePacker.pack(
                staging.root, to: path, delta: stage.leftOut?.delta, splitSize: options.splitSize, durable: options.durable)
            {
                own.parts = parts
            }
            try? FileManager.default.removeItem(atPath: staging.root)
        }
    }
}

extension SyncReport {
    /// Adds another destination's report to this one.
    mutating func add(_ other: SyncReport) {
        images += other.images
        uniqueBlobs += other.uniqueBlobs
        uniqueBytes += other.uniqueBytes
        blobsCopied += other.blobsCopied
        bytesCopied += other.bytesCopied
        blobsLeftOut += other.blobsLeftOut
        bytesLeftOut += other.bytesLeftOut
        if let parts = other.parts { self.parts = parts }
    }
}
