import ArgumentParser
import FerryRegistry
import FerrySpec
import FerryTransports

/// `ferry tags PLACE`
struct TagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "List every tag of a registry repository, or every name in a layout or archive, one per line.",
        usage: "ferry tags [<options>] <place>",
        discussion: """
            Examples:
              ferry tags docker://localhost:5000/app
              ferry tags --page-size 100 --creds me:secret \\
                docker://registry.example/team/app
              ferry tags oci:./mirror
              ferry tags --json docker-archive:images.tar
            """)

    @Argument(help: "docker://HOST[:PORT]/REPO, or a layout or archive: oci:PATH, oci-archive:PATH, docker-archive:PATH.", completion: Completions.place)
    var repository: String

    @OptionGroup var registry: RegistryFlags

    @Option(help: "Tags to ask for per page (the registry's n); default: the registry's choice.")
    var pageSize: Int?

    @Flag(help: "Print JSON (schema: docs/json-output.md).")
    var json = false

    func run() async throws {
        let place = try parsePlace(repository)
        if let pageSize, pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
        guard let reference = place.dockerReference else {
            try await listNames(place)
            return
        }
        try await runReportingErrors {
            guard let (target, options) = try place.direct(try registry.options) else { return }
            let tags = try await withRegistryClient(target.domain, options: options) { client in
                try await client.tags(target.repository, pageSize: pageSize)
            }
            if json {
                print(try prettyJSON(TagListJSON(source: repository, repository: place.writtenShortName == nil ? reference.name : target.name, tags: tags)))
            } else {
                for tag in tags { print(TerminalText.escaped(tag)) }
            }
        }
    }

    /// The names of a layout's or archive's entries.
    private func listNames(_ place: TransportReference) async throws {
        if place.selector != .only {
            throw ValidationError("\(repository) names one image; ferry tags lists every name of a place, so write \(place.kind.rawValue):\(place.path)")
        }
        try await runReportingErrors {
            let listing = try await withPlaceHints([place]) {
                try await place.withSource { source in
                    EntryListing(try await source.entries(), of: place, sourceString: repository)
                }
            }
            if json {
                print(try prettyJSON(TagListJSON(source: repository, tags: listing.names, entries: listing.entries)))
            } else {
                for name in listing.names { print(TerminalText.escaped(name)) }
            }
        }
    }
}
