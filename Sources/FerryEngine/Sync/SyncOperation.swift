import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// Copies a set of images (``ImageSet``) to one or more destinations: registries, one OCI layout
/// for the whole set, or a one-file bundle (an `oci-archive:`), verifying every byte as
/// ``CopyOperation`` does and keeping every manifest's bytes and digest.
///
/// In phases:
/// 1. **Prepare** (each destination): each image's source is opened, its manifest read, and
///    images the destination already holds under their name (same digest) are reported up to
///    date and left alone.
/// 2. **Plan** (each destination): the remaining images are planned (``CopyPlanner``) and their
///    blobs collected into one list, each unique blob once whatever number of images share it.
/// 3. **Blobs** (all destinations at once): each unique blob is read once from its source, under
///    one bound for the whole sync, and written to every destination that lacks it at the same
///    time (``ByteFanOut``); in a registry, it lands in the first repository that needs it and
///    the others mount it from there.
/// 4. **Images** (each destination): each image is copied from its plan (``CopyOperation``),
///    finding its blobs present, which writes its documents and names it; images run in parallel.
/// 5. **Commit** (each destination): a layout's `index.json` is written once; a bundle is packed
///    from its staging layout (`.NAME.ferry-sync/` beside it, kept across a failed run so the
///    next one reuses what landed) into the archive, atomically.
///
/// Registries are reached as containers' registries.conf says (``SyncRegistryEndpoints``).
///
/// A sync killed at any point is simply run again: blobs that landed are found, images already
/// there are up to date.
public struct SyncOperation: Sendable {
    public let imageSet: ImageSet
    public let destinations: [SyncDestination]
    public let options: SyncOptions

    public init(imageSet: ImageSet, destinations: [SyncDestination], options: SyncOptions = SyncOptions()) {
        self.imageSet = imageSet
        self.destinations = destinations
        self.options = options
    }

    /// Runs the sync.
    /// - Throws: the first failure; with ``SyncOptions/keepGoing``, ``EngineError``
    ///   (`partialSync`) after every image was tried, when some failed.
    /// - Returns: what happened to each image at each destination.
    public func run() async throws -> SyncReport {
        let sourceOpenings = try SyncRegistryEndpoints.openings(for: imageSet, options: options)
        let (destinations, destinationHosts) = try SyncRegistryEndpoints.destinations(destinations, options: options.destinationRegistry)
        return try await SyncRegistryEndpoints.withClients(sourceOpenings) { sources in
            try await Self.withClients(destinationHosts) { targets in
                let endpoints = SyncRegistryEndpoints(configuration: options.sourceRegistry.registriesConfiguration, clients: sources)
                do {
                    var report = try await run(sourceClients: endpoints, destinations: destinations, destinationClients: targets)
                    report.notes = endpoints.reportedNotes
                    return report
                } catch let failure as SyncFailure {
                    var report = failure.report
                    report.notes = endpoints.reportedNotes
                    throw SyncFailure(report: report, message: failure.message)
                }
            }
        }
    }

    /// Runs `body` with one client per host, all shut down afterwards.
    static func withClients<T>(
        _ hosts: [(String, RegistryOptions)], _ opened: [String: RegistryClient] = [:], _ body: ([String: RegistryClient]) async throws -> T
    ) async throws -> T {
        guard let (host, registry) = hosts.first else { return try await body(opened) }
        return try await withRegistryClient(host, options: registry) { client in
            var next = opened
            next[host] = client
            return try await withClients(Array(hosts.dropFirst()), next, body)
        }
    }

    private func run(
        sourceClients: SyncRegistryEndpoints, destinations: [SyncDestination], destinationClients: [String: RegistryClient]
    ) async throws -> SyncReport {
        var locals: [String: any ImageSource] = [:]
        var deltas: [String: BundleDelta] = [:]
        var onePass: [SyncOnePass] = []
        for group in imageSet.groups {
            guard case .local(let place) = group.origin, locals[place] == nil else { continue }
            let reference = try TransportReference(parsing: place)
            switch reference.kind {
            case .oci:
                let layout = try OCILayoutSource(path: reference.path)
                deltas[place] = try layout.bundleDelta()
                locals[place] = layout
            case .ociArchive:
                let archive = try OCIArchiveSource(path: reference.path)
                if archive.awaitsOnePass {
                    onePass.append(SyncOnePass(place: place, source: archive, archive: archive))
                } else {
                    deltas[place] = try archive.bundleDelta()
                }
                locals[place] = archive
            default:
                let source = try reference.openSource()
                if case .once(let reading) = source.capabilities.readOrder {
                    onePass.append(SyncOnePass(place: place, source: reading, archive: nil))
                }
                locals[place] = source
            }
        }
        let rateLimiter = options.limitRate.map { RateLimiter(bytesPerSecond: $0) }
        var ledgers: [String: BlobLedger] = [:]
        var landedEarly: [String: [String: Set<Digest>]] = [:]
        for case .registry(let host, _) in destinations { ledgers[host] = ledgers[host] ?? BlobLedger() }
        if options.checkLayers, let reading = onePass.first {
            throw EngineError(
                .unsupported,
                "--check-layers: \(reading.place) can be read only once (a pipe, or a compressed bundle or archive), and a checked layer is read when its image is copied; write it to a file (uncompressed) first, or run ferry verify on it"
            )
        }
        // A pipe, a compressed bundle or archive: read once, its blobs landing in every destination.
        for reading in onePass where !options.dryRun {
            landedEarly[reading.place] = try await reading.read(
                into: destinations, options: options, clients: destinationClients, ledgers: ledgers, limiter: rateLimiter)
            if let archive = reading.archive { deltas[reading.place] = try archive.bundleDelta() }
        }
        let items = try await ImageSetResolver(set: imageSet, clients: sourceClients, locals: locals).resolve()
        options.progress?(.resolved(images: items.count))
        let context = SyncContext(
            options: options, groups: imageSet.groups, sourceClients: sourceClients, locals: locals, deltas: deltas, slots: BlobSlots(options.parallelBlobs),
            ledgers: ledgers, landedEarly: landedEarly, rateLimiter: rateLimiter)
        // Each destination opened, then prepared and planned.
        var stages: [SyncStage] = []
        for destination in destinations {
            var stage: SyncStage
            switch destination {
            case .registry(let host, let prefix):
                guard let client = destinationClients[host] else { throw EngineError(.invalidImageSet, "no client for \(host)") }
                stage = try await context.registryStage(items, client: client, host: host, prefix: prefix)
            case .layout(let path):
                stage = try await context.layoutStage(path: path, label: destination.description)
            case .bundle(let path):
                stage = try await context.bundleStage(items, path: path)
            }
            if case .upToDate = stage.ending {} else { try await context.prepare(&stage, items) }
            stages.append(stage)
        }
        // Each unique blob read once, for every destination that lacks it.
        try await context.moveBlobs(&stages)
        // Each destination's images, then its commit.
        var report = SyncReport()
        for var stage in stages {
            try await context.copyImages(&stage)
            try await context.finish(stage, into: &report)
        }
        let failed = report.count(.failed)
        if failed > 0 {
            throw SyncFailure(
                report: report, message: "\(failed) of \(report.images.count) images failed; the others were synced (run again to retry the failed ones)")
        }
        return report
    }
}

/// The error of a sync that went on past failures (``SyncOptions/keepGoing``): the report of
/// everything that was done, and a summary.
public struct SyncFailure: Error, Sendable, CustomStringConvertible {
    public let report: SyncReport
    public let message: String
    public var description: String { message }
}
