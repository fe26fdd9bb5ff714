import FerrySpec
import FerryStreams
import FerryTransports

/// Copies images from a source to a destination, verifying every byte on the way, converting
/// manifest format, layer compression and platform set when asked or needed.
///
/// Phases, in order (``runPhases()``): prepare the source — a source best read once
/// (``SourceCapabilities/ReadOrder/once(_:)``) is read front to back, landing blobs ahead of the
/// plan, and a schema 1 source that must be converted becomes a converted source
/// (``Schema1ConvertedSource``); writing schema 1 decorates the destination instead
/// (``Schema1Destination``); plan (every document read and verified, every decision made, see
/// ``CopyPlanner``); move blobs in parallel under ``CopyOptions/parallelism`` — copied through a
/// ``VerifyingStream`` (skipped when the destination has them) or transcoded (verified,
/// decompressed, checked against the DiffID, recompressed, hashed); write documents children
/// first; name the top-level entries; commit.
public struct CopyOperation: Sendable {
    public let source: any ImageSource
    public let destination: any ImageDestination
    public let selector: ImageSelector
    public let options: CopyOptions
    /// The one record of blobs a step before the plan already wrote to the destination
    /// (verified): a source read once (``landingAhead(_:then:)``), or the layers a schema 1
    /// conversion landed as it read them. The plan's jobs take their results from it.
    var landedAhead: LandedAhead?

    public init(source: any ImageSource, destination: any ImageDestination, selector: ImageSelector = .only, options: CopyOptions = CopyOptions()) {
        self.source = source
        self.destination = destination
        self.selector = selector
        self.options = options
    }

    /// Runs the copy.
    /// - Returns: what was copied, with the digest map of everything that changed.
    /// - Throws: the first error from the source, the destination, verification or planning;
    ///   blobs that landed before it stay (verified), nothing is committed.
    public func run() async throws -> CopyReport {
        // Writing schema 1: the same phases into a destination that rewrites each manifest.
        if let output = options.schema1Output { return try await runWritingSchema1(output) }
        return try await runPhases()
    }

    /// The phases, in order: prepare the source (a source best read once is read now, its blobs
    /// landing ahead of the plan), select, plan (a schema 1 source converted first), execute.
    func runPhases() async throws -> CopyReport {
        guard case .once(let onePass) = source.capabilities.readOrder else { return try await fromSelection() }
        return try await landingAhead(onePass) { landed in
            var operation = self
            operation.landedAhead = landed
            return try await operation.fromSelection()
        }
    }

    /// Selects the entries to copy, plans them and executes the plan.
    private func fromSelection() async throws -> CopyReport {
        try refuseInvalidLayoutIndex()
        let selected: [SourceEntry]
        if selector == .all {
            selected = try await source.entries()
            // A place with nothing to copy is refused, as verify reports it, whatever the selector.
            if selected.isEmpty { throw TransportError(.notFound, "\(source.name) holds no image") }
            if options.destinationNames != nil && selected.count > 1 {
                throw TransportError(
                    .invalidArgument, "a destination name cannot be given to \(selected.count) images; leave it out to keep each image's own names")
            }
            if !destination.capabilities.holdsSeveralImages && selected.count > 1 {
                throw TransportError(.unsupported, "\(destination.name) holds one image; \(source.name) has \(selected.count)")
            }
        } else {
            selected = [try await source.entry(matching: selector)]
        }
        if let report = try await runConvertingSchema1(selected) { return report }
        return try await planAndExecute(selected)
    }

    /// Plans `selected` and executes the plan.
    func planAndExecute(_ selected: [SourceEntry]) async throws -> CopyReport {
        let plan = try await CopyPlanner(source: source, capabilities: destination.capabilities, options: options).plan(selected)
        return try await execute(plan)
    }

    /// Runs a plan made earlier for this source, destination and options (a sync plans every
    /// image before it moves the set's blobs), without reading the source's documents again.
    ///
    /// A copy that needs a step before its plan — a source read once, schema 1 read or written —
    /// runs whole, as ``run()``.
    func run(plan: CopyPlan) async throws -> CopyReport {
        let readsOnce = source.capabilities.readsOnce
        let schema1 = plan.entries.contains { if case .schema1 = $0.root { return true } else { return false } }
        if readsOnce || schema1 || options.schema1Output != nil { return try await run() }
        try refuseInvalidLayoutIndex()
        return try await execute(plan)
    }

    /// The phases after the plan: blobs, documents (children first), names, commit.
    private func execute(_ plan: CopyPlan) async throws -> CopyReport {
        if options.includeReferrers && plan.changesDigests {
            throw EngineError(
                .unsupported,
                "--referrers: copying to \(destination.name) would change the image's digests (\(CopyPlanner.reasons(plan.entries))), and referrers point at their subject by digest; copy without --referrers, or without the option that asks for the change"
            )
        }

        var report = CopyReport()
        report.notes = source.notes + plan.notes + hostPlatformNotes(plan)
        let moved = try await moveBlobs(of: plan, report: &report, announce: true)
        var written = Set<Digest>()
        for entry in plan.entries {
            let root = try await materialize(entry.root, landed: moved.landed, written: &written, report: &report)
            let names = options.destinationNames ?? entry.names
            let fullName = options.destinationNames.map { FullImageName.first(in: $0) } ?? entry.fullName
            try await destination.addEntry(FullImageName.annotated(root, fullName: fullName), names: names)
            report.entries.append(.init(descriptor: root, names: names, sourceDigest: entry.sourceDigest, blobs: tally(entry, moved)))
        }
        if options.includeReferrers {
            try await copyReferrers(of: plan, written: &written, report: &report)
        }
        try await discardUnusedLandings(used: written.union(moved.landed.values.map(\.digest)).union(moved.landed.keys.map(\.descriptor.digest)))
        try await destination.commit()
        report.notes += destination.notes
        return report
    }

    /// Refuses a layout whose `index.json` verify reports an error for (``LayoutChecks``: a
    /// missing or mistyped field, an invalid descriptor): copy refuses what verify reports, and the
    /// layout source itself reads `index.json` leniently.
    private func refuseInvalidLayoutIndex() throws {
        guard let inventory = source as? any LayoutInventory else { return }
        var problems = ProblemList()
        LayoutChecks.checkIndexFile(inventory, problems: &problems)
        if let first = problems.all.first(where: { $0.severity == .error }) {
            throw EngineError(.invalidGraph, "\(source.name): index.json: \(first.message)")
        }
    }

    /// A note for each index a destination that holds no indexes got this machine's platform of,
    /// because no `--platform` was given (skopeo takes the host's too, silently).
    private func hostPlatformNotes(_ plan: CopyPlan) -> [String] {
        guard options.platforms.isEmpty, !destination.capabilities.holdsIndexes else { return [] }
        return plan.entries.compactMap { entry in
            // The planner replaced the index by the image it chose.
            guard case .manifest(let chosen) = entry.root, chosen.descriptor.digest != entry.sourceDigest else { return nil }
            return
                "\(entry.sourceDigest) is a multi-platform index; \(destination.name) holds one platform per image, so this machine's, \(chosen.descriptor.platform?.description ?? Platform.host.description), was taken (manifest \(chosen.descriptor.digest)); choose another with --platform"
        }
    }

    // MARK: Blobs

    /// What moving a plan's blobs did.
    struct MovedBlobs {
        /// Each blob job with the descriptor of what landed.
        var landed: [BlobJob: Descriptor] = [:]
        /// The jobs whose blob the destination already had.
        var skipped: Set<BlobJob> = []
    }

    /// Moves (or finds already present) every blob of `plan`, counting them in `report`.
    /// - Parameter announce: report the plan's size, and each entry's, to ``CopyOptions/progress`` first.
    func moveBlobs(of plan: CopyPlan, report: inout CopyReport, announce: Bool) async throws -> MovedBlobs {
        var jobs: [BlobJob] = []
        var seen = Set<BlobJob>()
        for entry in plan.entries { Self.collectJobs(entry.root, into: &jobs, seen: &seen) }
        if announce, let progress = options.progress {
            progress(.planned(blobs: jobs.count, bytes: ByteSum.clamped(jobs.map(\.descriptor.size))))
            for entry in plan.entries {
                let own = self.jobs(of: entry)
                progress(
                    .imagePlanned(
                        sourceDigest: entry.sourceDigest, names: options.destinationNames ?? entry.names, blobs: own.count,
                        bytes: ByteSum.clamped(own.map(\.descriptor.size))))
            }
        }
        var (results, remaining) = try takeLandedAhead(jobs)
        if case .sequential(let sequential) = source.capabilities.readOrder {
            let (inOrder, rest) = try await runInSourceOrder(remaining, sequential)
            results += inOrder
            remaining = rest
        }
        results += try await runJobs(remaining)
        var moved = MovedBlobs()
        for (job, descriptor, skipped) in results {
            moved.landed[job] = descriptor
            if skipped {
                moved.skipped.insert(job)
                report.blobsSkipped += 1
                report.bytesSkipped += max(0, descriptor.size)
            } else {
                report.blobsCopied += 1
                report.bytesCopied = ByteSum.adding(report.bytesCopied, descriptor.size)
            }
            if case .transcode = job.kind {
                if !skipped { report.layersTranscoded += 1 }
                report.digestMap[job.descriptor.digest] = descriptor.digest
                await destination.layerTranscoded(from: job.descriptor, to: descriptor)
            }
            if case .copyLayer = job.kind, descriptor.mediaType != job.descriptor.mediaType || descriptor.digest != job.descriptor.digest {
                report.notes.append(MislabelledLayer.note(job.descriptor, landed: descriptor, source: source.name))
                if descriptor.digest != job.descriptor.digest {
                    report.layersTranscoded += 1
                    report.digestMap[job.descriptor.digest] = descriptor.digest
                    await destination.layerTranscoded(from: job.descriptor, to: descriptor)
                }
            }
        }
        return moved
    }

    /// The blob jobs one entry of a plan needs, each once.
    private func jobs(of entry: CopyPlan.Entry) -> [BlobJob] {
        var jobs: [BlobJob] = []
        var seen = Set<BlobJob>()
        Self.collectJobs(entry.root, into: &jobs, seen: &seen)
        return jobs
    }

    /// What moving one entry's blobs took.
    private func tally(_ entry: CopyPlan.Entry, _ moved: MovedBlobs) -> CopyReport.BlobTally {
        var tally = CopyReport.BlobTally()
        for job in jobs(of: entry) {
            guard let landed = moved.landed[job] else { continue }
            if moved.skipped.contains(job) {
                tally.skipped += 1
                tally.bytesSkipped += max(0, landed.size)
            } else {
                tally.copied += 1
                tally.bytesCopied += max(0, landed.size)
            }
        }
        return tally
    }

    /// The blob jobs of `node`, each once, in first-seen order.
    static func collectJobs(_ node: PlannedNode, into jobs: inout [BlobJob], seen: inout Set<BlobJob>) {
        func add(_ job: BlobJob) {
            if seen.insert(job).inserted { jobs.append(job) }
        }
        switch node {
        case .blob(let d):
            add(BlobJob(descriptor: d, kind: .copy))
        case .manifest(let m):
            add(BlobJob(descriptor: m.config, kind: .copy))
            for action in m.layers {
                switch action {
                case .copy(let d): add(m.copyJob(d))
                case .transcode(let d, let to, let level, let diffID, let mediaType):
                    add(BlobJob(descriptor: d, kind: .transcode(to, level: level, diffID: diffID, mediaType: mediaType)))
                }
            }
        case .index(let i):
            for child in i.children { collectJobs(child.node, into: &jobs, seen: &seen) }
        case .schema1(let s):
            for layer in s.layers { add(BlobJob(descriptor: layer, kind: .copy)) }
        }
    }

    /// Runs blob jobs, ``CopyOptions/parallelism`` at once.
    private func runJobs(_ jobs: [BlobJob]) async throws -> [(BlobJob, Descriptor, Bool)] {
        try await jobs.mapConcurrently(limit: options.parallelism) { job in try await self.runRetrying(job) }
    }

    /// Runs a job, and runs it again from a fresh read of the source when it failed in a way
    /// worth another try (``RetryClassifiable``, ``RetryRule``), as ``CopyOptions/jobRetry``
    /// says: a connection lost, or a 5xx or 429 answer to a request the client could not repeat
    /// itself (an upload's one-shot body). Digest and size mismatches are never retried.
    private func runRetrying(_ job: BlobJob) async throws -> (BlobJob, Descriptor, Bool) {
        var attempt = 1
        while true {
            do {
                if let slots = options.blobSlots { return try await slots.withSlot { try await run(job) } }
                return try await run(job)
            } catch let error as any RetryClassifiable where attempt < options.jobRetry.maximumAttempts && error.isTransient {
                try await Task.sleep(for: options.jobRetry.delay(afterAttempt: attempt, retryAfter: error.retryAfter))
                attempt += 1
            }
        }
    }

    /// Runs jobs as a sequential source passes their blobs (one pass over a compressed archive).
    /// - Returns: the results, and the jobs the pass did not reach (to run the ordinary way).
    private func runInSourceOrder(_ jobs: [BlobJob], _ sequential: any SequentialImageSource) async throws -> ([(BlobJob, Descriptor, Bool)], [BlobJob]) {
        var results: [(BlobJob, Descriptor, Bool)] = []
        var firstJob: [BlobKey: BlobJob] = [:]
        var wanted: [Descriptor] = []
        for job in jobs where firstJob[BlobKey(job.descriptor)] == nil {
            if options.reliedOnBlobs.contains(job.descriptor.digest) { continue }
            if case .copy = job.kind, try await destination.hasBlob(job.descriptor) { continue }
            // Left for the ordinary way, which takes the landed layer without reading the source.
            if case .transcode(let target, let level, _, let mediaType) = job.kind,
                try await alreadyTranscoded(job.descriptor, to: target, level: level, mediaType: mediaType) != nil
            {
                continue
            }
            firstJob[BlobKey(job.descriptor)] = job
            wanted.append(job.descriptor)
        }
        var done = Set<BlobJob>()
        try await sequential.forEachBlob(wanted) { descriptor, stream in
            guard let job = firstJob[BlobKey(descriptor)], !done.contains(job) else { return }
            results.append(try await run(job, raw: stream))
            done.insert(job)
        }
        return (results, jobs.filter { !done.contains($0) })
    }

    private func run(_ job: BlobJob, raw provided: sending (any ByteStream)? = nil) async throws -> (BlobJob, Descriptor, Bool) {
        try Task.checkCancellation()
        let descriptor = job.descriptor
        switch job.kind {
        case .copy where descriptor.size < 0:
            return try await copyUnsized(job)
        case .copy where options.reliedOnBlobs.contains(descriptor.digest):
            return try await reliedOn(job)
        case .copy:
            if try await destination.hasBlob(descriptor) {
                options.progress?(.blobFinished(descriptor, skipped: true))
                return (job, descriptor, true)
            }
            options.progress?(.blobStarted(descriptor))
            let verified = try VerifyingStream(
                try await rawBlob(descriptor, provided), expected: descriptor, context: "\(kind(descriptor)) \(descriptor.digest) from \(source.name)")
            _ = try await destination.putBlob(verified)
            options.progress?(.blobFinished(descriptor, skipped: false))
            return (job, descriptor, false)
        case .copyLayer(let requested, let level, let family, _):
            return try await copyLayer(job, requested: requested, level: level, family: family, raw: provided)
        case .transcode(let target, let level, let diffID, let mediaType):
            if let landed = try await alreadyTranscoded(descriptor, to: target, level: level, mediaType: mediaType) {
                options.progress?(.blobFinished(descriptor, skipped: true))
                return (job, landed, true)
            }
            options.progress?(.blobStarted(descriptor))
            let context = "layer \(descriptor.digest) from \(source.name)"
            let verified = try VerifyingStream(try await rawBlob(descriptor, provided), expected: descriptor, context: context)
            let (digest, size): (Digest, Int64)
            if options.checkLayers {
                (digest, size) = try await LayerContentCheck.checking(verified, mediaType: descriptor.mediaType, diffID: diffID, context: context) { stream in
                    try await transcode(stream, descriptor, to: target, level: level, diffID: diffID, context: context)
                }.result
            } else {
                (digest, size) = try await transcode(verified, descriptor, to: target, level: level, diffID: diffID, context: context)
            }
            var result = descriptor
            result.mediaType = mediaType
            result.digest = digest
            result.size = size
            // A foreign layer's URLs serve the source's bytes, not these.
            result.urls = nil
            options.transcodeCache?.record(.init(source: descriptor.digest, target: target, level: level), digest: digest, size: size)
            options.progress?(.blobFinished(descriptor, skipped: false))
            return (job, result, false)
        }
    }

    /// Recompresses a layer read through `verified` to `target` and writes it; returns the new blob.
    private func transcode(
        _ verified: sending any ByteStream, _ descriptor: Descriptor, to target: LayerCompression, level: Int?, diffID: Digest?, context: String
    ) async throws -> (Digest, Int64) {
        let (found, sniffed) = try await CompressionSniffer.sniff(verified)
        guard let current = found.layerCompression else {
            throw StreamError(.unsupported, "\(context): is \(found.rawValue)-compressed, which a layer cannot be; cannot recompress it")
        }
        var plain = try decompressed(sniffed, format: current, context: context)
        // An uncompressed layer's digest is its DiffID, already checked by `verified`: hashing
        // the same bytes twice would cost a third of a fast recompression.
        if let diffID, current != .none || diffID != descriptor.digest {
            plain = try VerifyingStream(plain, expectedDigest: diffID, context: "\(context): uncompressed content (DiffID)")
        }
        let output = try VerifyingStream(
            try compressed(plain, format: target, level: level), computing: .sha256, context: "\(context) recompressed to \(target.rawValue)")
        return try await destination.putBlob(output)
    }

    /// A blob the source relies on the destination having (``CopyOptions/reliedOnBlobs``): taken
    /// as it is there, or an error naming it.
    func reliedOn(_ job: BlobJob) async throws -> (BlobJob, Descriptor, Bool) {
        let descriptor = job.descriptor
        guard try await destination.hasBlob(descriptor) else {
            throw EngineError(
                .incomplete,
                "\(source.name) does not carry \(kind(descriptor)) \(descriptor.digest) (\(descriptor.size) bytes): it is a delta bundle that relies on \(destination.name) having it, and it is not there"
            )
        }
        options.progress?(.blobFinished(descriptor, skipped: true))
        return (job, descriptor, true)
    }

    /// The layer an earlier run made from `descriptor` for this target, when the destination
    /// holds it (``TranscodeCache``): the copy takes it instead of recompressing again.
    func alreadyTranscoded(_ descriptor: Descriptor, to target: LayerCompression, level: Int?, mediaType: MediaType) async throws -> Descriptor? {
        guard let hit = options.transcodeCache?[.init(source: descriptor.digest, target: target, level: level)] else { return nil }
        var result = descriptor
        result.mediaType = mediaType
        result.digest = hit.digest
        result.size = hit.size
        result.urls = nil
        return try await destination.hasBlob(result) ? result : nil
    }

    func rawBlob(_ descriptor: Descriptor, _ provided: sending (any ByteStream)?) async throws -> sending any ByteStream {
        let raw: any ByteStream
        if let provided {
            raw = provided
        } else {
            raw = try await KeptDownload.open(descriptor, from: source, into: destination, limiter: options.rateLimiter)
        }
        guard let progress = options.progress else { return raw }
        let digest = descriptor.digest
        return ProgressStream(raw) { progress(.blobProgress(digest, bytes: $0)) }
    }

    private func kind(_ d: Descriptor) -> String {
        d.mediaType.isLayer ? "layer" : (d.mediaType.isImageConfig ? "config" : "blob")
    }

    // MARK: Documents

    /// Writes the node's documents (children first) and returns the descriptor its parent points at.
    func materialize(_ node: PlannedNode, landed: [BlobJob: Descriptor], written: inout Set<Digest>, report: inout CopyReport) async throws -> Descriptor {
        switch node {
        case .blob(let d):
            return d
        case .schema1(let s):
            try await write(s.original, written: &written, report: &report)
            return s.descriptor
        case .manifest(let m):
            let layers = m.layers.map { action -> Descriptor in
                switch action {
                case .copy(let d):
                    // What landed may correct the type (or, recompressed, the digest); the layer
                    // keeps its own annotations (one blob can be two layers with two titles).
                    guard let landedLayer = landed[m.copyJob(d)], landedLayer.mediaType != d.mediaType || landedLayer.digest != d.digest else { return d }
                    var corrected = d
                    corrected.mediaType = landedLayer.mediaType
                    corrected.digest = landedLayer.digest
                    corrected.size = landedLayer.size
                    corrected.urls = landedLayer.urls
                    return corrected
                case .transcode(let d, let to, let level, let diffID, let mediaType):
                    return landed[BlobJob(descriptor: d, kind: .transcode(to, level: level, diffID: diffID, mediaType: mediaType))] ?? d
                }
            }
            if m.isVerbatim && layers == m.decoded.layers {
                try await write(m.original, written: &written, report: &report)
                return m.descriptor
            }
            let context = "manifest \(m.descriptor.digest) from \(source.name)"
            let format = m.format ?? ManifestFormat(m.descriptor.mediaType) ?? .oci
            let converted = try m.decoded.converted(to: format, layers: layers, context: context)
            let document = try encode(converted, mediaType: format.manifestMediaType)
            try await write(document, written: &written, report: &report)
            report.digestMap[m.descriptor.digest] = document.digest
            return rewritten(m.descriptor, to: document)
        case .index(let i):
            var children: [Descriptor] = []
            for (entry, child) in i.children {
                let landedChild = try await materialize(child, landed: landed, written: &written, report: &report)
                var updated = entry
                updated.mediaType = landedChild.mediaType
                updated.digest = landedChild.digest
                updated.size = landedChild.size
                children.append(updated)
            }
            if i.format == nil && !i.filtered && children == i.decoded.manifests.filter({ !i.absent.contains($0) }) {
                try await write(i.original, written: &written, report: &report)
                return i.descriptor
            }
            let context = "index \(i.descriptor.digest) from \(source.name)"
            let format = i.format ?? ManifestFormat(i.descriptor.mediaType) ?? .oci
            let converted = try i.decoded.converted(to: format, manifests: children, context: context)
            let document = try encode(converted, mediaType: format.indexMediaType)
            try await write(document, written: &written, report: &report)
            report.digestMap[i.descriptor.digest] = document.digest
            return rewritten(i.descriptor, to: document)
        }
    }

    private func rewritten(_ descriptor: Descriptor, to document: RawDocument) -> Descriptor {
        var d = descriptor
        d.mediaType = document.mediaType
        d.digest = document.digest
        d.size = Int64(document.bytes.count)
        return d
    }

    private func encode<T: Encodable>(_ value: T, mediaType: MediaType) throws -> RawDocument {
        let bytes = try JSONDocument.encode(value)
        return RawDocument(bytes: bytes, mediaType: mediaType, digest: try DigestHasher.digest(bytes))
    }

    private func write(_ document: RawDocument, written: inout Set<Digest>, report: inout CopyReport) async throws {
        guard written.insert(document.digest).inserted else { return }
        try await destination.putDocument(document)
        report.documentsWritten += 1
    }
}

/// Reports bytes as they pass.
final class ProgressStream: ByteStream {
    private let upstream: any ByteStream
    private let report: @Sendable (Int64) -> Void

    /// - Parameter report: called with the size of each chunk that passes.
    init(_ upstream: any ByteStream, report: @escaping @Sendable (Int64) -> Void) {
        self.upstream = upstream
        self.report = report
    }

    func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.next() else { return nil }
        report(Int64(chunk.count))
        return chunk
    }
}
