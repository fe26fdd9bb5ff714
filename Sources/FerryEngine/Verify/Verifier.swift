import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports

/// Options of a verification.
public struct VerifyOptions: Sendable {
    /// How many blobs are checked at once.
    public var parallelism: Int
    /// Digests, sizes and documents only (`--fast`), or also every layer's contents.
    public var mode: VerificationReport.Mode
    /// Report warnings as errors (`--strict`).
    public var strict: Bool

    /// Creates options; the defaults are a full check of 4 blobs at a time.
    public init(parallelism: Int = 4, mode: VerificationReport.Mode = .full, strict: Bool = false) {
        self.parallelism = parallelism
        self.mode = mode
        self.strict = strict
    }
}

/// Checks an image, or a whole layout, offline: every blob reachable from the top against its
/// descriptor, every document against the specs, every config against its layers, and the
/// layout's own structure. Problems are collected, never stopped at.
///
/// This is the engine's copy with a destination that only checks: the same sources, the same
/// ``VerifyingStream`` on every blob, plus what only a verifier looks at (see
/// `docs/verify-report.md` for every check, its code and its severity). Memory stays bounded:
/// documents are capped at 4 MiB and layers are streamed, `parallelism` at a time.
public struct Verifier: Sendable {
    /// What to verify. With a name or `@N`, that image only; without, every image in the layout
    /// (and then blobs that nothing references are reported too).
    public let reference: TransportReference
    /// How.
    public let options: VerifyOptions

    /// Credentials and TLS for a `docker://` source; ignored by file transports.
    public let registry: RegistryOptions

    /// Creates a verification; nothing is read until ``run()``.
    public init(reference: TransportReference, options: VerifyOptions = VerifyOptions(), registry: RegistryOptions = RegistryOptions()) {
        self.reference = reference
        self.options = options
        self.registry = registry
    }

    /// Runs every check.
    /// - Returns: the report; a source that cannot be opened gives status `unreadable`, never a throw.
    public func run() async -> VerificationReport {
        do {
            return try await reference.withSource(registry: registry) { source in await check(source) }
        } catch {
            return unopened(error)
        }
    }

    /// The report for a source that could not be opened (or whose registry could not be reached).
    private func unopened(_ error: any Error) -> VerificationReport {
        var problems = ProblemList()
        let unreadable = Self.isUnreadable(error)
        problems.error(unreadable ? .sourceUnreadable : .layoutInvalid, Self.message(error), at: .init())
        return finish(
            VerificationReport(
                source: reference.description, mode: options.mode, images: [], blobsChecked: 0, bytesChecked: 0,
                problems: problems.all, unreadable: unreadable))
    }

    /// Every check of an opened source.
    private func check(_ source: any ImageSource) async -> VerificationReport {
        let name = reference.description
        var problems = ProblemList()
        let inventory = source as? any LayoutInventory
        var blobEntries: [LayoutBlobEntry] = []
        if let inventory {
            LayoutChecks.checkIndexFile(inventory, problems: &problems)
            do {
                blobEntries = try inventory.blobInventory()
            } catch {
                problems.error(.layoutBlobsMissing, "the layout has no blobs/ directory", at: .init(file: "blobs"))
            }
        }

        if let archive = source as? any DockerArchiveInventory {
            DockerArchiveChecks.check(archive, problems: &problems)
        }
        // A docker-archive serves its images through manifest.json; the platforms its stored
        // index names but does not hold are noted as for any sparse index.
        if let archive = source as? DockerArchiveSource {
            for entry in archive.absentManifests {
                problems.indexChildAbsent(entry, at: .init(blob: entry.digest.description))
            }
        }

        var selected: [(String, SourceEntry)] = []
        do {
            let all = try await source.entries()
            if reference.selector == .only {
                // A place with nothing to copy is what copy refuses ("holds no image").
                if all.isEmpty { problems.error(.imageNotFound, "\(name) holds no image", at: .init()) }
                selected = all.enumerated().map { ($1.names.first ?? "@\($0)", $1) }
            } else {
                let entry = try await source.entry(matching: reference.selector)
                selected = [(entry.names.first ?? reference.selector.description, entry)]
            }
        } catch {
            // A registry that cannot be reached (or refuses us) is an unreadable source, not a
            // missing image.
            if source.capabilities.isRemote, Self.isUnreadable(error) { return unopened(error) }
            problems.error(.imageNotFound, Self.message(error), at: .init())
        }

        let walk = GraphWalk(source: source, unsafe: LayoutChecks.unsafeDigests(blobEntries))
        for (label, entry) in selected {
            await walk.visit(entry.descriptor, image: label, depth: 0, path: [])
        }
        problems.append(contentsOf: walk.problems)

        let results = await checkBlobs(walk.jobs, source: source, unsafe: walk.unsafe)
        let reliedOn = DeltaChecks.reliedOn(inventory, problems: &problems)
        for result in results { problems.append(contentsOf: DeltaChecks.relabel(result.problems, reliedOn: reliedOn)) }
        checkConfigs(walk.images, jobs: walk.jobs, results: results, problems: &problems)

        LayoutChecks.checkBlobs(blobEntries, referenced: reference.selector == .only ? walk.referenced : nil, problems: &problems)
        let images = selected.map {
            VerificationReport.Image(name: $0.0, digest: $0.1.descriptor.digest.description, mediaType: $0.1.descriptor.mediaType.rawValue)
        }
        return finish(
            VerificationReport(
                source: name, mode: options.mode, images: images,
                blobsChecked: walk.documentsRead + results.filter(\.checked).count,
                bytesChecked: ByteSum.clamped([walk.documentBytes] + results.map(\.bytes)),
                problems: problems.all))
    }

    private func finish(_ report: VerificationReport) -> VerificationReport {
        options.strict ? report.treatingWarningsAsErrors() : report
    }

    /// Compares each image's config with its manifest and, in full mode, with its layers' DiffIDs.
    private func checkConfigs(_ images: [GraphWalk.Image], jobs: [VerificationJob], results: [BlobResult], problems: inout ProblemList) {
        var byDigest: [Digest: BlobResult] = [:]
        for (job, result) in zip(jobs, results) { byDigest[job.descriptor.digest] = result }
        var checked = Set<[Digest]>()
        for image in images {
            guard image.isImage, let config = image.config, config.mediaType.isImageConfig,
                let bytes = byDigest[config.digest]?.configBytes,
                checked.insert([config.digest] + image.layers.map(\.digest)).inserted
            else { continue }
            let location = VerificationProblem.Location(image: image.label, blob: config.digest.description)
            guard let diffIDs = ConfigChecks.check(bytes, layerCount: image.layers.count, at: location, problems: &problems) else { continue }
            if options.mode == .full {
                let computed = image.layers.map { byDigest[$0.digest]?.diffID }
                ConfigChecks.compare(diffIDs: diffIDs, computed: computed, layers: image.layers, at: location, problems: &problems)
            }
        }
    }

    /// Whether `error` means the source could not be read (exit 3), as for every command.
    static func isUnreadable(_ error: any Error) -> Bool {
        FailureKind(error) == .sourceUnreadable
    }

    /// The sentence for a problem: the one rule every command uses (``FailureKind/message(for:)``).
    static func message(_ error: any Error) -> String {
        FailureKind.message(for: error)
    }
}
