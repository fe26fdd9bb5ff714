import ArgumentParser
import FerryRegistry
import FerrySpec
import FerryTransports

/// `ferry tags docker://HOST/REPO`
struct TagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "List every tag of a registry repository, one per line (following pagination).",
        discussion: """
        Examples:
          ferry tags docker://localhost:5000/app
          ferry tags --page-size 100 --creds me:secret docker://registry.example/team/app
        """)

    @Argument(help: "The repository: docker://HOST[:PORT]/REPO.")
    var repository: String

    @OptionGroup var registry: RegistryFlags

    @Option(help: "Tags to ask for per page (the registry's n); default: the registry's choice.")
    var pageSize: Int?

    func run() async throws {
        let place = try parseTransport(repository)
        guard let reference = place.dockerReference else {
            throw ValidationError("\(repository) is not a registry repository; write docker://HOST/REPO")
        }
        if let pageSize, pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
        try await runReportingErrors {
            let tags = try await withRegistryClient(reference.domain, options: try registry.options) { client in
                try await client.tags(reference.repository, pageSize: pageSize)
            }
            for tag in tags { print(TerminalText.escaped(tag)) }
        }
    }
}
