import ArgumentParser
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTransports
import Foundation
import FerryStreams

/// `ferry sync --images FILE DEST…`, `ferry sync SRC DEST…`
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Copy a set of images to registries, one OCI layout or a one-file bundle, each blob once.",
        discussion: """
            The set comes from an image-set file (--images: skopeo sync's YAML, with Ferry's \
            platforms, referrers, newest and exclude keys and local sources; or a list of references, \
            one per line), from --image REF, or from SRC: every image a layout, bundle or archive holds.

            Destinations:
              docker://HOST[/PREFIX]  each image keeps its repository path under PREFIX
                                      (--scoped: with the source registry's host
                                      first), its tag or digest
              oci:DIR                 one layout for the whole set, each image named
                                      by its full reference
                                      (org.opencontainers.image.ref.name)
              oci-archive:FILE        that layout in one tar: a bundle skopeo and oras read

            Each unique blob is read once, whatever number of images or destinations need it, and \
            written once per destination (other repositories of a destination registry mount it). \
            Run again after a failure or a kill: blobs that landed and images already there are skipped.

            Registries are reached as containers' registries.conf says, as for copy: a source image \
            is read from its entry's mirrors first (a note names the one that served), then from its \
            location; a destination HOST[/PREFIX] is rewritten to its location; insecure and blocked \
            apply.

            Examples:
              ferry sync --images images.yaml oci-archive:/media/usb/site.tar
              ferry sync oci-archive:/media/usb/site.tar \\
                docker://registry.site.local/mirror
              ferry sync --image docker.io/library/busybox:1.36 --dest oci:/srv/mirror
              ferry sync --images images.yaml docker://eu.example docker://us.example
              ferry sync --dry-run --json --images images.yaml \\
                docker://localhost:5000/mirror
            """)

    @Option(help: ArgumentHelp("An image-set file: skopeo sync YAML (with Ferry's additions) or a list of references.", valueName: "file"))
    var images: String?

    @Option(
        help: ArgumentHelp("An image to include (HOST/REPO:TAG or @DIGEST, or a local oci:/oci-archive:/docker-archive: place); repeatable.", valueName: "ref"))
    var image: [String] = []

    @Option(help: ArgumentHelp("A destination (docker://HOST[/PREFIX], oci:DIR, oci-archive:FILE); repeatable.", valueName: "dest"))
    var dest: [String] = []

    @Argument(help: ArgumentHelp("Without --images or --image: SRC first, then destinations; with them: destinations.", valueName: "place"))
    var places: [String] = []

    @Option(
        help: ArgumentHelp(
            "For a bundle: what the far side holds — an inventory (ferry inventory) or a bundle sent before; the bundle leaves out the layers listed (a delta bundle). Repeatable.",
            valueName: "file"))
    var have: [String] = []

    @Flag(help: "Amazon ECR: create each destination repository the set lands in, before pushing (needs AWS credentials; a no-op elsewhere).")
    var createRepository = false

    @Option(
        help: ArgumentHelp(
            "Read blobs from the sources at most this fast, in bytes per second (BYTES, KiB, MiB, GiB; MB, GB), over the whole sync.", valueName: "rate"))
    var limitRate: ByteCount?

    @Option(
        help: ArgumentHelp(
            "Write a bundle as parts FILE.001, FILE.002, … of at most this size (BYTES, KiB, MiB, GiB, or MB, GB for media), with FILE.parts.json.",
            valueName: "size"))
    var splitSize: ByteCount?

    @Flag(help: "Resolve the set and show what would be copied (images, blobs, bytes; what is already there); write nothing.")
    var dryRun = false

    @Flag(help: "Carry on past an image that fails; end with a summary and exit 1.")
    var keepGoing = false

    @Flag(
        help:
            "Check every layer as ferry verify does while it is copied: inflated and hashed against the config's DiffID, its tar members walked (costs an inflation of every layer)."
    )
    var checkLayers = false

    @Flag(help: "In a registry destination, keep the source registry's host in the repository path, as skopeo sync --scoped.")
    var scoped = false

    @Option(help: "Images copied at once.")
    var parallelImages = 4

    @Option(help: "Blobs moved at once over the whole sync.")
    var parallel = 8

    @Flag(help: "Print a JSON report on standard output (schema: docs/sync-report.md).")
    var json = false

    @Flag(help: "Do not fsync files before they become visible (faster; not crash-safe).")
    var noSync = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Credentials for source registries (USER:PASSWORD, or USER to be asked for the password); an image-set group's own win.",
            valueName: "user[:password]"))
    var srcCreds: String?

    @Option(help: ArgumentHelp("An auth.json to read credentials from first, as skopeo's --authfile (default: $REGISTRY_AUTH_FILE).", valueName: "file"))
    var authfile: String?

    @Option(help: ArgumentHelp("Verify source registries' TLS certificates (bare: true).", valueName: "bool"))
    var srcTlsVerify = true

    @Option(help: ArgumentHelp("Certificate directory for source registries.", valueName: "dir"))
    var srcCertDir: String?

    @Option(help: ArgumentHelp("Credentials for destination registries (USER:PASSWORD, or USER to be asked for the password).", valueName: "user[:password]"))
    var destCreds: String?

    @Option(help: ArgumentHelp("Verify destination registries' TLS certificates (bare: true).", valueName: "bool"))
    var destTlsVerify = true

    @Option(help: ArgumentHelp("Certificate directory for destination registries.", valueName: "dir"))
    var destCertDir: String?

    func validate() throws {
        guard parallel >= 1 && parallel <= 64 else { throw ValidationError("--parallel must be between 1 and 64") }
        guard parallelImages >= 1 && parallelImages <= 64 else { throw ValidationError("--parallel-images must be between 1 and 64") }
        let (_, destinations) = try split()
        if let limitRate, limitRate.bytes < 1024 { throw ValidationError("--limit-rate must be at least 1KiB (bytes per second)") }
        if let splitSize, splitSize.bytes < 1024 { throw ValidationError("--split-size must be at least 1KiB") }
        if !have.isEmpty || splitSize != nil {
            guard destinations.allSatisfy({ $0.hasPrefix("oci-archive:") }) else {
                throw ValidationError("--have and --split-size make bundles: every destination must be oci-archive:FILE")
            }
        }
        guard !destinations.isEmpty else { throw ValidationError("name at least one destination (docker://HOST[/PREFIX], oci:DIR or oci-archive:FILE)") }
        for destination in destinations {
            do { _ = try SyncDestination(parsing: destination) } catch { throw ValidationError(error.message) }
        }
    }

    /// (the source place when given positionally, the destinations).
    private func split() throws -> (String?, [String]) {
        if images != nil || !image.isEmpty { return (nil, dest + places) }
        guard let first = places.first else { throw ValidationError("give --images FILE, --image REF or a source (SRC DEST…)") }
        return (first, dest + places.dropFirst())
    }

    func run() async throws {
        try await runReportingErrors {
            let (place, destinationTexts) = try split()
            var set = ImageSet(groups: [])
            if let images {
                let text: String
                do {
                    text = try String(contentsOfFile: images, encoding: .utf8)
                } catch {
                    throw TransportError(.notFound, "\(images): cannot read the image-set file (\(error.localizedDescription))")
                }
                set.groups += try ImageSetParser.parse(text, file: images).groups
            }
            let references = image + (place.map { [$0] } ?? [])
            if !references.isEmpty {
                let listed = references.map { $0.hasPrefix("docker://") ? String($0.dropFirst("docker://".count)) : $0 }
                set.groups += try ImageSetParser.parse(listed.joined(separator: "\n") + "\n", file: "command line").groups
            }
            var options = SyncOptions()
            options.dryRun = dryRun
            options.keepGoing = keepGoing
            options.checkLayers = checkLayers
            options.scoped = scoped
            options.parallelImages = parallelImages
            options.parallelBlobs = parallel
            options.durable = !noSync
            options.splitSize = splitSize.map { Int64($0.bytes) }
            options.limitRate = limitRate.map { Int64($0.bytes) }
            var inventories: [Inventory] = []
            for file in have { inventories.append(try await InventoryOperation.have(file)) }
            options.have = InventoryOperation.merged(inventories)
            options.sourceRegistry = try registryOptions(
                creds: srcCreds, authFile: authfile, tlsVerify: srcTlsVerify, certDir: srcCertDir, clientCert: nil, clientKey: nil, prefix: "src-")
            options.destinationRegistry = try registryOptions(
                creds: destCreds, authFile: authfile, tlsVerify: destTlsVerify, certDir: destCertDir, clientCert: nil, clientKey: nil, prefix: "dest-")
            options.destinationRegistry.createRepository = createRepository
            let lines = !quiet && !json
            let dryRun = self.dryRun
            let tally = SyncTally(destinations: destinationTexts.count)
            options.progress = { event in
                guard lines else { return }
                switch event {
                case .resolved(let count):
                    tally.resolved(count)
                    Self.note("\(count) image\(count == 1 ? "" : "s") in the set")
                case .planned(let destination, let images, let blobs, let bytes):
                    Self.note(
                        "\(destination): \(images) image\(images == 1 ? "" : "s") to \(dryRun ? "copy" : "copy now"), \(blobs) unique blobs (\(formatBytes(bytes)))"
                    )
                case .finished(let image):
                    Self.note(tally.finished(image) + SyncText.line(image))
                }
            }
            let destinations = try destinationTexts.map { try SyncDestination(parsing: $0) }
            let report: SyncReport
            do {
                report = try await SyncOperation(imageSet: set, destinations: destinations, options: options).run()
            } catch let failure as SyncFailure {
                if !quiet {
                    for note in failure.report.notes { Self.note("ferry sync: note: \(note)") }
                }
                if json { print(try prettyJSON(SyncJSON(failure.report))) } else if !quiet { print(SyncText.summary(failure.report)) }
                throw EngineError(.partialSync, failure.message)
            }
            if !quiet {
                for note in report.notes { Self.note("ferry sync: note: \(note)") }
            }
            if json {
                print(try prettyJSON(SyncJSON(report)))
            } else if !quiet {
                print(SyncText.summary(report))
            }
        }
    }

    private static func note(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.escaped(line) + "\n").utf8))
    }
}

/// The human lines of a sync.
enum SyncText {
    static func line(_ image: SyncReport.Image) -> String {
        switch image.status {
        case .copied:
            return "copied \(image.source) → \(image.destination) (\(image.blobsCopied) blobs, \(formatBytes(image.bytesCopied)))"
        case .upToDate:
            return "up to date \(image.destination)"
        case .planned:
            return "would copy \(image.source) → \(image.destination)"
        case .failed:
            return "FAILED \(image.source) → \(image.destination): \(image.error ?? "")"
        }
    }

    static func summary(_ report: SyncReport) -> String {
        var text =
            "\(report.count(.copied)) copied, \(report.count(.upToDate)) up to date, \(report.count(.planned)) planned, \(report.count(.failed)) failed; \(report.blobsCopied) blobs written (\(formatBytes(report.bytesCopied))) of \(report.uniqueBlobs) unique (\(formatBytes(report.uniqueBytes)))"
        if report.blobsLeftOut > 0 {
            text += "; \(report.blobsLeftOut) layers (\(formatBytes(report.bytesLeftOut))) left out, the far side has them (delta bundle)"
        }
        if let parts = report.parts {
            text +=
                "; written as \(parts.parts.count) part\(parts.parts.count == 1 ? "" : "s") (\(parts.parts.first?.name ?? "") …, \(parts.bundle)\(BundleParts.fileSuffix))"
        }
        return text + "; every digest verified"
    }
}

/// The JSON report of `ferry sync --json` (docs/sync-report.md).
struct SyncJSON: Encodable {
    struct Image: Encodable {
        var source: String
        var destination: String
        var digest: String?
        var status: String
        var blobsCopied: Int
        var bytesCopied: Int64
        var blobsSkipped: Int
        var error: String?
    }

    struct Totals: Encodable {
        var images: Int
        var copied: Int
        var upToDate: Int
        var planned: Int
        var failed: Int
        var uniqueBlobs: Int
        var uniqueBytes: Int64
        var blobsCopied: Int
        var bytesCopied: Int64
        var blobsLeftOut: Int
        var bytesLeftOut: Int64
    }

    struct Part: Encodable {
        var name: String
        var size: Int64
        var digest: String
    }

    var schemaVersion = 1
    var images: [Image]
    var totals: Totals
    var parts: [Part]?
    var notes: [String]?

    init(_ report: SyncReport) {
        images = report.images.map {
            Image(
                source: $0.source, destination: $0.destination, digest: $0.digest?.description, status: $0.status.rawValue,
                blobsCopied: $0.blobsCopied, bytesCopied: $0.bytesCopied, blobsSkipped: $0.blobsSkipped, error: $0.error)
        }
        totals = Totals(
            images: report.images.count, copied: report.count(.copied), upToDate: report.count(.upToDate), planned: report.count(.planned),
            failed: report.count(.failed), uniqueBlobs: report.uniqueBlobs, uniqueBytes: report.uniqueBytes,
            blobsCopied: report.blobsCopied, bytesCopied: report.bytesCopied, blobsLeftOut: report.blobsLeftOut, bytesLeftOut: report.bytesLeftOut)
        parts = report.parts?.parts.map { Part(name: $0.name, size: $0.size, digest: $0.digest.description) }
        notes = report.notes.isEmpty ? nil : report.notes
    }
}

/// Counts the images a sync has finished, for the `[done/total, bytes]` prefix of its lines.
final class SyncTally: Sendable {
    private struct State {
        var total = 0
        var done = 0
        var bytes: Int64 = 0
    }

    private let destinations: Int
    private let state = Locked(State())

    init(destinations: Int) { self.destinations = max(1, destinations) }

    func resolved(_ images: Int) { state.withLock { $0.total = images * destinations } }

    /// `[3/12, 41 MB] `: images finished of all, bytes written so far.
    func finished(_ image: SyncReport.Image) -> String {
        state.withLock { state in
            state.done += 1
            state.bytes += image.bytesCopied
            return "[\(state.done)/\(max(state.total, state.done)), \(formatBytes(state.bytes))] "
        }
    }
}
