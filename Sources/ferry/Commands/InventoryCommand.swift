import ArgumentParser
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// `ferry inventory PLACE… [-o FILE]`
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Write what registries, layouts and bundles hold (images, blobs) as a small JSON file for `sync --have`.",
        discussion: """
            Places:
              docker://HOST              every repository the registry's catalog lists,
                                         every tag
              docker://HOST/PATH         the repositories at or under PATH (PATH itself
                                         when the registry has no catalog), every tag
              docker://HOST/REPO:TAG     one image (or @DIGEST)
              --images SET docker://HOST[/PREFIX]
                                         the repositories the image set names, where
                                         `ferry sync` puts them under PREFIX
              oci:DIR, oci-archive:FILE, docker-archive:FILE
                                         every image it holds (a delta bundle: the
                                         blobs it relies on too)

            Layers are listed from the manifests, never downloaded. The inventory holds no \
            credentials; its format is in docs/inventory.md.

            The air-gap cycle:
              far side:  ferry inventory docker://site.local/mirror -o site.json
              near side: ferry sync --images set.yaml --have site.json \\
                           oci-archive:update.tar
              far side:  ferry sync oci-archive:update.tar docker://site.local/mirror
            """)

    @Argument(help: ArgumentHelp("Places to inventory (docker://HOST[/PATH], oci:DIR, oci-archive:FILE, docker-archive:FILE).", valueName: "place"))
    var places: [String]

    @Option(
        help: ArgumentHelp(
            "An image-set file: inventory only the repositories it names, where `ferry sync` puts them under each docker://HOST[/PREFIX] place.",
            valueName: "file"))
    var images: String?

    @Flag(help: "With --images: the repositories keep their source registry's host in the path (as sync --scoped).")
    var scoped = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the inventory to FILE (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @OptionGroup var registry: RegistryFlags

    @Flag(help: "With -o: print a JSON summary on standard output (schema: docs/inventory.md).")
    var json = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard !places.isEmpty else { throw ValidationError("name at least one place to inventory") }
        for place in places {
            do { _ = try InventoryPlace(parsing: place) } catch { throw ValidationError(error.message) }
        }
        if json && output == nil {
            throw ValidationError("--json prints a summary when the inventory goes to a file: add -o FILE (without -o the inventory itself is the JSON output)")
        }
    }

    func run() async throws {
        try await runReportingErrors {
            var parsed = try places.map { try InventoryPlace(parsing: $0) }
            if let images { parsed = try Self.restrict(parsed, to: images, scoped: scoped) }
            let options = try registry.options
            let (located, insecure) = try Self.located(parsed, options.registriesConfiguration)
            var operation = InventoryOperation(places: located, registry: options)
            operation.insecureHosts = insecure
            let lines = !quiet && output != nil && !json
            operation.progress = { line in
                if lines { FileHandle.standardError.write(Data(("reading " + TerminalText.escaped(line) + "\n").utf8)) }
            }
            let inventory = try await operation.run()
            let bytes = try inventory.encoded()
            let total = inventory.blobs.reduce(Int64(0)) { $0 &+ max(0, $1.size) }
            guard let output else {
                FileHandle.standardOutput.write(Data(bytes))
                return
            }
            try AtomicFileWriter.write(bytes, to: output, durable: true)
            if json {
                print(
                    try prettyJSON(
                        InventorySummaryJSON(file: output, images: inventory.images.count, blobs: inventory.blobs.count, bytes: total, fileSize: bytes.count)))
            } else if !quiet {
                print(
                    "\(output): \(inventory.images.count) images, \(inventory.blobs.count) blobs (\(formatBytes(total))) in \(inventory.places.count) place\(inventory.places.count == 1 ? "" : "s"); \(formatBytes(Int64(bytes.count)))"
                )
            }
        }
    }
}

extension InventoryCommand {
    /// Each registry place where registries.conf sends it, as `ferry sync` does a destination
    /// (the registry itself, never a mirror: an inventory is of what the far side holds):
    /// `HOST[/PATH]` rewritten to its entry's `location`, an image by its push endpoint; and the
    /// hosts whose entry is `insecure`.
    /// - Throws: ``RegistryError`` for a blocked place.
    static func located(_ places: [InventoryPlace], _ configuration: RegistriesConfiguration) throws -> ([InventoryPlace], Set<String>) {
        var located: [InventoryPlace] = []
        var insecure = Set<String>()
        for place in places {
            switch place {
            case .registry(let host, let path):
                let location = try configuration.pushLocation(forName: path.isEmpty ? host : "\(host)/\(path)", allowingNarrower: true)
                let parts = location.name.split(separator: "/", maxSplits: 1).map(String.init)
                located.append(.registry(host: parts[0], path: parts.count > 1 ? parts[1] : ""))
                if location.insecure { insecure.insert(parts[0]) }
            case .image(let reference):
                let endpoint = try configuration.pushEndpoint(for: reference)
                located.append(.image(endpoint.reference))
                if endpoint.insecure { insecure.insert(endpoint.reference.domain) }
            case .local:
                located.append(place)
            }
        }
        return (located, insecure)
    }

    /// Each `docker://HOST[/PREFIX]` place narrowed to the repositories an image-set file names,
    /// as `ferry sync` lays them out under that prefix; other places stay as they are.
    static func restrict(_ places: [InventoryPlace], to file: String, scoped: Bool) throws -> [InventoryPlace] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TransportError(.notFound, "\(file): cannot read the image-set file (\(error.localizedDescription))")
        }
        var sources: [Reference] = []
        for group in try ImageSetParser.parse(text, file: file).groups {
            guard case .registry(let host) = group.origin else { continue }
            for selection in group.repositories {
                if let reference = try? Reference(parsing: "\(host)/\(selection.repository)") { sources.append(reference) }
            }
        }
        return places.flatMap { place -> [InventoryPlace] in
            guard case .registry(let host, let prefix) = place else { return [place] }
            let paths = Set(sources.map { SyncDestination.repository(for: $0, prefix: prefix, scoped: scoped) })
            return paths.sorted().map { InventoryPlace.registry(host: host, path: $0) }
        }
    }
}

/// `ferry inventory -o FILE --json`.
struct InventorySummaryJSON: Encodable {
    var schemaVersion = 1
    var file: String
    var images: Int
    var blobs: Int
    var bytes: Int64
    var fileSize: Int
}
