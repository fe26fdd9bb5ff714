import ArgumentParser
import FerryEngine
import FerrySpec
import FerryTransports

/// `ferry referrers SRC`
struct ReferrersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referrers",
        abstract: "List the referrers of an image: signatures, SBOMs, attestations whose subject it is.",
        usage: "ferry referrers [<options>] <source>",
        discussion: """
            A registry is asked through its referrers API, or, when it has none, through the \
            referrers tag schema (the index tagged sha256-<hex>). An OCI layout's referrers are \
            the manifests in its index.json whose subject is the image.

            Examples:
              ferry referrers docker://localhost:5000/app:1.0
              ferry referrers --artifact-type application/spdx+json --json oci:./app:1.0
            """)

    @Argument(help: "The image: oci:PATH[:REF], oci-archive:PATH[:REF] or docker://HOST/REPO[:TAG|@DIGEST].")
    var source: String

    @OptionGroup var registry: RegistryFlags

    @Option(help: "List only referrers of this artifact type.")
    var artifactType: String?

    @Flag(help: "Print JSON: an array of {artifactType, mediaType, digest, size, annotations}.")
    var json = false

    /// One line of the listing.
    struct Listed: Encodable {
        var artifactType: String?
        var mediaType: String
        var digest: String
        var size: Int64
        var annotations: [String: String]?
    }

    func run() async throws {
        let from = try parsePlace(source)
        try await runReportingErrors {
            try await from.withSource(registry: try registry.options) { source in
                let subject = try await source.entry(matching: from.selector).descriptor
                let found = try await ReferrerFinder(source: source).referrers(of: subject.digest, artifactType: artifactType)
                let listed = found.map {
                    Listed(
                        artifactType: $0.artifactType, mediaType: $0.mediaType.rawValue, digest: $0.digest.description, size: $0.size,
                        annotations: $0.annotations)
                }
                if json {
                    print(try prettyJSON(listed))
                    return
                }
                guard !listed.isEmpty else {
                    print("No referrers of \(subject.digest)")
                    return
                }
                let width = max("ARTIFACT TYPE".count, listed.map { ($0.artifactType ?? "-").count }.max() ?? 0)
                func padded(_ s: String) -> String { s + String(repeating: " ", count: width - s.count) }
                print("\(padded("ARTIFACT TYPE"))  DIGEST\(String(repeating: " ", count: 65))  SIZE")
                for item in listed {
                    print("\(padded(item.artifactType ?? "-"))  \(item.digest)  \(item.size)")
                }
            }
        }
    }
}
