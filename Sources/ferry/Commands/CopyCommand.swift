import ArgumentParser
import FerryEngine
import FerrySpec
import FerryTransports

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
        """)

    @Argument(help: "Where to read: oci:PATH[:REF] or oci-archive:PATH[:REF].")
    var source: String

    @Argument(help: "Where to write: oci:PATH[:NAME] or oci-archive:PATH[:NAME].")
    var destination: String

    @Flag(help: "Copy every image the source holds, each with its own names.")
    var all = false

    @Option(help: "How many blobs to move at once.")
    var parallel = 4

    @Flag(help: "Do not fsync files before they become visible (faster; not crash-safe).")
    var noSync = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard parallel >= 1 && parallel <= 64 else { throw ValidationError("--parallel must be between 1 and 64") }
    }

    func run() async throws {
        let from = try parseTransport(source)
        let to = try parseTransport(destination)
        if all, from.selector != .only {
            throw ValidationError("--all copies every image; do not also name one in \(source)")
        }
        try await runReportingErrors {
            let operation = CopyOperation(
                source: try from.openSource(),
                destination: try to.openDestination(durable: !noSync),
                selector: all ? .all : from.selector,
                options: CopyOptions(parallelism: parallel, destinationNames: to.destinationName.map { [$0] }))
            let report = try await operation.run()
            if !quiet {
                for entry in report.entries {
                    let names = entry.names.isEmpty ? "" : " as \(entry.names.joined(separator: ", "))"
                    print("Copied \(entry.descriptor.digest)\(names) to \(to.kind.rawValue):\(to.path)")
                }
                print("\(report.blobsCopied) blobs written (\(formatBytes(report.bytesCopied))), \(report.blobsSkipped) already present, \(report.documentsWritten) manifests; every digest verified")
            }
        }
    }
}
