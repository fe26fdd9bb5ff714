import FerrySpec
import FerryStreams
import FerryTransports

extension SyncContext {
    /// What preparing an image gave.
    private enum Preparation: Sendable {
        case upToDate(SyncReport.Image)
        case ready(SyncStage.Prepared)
        case failed(SyncReport.Image)
    }

    // MARK: 1–2. Prepare and plan

    /// Finds which images the destination lacks and plans each (``CopyPlanner``), collecting the
    /// unique blobs they need; a delta import checks here that the destination has what its
    /// bundle relies on. With `--dry-run` the plan is the result.
    func prepare(_ stage: inout SyncStage, _ items: [SyncItem]) async throws {
        let keepGoing = options.keepGoing
        let deltas = self.deltas
        let label = stage.label
        let leftOut = stage.leftOut
        let makeTarget = stage.makeTarget
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
                    case .copy: return true
                    // Checked layers are read by the image's copy, which checks them on the way.
                    case .copyLayer: return !options.checkLayers
                    case .transcode: return false
                    }
                }.map(\.descriptor)
                return .ready(.init(item: item, target: target, source: source, entry: entry, plan: plan, blobs: blobs, reliedOn: reliedOn))
            } catch {
                guard keepGoing, !(error is CancellationError) else { throw error }
                return .failed(.init(source: item.description, destination: display, status: .failed, error: FailureKind.message(for: error)))
            }
        }
        for preparation in preparations {
            switch preparation {
            case .upToDate(let image), .failed(let image):
                stage.report.images.append(image)
                options.progress?(.finished(image))
            case .ready(let prepared):
                stage.ready.append(prepared)
            }
        }

        // The unique blobs, each with the first image that needs it.
        var firstNeed = Set<BlobKey>()
        for (index, prepared) in stage.ready.enumerated() {
            for blob in prepared.blobs where firstNeed.insert(BlobKey(blob)).inserted { stage.blobs.append((blob, index)) }
        }
        let uniqueBytes = stage.blobs.reduce(Int64(0)) { $0 &+ max(0, $1.0.size) }
        stage.report.uniqueBlobs += stage.blobs.count
        stage.report.uniqueBytes += uniqueBytes
        options.progress?(.planned(destination: label, images: stage.ready.count, blobs: stage.blobs.count, bytes: uniqueBytes))
        if leftOut == nil {
            // A delta bundle's import: every blob it relies on is at the destination (or mounted
            // there) before anything is written.
            try await checkBases(stage.ready.filter { !$0.reliedOn.isEmpty })
        }
        if options.dryRun {
            for prepared in stage.ready {
                let image = SyncReport.Image(
                    source: prepared.item.description, destination: prepared.target.display, digest: prepared.entry.descriptor.digest, status: .planned)
                stage.report.images.append(image)
                options.progress?(.finished(image))
            }
            stage.ready = []
            stage.blobs = []
        }
    }

    // MARK: 3. Blobs, across destinations

    /// One image of one destination needing a blob.
    private struct Need: Sendable {
        let stage: Int
        let image: Int
    }

    /// Moves each unique blob of every destination under the sync's bound: read once from the
    /// source, it is written to every destination that lacks it at the same time
    /// (``ByteFanOut``), each verifying it on its own; a destination that holds it already (or,
    /// a registry, mounts it from another repository) is skipped.
    ///
    /// A blob a destination failed to take is left to its image's copy, which tries again and
    /// reports it (with ``SyncOptions/keepGoing``; otherwise the failure ends the sync).
    func moveBlobs(_ stages: inout [SyncStage]) async throws {
        var order: [Descriptor] = []
        var needs: [BlobKey: [Need]] = [:]
        for (s, stage) in stages.enumerated() {
            for (blob, image) in stage.blobs {
                let key = BlobKey(blob)
                if needs[key] == nil { order.append(blob) }
                needs[key, default: []].append(Need(stage: s, image: image))
            }
        }
        let ready = stages.map(\.ready)
        let slots = self.slots
        let wanted = needs
        let outcomes = try await mapConcurrently(order, limit: max(1, options.parallelBlobs)) { blob in
            try await slots.withSlot { try await moveBlob(blob, to: wanted[BlobKey(blob)] ?? [], ready: ready) }
        }
        for (need, copied, bytes) in outcomes.joined() {
            var moved = stages[need.stage].moved[need.image] ?? SyncStage.Moved()
            if copied {
                moved.copied += 1
                moved.bytes += bytes
            } else {
                moved.skipped += 1
            }
            stages[need.stage].moved[need.image] = moved
        }
    }

    /// One blob to every destination that needs it; returns, per destination that has it now,
    /// whether it was written (and its size) or found there.
    /// - Parameter again: this is the second try after a kept download failed verification and
    ///   was removed (``PartialDownloadDiscarded``): the blob is read whole.
    private func moveBlob(_ blob: Descriptor, to needs: [Need], ready: [[SyncStage.Prepared]], again: Bool = false) async throws -> [(Need, Bool, Int64)] {
        let keepGoing = options.keepGoing
        func tolerate(_ error: any Error) throws {
            guard keepGoing, !(error is CancellationError) else { throw error }
        }
        var results: [(Need, Bool, Int64)] = []
        var lacking: [Need] = []
        for need in needs {
            do {
                if try await ready[need.stage][need.image].target.destination.hasBlob(blob) {
                    results.append((need, false, 0))
                } else {
                    lacking.append(need)
                }
            } catch {
                try tolerate(error)
            }
        }
        // Of the repositories of one registry that lack the blob, one receives its bytes; the
        // others mount it from there once it landed (``SyncTarget/mountGroup``).
        var groups = Set<String>()
        var mountAfter: [Need] = []
        lacking = lacking.filter { need in
            guard let group = ready[need.stage][need.image].target.mountGroup, !groups.insert(group).inserted else { return true }
            mountAfter.append(need)
            return false
        }
        guard let first = lacking.first else { return results }
        let reader = ready[first.stage][first.image]
        let context = "blob \(blob.digest) of \(reader.item.reference) from \(reader.source.name)"
        let raw: any ByteStream
        do {
            // One destination: a download it kept from a run cut short is continued. Several
            // share one read of the whole blob.
            let only = lacking.count == 1 ? reader.target.destination : nil
            raw = try await KeptDownload.open(blob, from: reader.source, into: only, limiter: rateLimiter)
        } catch {
            try tolerate(error)
            return results
        }
        let writers = lacking.map { need -> @Sendable (sending ChannelByteStream) async throws -> Int64 in
            let destination = ready[need.stage][need.image].target.destination
            return { stream in try await destination.putBlob(try VerifyingStream(stream, expected: blob, context: context)).size }
        }
        let written = await ByteFanOut.run(raw, consumers: writers)
        for (need, outcome) in zip(lacking, written) {
            switch outcome {
            case .success(let size): results.append((need, true, size))
            case .failure(is PartialDownloadDiscarded) where !again:
                do {
                    results += try await moveBlob(blob, to: [need], ready: ready, again: true)
                } catch {
                    try tolerate(error)
                }
            case .failure(let error): try tolerate(error)
            }
        }
        for need in mountAfter {
            do {
                // A mount (the ledger knows the repository that received it), else an upload.
                results += try await moveBlob(blob, to: [need], ready: ready, again: again)
            } catch {
                try tolerate(error)
            }
        }
        return results
    }

    // MARK: 4. Images

    /// Copies each ready image of the destination, its blobs now present: documents and names,
    /// from the plan the prepare phase made.
    func copyImages(_ stage: inout SyncStage) async throws {
        let keepGoing = options.keepGoing
        let moved = stage.moved
        let landedEarly = self.landedEarly
        let label = stage.label
        let finished = try await mapConcurrently(Array(stage.ready.enumerated()), limit: options.parallelImages) { (index, prepared) -> SyncReport.Image in
            var image = SyncReport.Image(
                source: prepared.item.description, destination: prepared.target.display, digest: prepared.entry.descriptor.digest, status: .copied)
            do {
                var options = copyOptions(for: prepared.item, names: prepared.target.names)
                options.reliedOnBlobs = prepared.reliedOn
                if case .local(let place) = prepared.item.origin, let landed = landedEarly[place]?[label] {
                    options.reliedOnBlobs.formUnion(landed)
                }
                let copy = CopyOperation(
                    source: prepared.source, destination: prepared.target.destination, selector: prepared.item.localSelector ?? .only, options: options)
                let result = try await copy.run(plan: prepared.plan)
                let early = moved[index] ?? SyncStage.Moved()
                image.blobsCopied = early.copied + result.blobsCopied
                image.bytesCopied = early.bytes + result.bytesCopied
                image.blobsSkipped = max(0, result.blobsSkipped - early.copied)
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
            stage.report.images.append(image)
            stage.report.blobsCopied += image.blobsCopied
            stage.report.bytesCopied += image.bytesCopied
        }
    }
}
