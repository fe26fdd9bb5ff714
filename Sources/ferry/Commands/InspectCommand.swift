import ArgumentParser
import FerryEngine
import FerrySpec
import FerryTransports

/// `ferry inspect SRC`
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an image's manifest, config summary, layers and platforms.")

    @Argument(help: "The image: oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF] or docker://HOST/REPO[:TAG|@DIGEST].")
    var source: String

    @OptionGroup var registry: RegistryFlags

    @Flag(help: "Print the exact manifest or index bytes, nothing else.")
    var raw = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let from = try parseTransport(source)
        try await runReportingErrors {
            try await from.withSource(registry: try registry.options) { source in
                let inspector = Inspector(source: source)
                if raw {
                    let document = try await inspector.rawDocument(from.selector)
                    writeOut(String(decoding: document.bytes, as: UTF8.self))
                    return
                }
                let inspection = try await inspector.inspect(from.selector)
                if json {
                    print(try prettyJSON(inspection))
                } else {
                    print(InspectionText.render(inspection), terminator: "")
                }
            }
        }
    }
}
