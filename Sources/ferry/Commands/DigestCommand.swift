import ArgumentParser
import FerryEngine
import FerrySpec
import FerryTransports

/// `ferry digest SRC`
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the digest of an image's manifest or index (verified against its bytes).")

    @Argument(help: "The image: oci:PATH[:REF] or oci-archive:PATH[:REF].")
    var source: String

    func run() async throws {
        let from = try parseTransport(source)
        try await runReportingErrors {
            let document = try await Inspector(source: try from.openSource()).rawDocument(from.selector)
            print(document.digest)
        }
    }
}
