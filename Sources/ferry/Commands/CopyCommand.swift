import ArgumentParser
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// `ferry copy SRC DST`
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy an image from one place to another, verifying every blob.",
        discussion: """
            Examples:
              ferry copy oci:./app:1.0 oci:/srv/layouts/app:1.0
              ferry copy oci:./app:1.0 oci-archive:app.tar:1.0
              ferry copy --all oci:./mirror oci:/media/usb/mirror
              ferry copy --compress zstd oci:./app:1.0 oci:./app-zstd:1.0
              ferry copy --format v2s2 --platform linux/arm64 oci:./multi:1.0 oci:./arm:1.0
              ferry copy --format oci dir:./old-v2s1 oci:./layout:1.0
              ferry copy --format v2s1 oci:./layout:1.0 dir:./as-schema1
              ferry copy oci:./app:1.0 docker://localhost:5000/app:1.0
              ferry copy --upload-chunk-size 16MiB oci:./app:1.0 \\
                docker://reg.example/app:1.0
              ferry copy docker://localhost:5000/app:1.0 docker://localhost:5000/b:1.0
              ferry copy --src-creds me:secret docker://registry.example/app:1.0 \\
                oci:./app:1.0
              ferry copy --referrers docker://registry.example/app:1.0 oci:./app:1.0
              ferry copy --json --digestfile app.digest oci:./app:1.0 \\
                docker://reg.example/app:1.0
              ferry copy oci:./app:1.0 docker-archive:- | docker load

            Without --format, documents keep their type where the destination takes it; a \
            docker-archive's image stays Docker schema 2 (gzip layers) in a registry or dir:, as \
            skopeo keeps it, and becomes OCI in oci: and oci-archive:.

            Standard output carries the result (--json: one JSON document, schema in \
            docs/json-output.md) or, for docker-archive:- and oci-archive:-, the archive; progress, \
            notes and errors go to standard error. Ctrl-C stops the copy; running the same command \
            again continues it.
            """)

    @Argument(
        help: "Where to read: oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF], dir:PATH or docker://HOST/REPO[:TAG|@DIGEST].",
        completion: Completions.place)
    var source: String

    @Argument(
        help: "Where to write: oci:PATH[:NAME], oci-archive:PATH[:NAME], docker-archive:PATH[:NAME], dir:PATH or docker://HOST/REPO[:TAG].",
        completion: Completions.place)
    var destination: String

    @Option(help: ArgumentHelp("Credentials for a source registry, USER:PASSWORD, or USER to be asked for the password.", valueName: "user[:password]"))
    var srcCreds: String?

    @Option(
        help: ArgumentHelp(
            "An auth.json to read both registries' credentials from first, as skopeo's --authfile (default: $REGISTRY_AUTH_FILE).", valueName: "file"))
    var authfile: String?

    @Option(help: ArgumentHelp("An auth.json for the source registry (default: --authfile).", valueName: "file"))
    var srcAuthfile: String?

    @Option(help: ArgumentHelp("An auth.json for the destination registry (default: --authfile).", valueName: "file"))
    var destAuthfile: String?

    @Option(help: ArgumentHelp("Verify a source registry's TLS certificate (bare: true); false also allows plain HTTP.", valueName: "bool"))
    var srcTlsVerify: Bool = true

    @Option(help: ArgumentHelp("Certificate directory for a source registry: CA certificates (*.crt), client.cert/client.key.", valueName: "dir"))
    var srcCertDir: String?

    @Option(help: ArgumentHelp("Client certificate (PEM) for a source registry; needs --src-client-key.", valueName: "file"))
    var srcClientCert: String?

    @Option(help: ArgumentHelp("Private key (PEM) of --src-client-cert.", valueName: "file"))
    var srcClientKey: String?

    @Option(help: ArgumentHelp("Credentials for a destination registry, USER:PASSWORD, or USER to be asked for the password.", valueName: "user[:password]"))
    var destCreds: String?

    @Option(help: ArgumentHelp("Verify a destination registry's TLS certificate (bare: true); false also allows plain HTTP.", valueName: "bool"))
    var destTlsVerify: Bool = true

    @Option(help: ArgumentHelp("Certificate directory for a destination registry: CA certificates (*.crt), client.cert/client.key.", valueName: "dir"))
    var destCertDir: String?

    @Option(help: ArgumentHelp("Client certificate (PEM) for a destination registry; needs --dest-client-key.", valueName: "file"))
    var destClientCert: String?

    @Option(help: ArgumentHelp("Private key (PEM) of --dest-client-cert.", valueName: "file"))
    var destClientKey: String?

    @Option(
        help: ArgumentHelp(
            "Read blobs from the source at most this fast, in bytes per second (BYTES, KiB, MiB, GiB; MB, GB), over the whole copy.", valueName: "rate"))
    var limitRate: ByteCount?

    @Option(
        help: ArgumentHelp(
            "Upload blobs to a registry in ranged PATCH requests of this size (BYTES, or with KiB, MiB, GiB), each resumed from the registry's offset if it breaks. Default: one request per blob (fastest).",
            valueName: "size"))
    var uploadChunkSize: ByteCount?

    @Flag(
        help:
            "Create the destination repository first when the destination is Amazon ECR (CreateRepository, with the AWS credentials); an existing one is fine.")
    var createRepository = false

    @Flag(help: "Copy every image the source holds, each with its own names.")
    var all = false

    @Option(help: "How many blobs to move at once.")
    var parallel = 4

    @Option(
        help: "Manifest format to write: oci, v2s2 (Docker schema 2) or v2s1 (Docker schema 1, signed; dir: only). Default: keep each document's own.",
        completion: Completions.format)
    var format: String?

    @Flag(help: "With --format v2s1: write unsigned schema 1 (…manifest.v1+json).")
    var unsigned = false

    @Flag(help: "Refuse a Docker schema 1 source whose signature is missing or does not verify.")
    var requireSignature = false

    @Option(
        help: "Layer compression: gzip[:1-9|fast|best], zstd[:1-19|fast|best], none, or keep (the default, unless the destination needs otherwise).",
        completion: Completions.compress)
    var compress: String?

    @Option(help: "Copy only this platform of a multi-platform image (os/arch[/variant]); repeatable.", completion: Completions.platform)
    var platform: [String] = []

    @Flag(help: "Fail rather than write anything whose digest would differ from the source's.")
    var preserveDigests = false

    @Flag(
        help:
            "Check every layer as ferry verify does while it is copied: inflated and hashed against the config's DiffID, its tar members walked (costs an inflation of every layer; without it, digests and sizes are checked)."
    )
    var checkLayers = false

    @Flag(help: "Also copy the image's referrers (signatures, SBOMs, attestations: manifests whose subject is a copied manifest), and theirs, verbatim.")
    var referrers = false

    @Option(help: "Write a JSON map of changed digests (source → destination) to this file.")
    var digestMap: String?

    @Option(
        help: "docker-archive layout to write: legacy (Docker ≤ 24, the default) or docker25 (an OCI layout inside, as Docker 25+ writes).",
        completion: Completions.archiveLayout)
    var archiveLayout = "legacy"

    @Flag(help: "Do not fsync files before they become visible (faster; not crash-safe).")
    var noSync = false

    @Flag(
        help:
            "Inflate every layer whose DiffID a schema 1 conversion needs, and recompress every layer that needs it, ignoring what ~/.cache/ferry (or $FERRY_CACHE_DIR) remembers."
    )
    var noCache = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors (and --json's result).")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Progress on standard error: auto (tty on a terminal, else plain), tty (redrawn in place), plain (a line per image and a heartbeat every few seconds, for logs) or none.",
            valueName: "mode"), completion: Completions.progress)
    var progress: ProgressMode = .auto

    @Flag(help: "Print the result as JSON on standard output (schema: docs/json-output.md).")
    var json = false

    @Option(
        name: .customLong("digestfile"),
        help: ArgumentHelp("Write the manifest digest of the copied image to this file, as skopeo does (several images: one per line).", valueName: "file"))
    var digestFile: String?

    func validate() throws {
        guard parallel >= 1 && parallel <= 64 else { throw ValidationError("--parallel must be between 1 and 64") }
        if let limitRate, limitRate.bytes < 1024 { throw ValidationError("--limit-rate must be at least 1KiB (bytes per second)") }
        if let uploadChunkSize, uploadChunkSize.bytes < 1 || uploadChunkSize.bytes > 1 << 30 {
            throw ValidationError("--upload-chunk-size must be between 1 byte and 1GiB")
        }
        guard DockerArchiveDestination.Layout(rawValue: archiveLayout) != nil else {
            throw ValidationError("--archive-layout must be legacy or docker25, not \(Echo.quoted(archiveLayout))")
        }
        if let format, format != "v2s1", ManifestFormat(rawValue: format) == nil {
            throw ValidationError("--format must be oci, v2s2 or v2s1, not \(Echo.quoted(format))")
        }
        if unsigned && format != "v2s1" {
            throw ValidationError("--unsigned applies to --format v2s1 only")
        }
        if let compress {
            do { _ = try CompressionChoice(parsing: compress) } catch { throw ValidationError(error.message) }
        }
        _ = try sourceRegistryOptions(prompting: false)
        _ = try destinationRegistryOptions(prompting: false)
        for p in platform {
            do { _ = try Platform(parsing: p) } catch { throw ValidationError(error.message) }
        }
        if json, let to = try? TransportReference(parsing: destination), StandardOutputArchive.isWanted(to) {
            throw ValidationError("--json prints to standard output, which \(destination) writes the archive to; leave out --json")
        }
    }

    func run() async throws {
        let from = try parsePlace(source)
        var to = try parsePlace(destination)
        if all, from.selector != .only {
            throw ValidationError("--all copies every image; do not also name one in \(source)")
        }
        let sourceOptions = try sourceRegistryOptions()
        var destinationOptions = try destinationRegistryOptions()
        destinationOptions.createRepository = createRepository
        destinationOptions.uploadChunkSize = uploadChunkSize?.bytes
        let layout = DockerArchiveDestination.Layout(rawValue: archiveLayout) ?? .legacy
        let toStandardOutput = StandardOutputArchive.isWanted(to) ? try StandardOutputArchive(for: to) : nil
        defer { toStandardOutput?.remove() }
        let display = makeCopyProgress(progress.resolved(quiet: quiet), heading: "copying \(source) to \(destination)")
        Interruption.onInterrupt(clearing: display, message: interruptionMessage(to), cleanup: { toStandardOutput?.remove() })
        if let toStandardOutput { to = toStandardOutput.staged }
        let destinationPlace = to
        try await runReportingErrors(
            registries: CopyRegistries(
                source: from, destination: destinationPlace, sourceConfiguration: sourceOptions.registriesConfiguration,
                destinationConfiguration: destinationOptions.registriesConfiguration)
        ) {
            defer { display?.finish() }
            let handler: (@Sendable (CopyEvent) -> Void)? = display.map { display in { @Sendable event in display.handle(event) } }
            var options = CopyOptions(
                parallelism: parallel,
                destinationNames: destinationPlace.destinationName.map { [$0] },
                format: format.flatMap(ManifestFormat.init(rawValue:)),
                compression: try compress.map { try CompressionChoice(parsing: $0) },
                platforms: try platform.map { try Platform(parsing: $0) },
                preserveDigests: preserveDigests,
                progress: handler)
            options.rateLimiter = limitRate.map { RateLimiter(bytesPerSecond: Int64($0.bytes)) }
            options.schema1Output = format == "v2s1" ? (unsigned ? .unsigned : .signed) : nil
            options.requireSignature = requireSignature
            options.checkLayers = checkLayers
            options.diffIDCache = noCache ? nil : DiffIDCache.standard()
            options.transcodeCache = noCache ? nil : TranscodeCache.standard()
            options.includeReferrers = referrers
            let report = try await withPlaceHints([from, destinationPlace]) {
                try await withTagHints(from, options: sourceOptions) {
                    try await from.withSource(registry: sourceOptions) { source in
                        try await destinationPlace.withDestination(
                            durable: !noSync, dockerArchiveLayout: layout, registry: destinationOptions, mountingFrom: from
                        ) { destination in
                            try await CopyOperation(source: source, destination: destination, selector: all ? .all : from.selector, options: options).run()
                        }
                    }
                }
            }
            display?.finish()
            try await toStandardOutput?.send()
            for note in report.notes {
                FileHandle.standardError.write(Data("ferry copy: note: \(TerminalText.escaped(note))\n".utf8))
            }
            if let digestMap {
                let map = Dictionary(uniqueKeysWithValues: report.digestMap.map { ($0.key.description, $0.value.description) })
                try AtomicFileWriter.write(Array(try prettyJSON(map).utf8) + [10], to: digestMap, durable: false)
            }
            if let digestFile {
                // skopeo writes the digest alone, without a newline.
                let digests = report.entries.map(\.descriptor.digest.description).joined(separator: "\n")
                try AtomicFileWriter.write(Array(digests.utf8), to: digestFile, durable: false)
            }
            let parsedDestination = try parsePlace(destination)
            if json {
                print(
                    try prettyJSON(
                        CopyResultJSON(report, source: from, destination: parsedDestination, sourceString: source, destinationString: destination, all: all)))
            } else if !quiet {
                let say: (String) -> Void = toStandardOutput == nil ? { print($0) } : { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
                summarize(report, to: parsedDestination, say)
            }
        }
    }

    /// The human summary: a line per image and referrer, then the counts.
    private func summarize(_ report: CopyReport, to place: TransportReference, _ say: (String) -> Void) {
        for entry in report.entries {
            let names = entry.names.isEmpty ? "" : " as \(entry.names.joined(separator: ", "))"
            say("Copied \(entry.descriptor.digest)\(names) to \(place.dockerReference.map { "docker://\($0.name)" } ?? "\(place.kind.rawValue):\(place.path)")")
        }
        for referrer in report.referrers {
            say(
                "Copied referrer \(referrer.descriptor.digest) (\(referrer.descriptor.artifactType ?? referrer.descriptor.mediaType.rawValue)) of \(referrer.subject)"
            )
        }
        for (digest, status) in report.schema1Signatures.sorted(by: { $0.key < $1.key }) {
            say("Schema 1 manifest \(digest): \(status)")
        }
        let transcoded = report.layersTranscoded > 0 ? ", \(report.layersTranscoded) layers recompressed" : ""
        say(
            "\(report.blobsCopied) blobs written (\(formatBytes(report.bytesCopied))), \(report.blobsSkipped) already present, \(report.documentsWritten) manifests\(transcoded); every digest verified"
        )
    }

    /// What Ctrl-C prints: that the copy stopped, and what running it again does.
    private func interruptionMessage(_ place: TransportReference) -> String {
        switch place.kind {
        case .oci, .dir, .docker:
            return
                "ferry copy: stopped (interrupted). Every blob already at \(destination) was verified and stays; run the same command again to continue the copy."
        case .ociArchive where place.path == "-", .dockerArchive where place.path == "-":
            return
                "ferry copy: stopped (interrupted). Nothing was written to standard output (the archive is sent only once complete); run the same command again to copy it."
        case .ociArchive, .dockerArchive:
            return
                "ferry copy: stopped (interrupted). \(destination) was not written (an archive appears only once complete); run the same command again to copy it."
        }
    }

    /// The `--src-…` registry flags as FerryRegistry options.
    private func sourceRegistryOptions(prompting: Bool = true) throws -> RegistryOptions {
        try registryOptions(
            creds: srcCreds, authFile: srcAuthfile ?? authfile, tlsVerify: srcTlsVerify, certDir: srcCertDir, clientCert: srcClientCert,
            clientKey: srcClientKey, prefix: "src-", prompting: prompting)
    }

    /// The `--dest-…` registry flags as FerryRegistry options.
    private func destinationRegistryOptions(prompting: Bool = true) throws -> RegistryOptions {
        try registryOptions(
            creds: destCreds, authFile: destAuthfile ?? authfile, tlsVerify: destTlsVerify, certDir: destCertDir, clientCert: destClientCert,
            clientKey: destClientKey, prefix: "dest-", prompting: prompting)
    }

}
