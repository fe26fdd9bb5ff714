import ArgumentParser
import FerryEngine
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
          docker://HOST              every repository the registry's catalog lists, every tag
          docker://HOST/PATH         the repositories at or under PATH (PATH itself when the
                                     registry has no catalog), every tag
          docker://HOST/REPO:TAG     one image (or @DIGEST)
          oci:DIR, oci-archive:FILE, docker-archive:FILE
                                     every image it holds (a delta bundle: the blobs it relies
                                     on too)

        Layers are listed from the manifests, never downloaded. The inventory holds no \
        credentials; its format is in docs/inventory.md.

        The air-gap cycle:
          far side:  ferry inventory docker://site.local/mirror -o site.json
          near side: ferry sync --images set.yaml --have site.json oci-archive:update.tar
          far side:  ferry sync oci-archive:update.tar docker://site.local/mirror
        """)

    @Argument(help: ArgumentHelp("Places to inventory (docker://HOST[/PATH], oci:DIR, oci-archive:FILE, docker-archive:FILE).", valueName: "place"))
    var places: [String]

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
        if json && output == nil { throw ValidationError("--json prints a summary when the inventory goes to a file: add -o FILE (without -o the inventory itself is the JSON output)") }
    }

    func run() async throws {
        try await runReportingErrors {
            var operation = InventoryOperation(places: try places.map { try InventoryPlace(parsing: $0) }, registry: try registry.options)
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
                print(try prettyJSON(InventorySummaryJSON(file: output, images: inventory.images.count, blobs: inventory.blobs.count, bytes: total, fileSize: bytes.count)))
            } else if !quiet {
                print("\(output): \(inventory.images.count) images, \(inventory.blobs.count) blobs (\(formatBytes(total))) in \(inventory.places.count) place\(inventory.places.count == 1 ? "" : "s"); \(formatBytes(Int64(bytes.count)))")
            }
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
