import ArgumentParser
import FerryRegistry
import FerrySpec

/// `ferry catalog HOST`
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List the repositories of a registry, one per line (GET /v2/_catalog, following pagination).",
        usage: "ferry catalog [<options>] <host>",
        discussion: """
            Not every registry offers a catalog (Docker Hub does not); some list only what the credentials may see. \
            registries.conf applies as for tags: a host its entries rewrite is listed at the location \
            (a location with a namespace lists the repositories under it, without the namespace), \
            insecure turns TLS verification off, and a blocked host is refused.

            Examples:
              ferry catalog localhost:5000
              ferry catalog --json --page-size 500 --creds me:secret registry.example
            """)

    @Argument(help: "The registry: HOST[:PORT] (docker://HOST[:PORT] is accepted too).")
    var host: String

    @OptionGroup var registry: RegistryFlags

    @Option(help: "Repositories to ask for per page (the registry's n); default: the registry's choice.")
    var pageSize: Int?

    @Flag(help: "Print {\"repositories\":[…]} as JSON.")
    var json = false

    func validate() throws {
        if let pageSize, pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
        guard Self.registryHost(host) != nil else {
            throw ValidationError("\(Echo.quoted(host)) is not a registry host; write HOST[:PORT], e.g. localhost:5000")
        }
    }

    func run() async throws {
        let name = Self.registryHost(host) ?? host
        try await runReportingErrors {
            var options = try registry.options
            let location = try options.registriesConfiguration.pushLocation(forName: name, allowingNarrower: true)
            if location.insecure { options.tlsVerify = false }
            let parts = location.name.split(separator: "/", maxSplits: 1).map(String.init)
            let namespace = parts.count > 1 ? parts[1] + "/" : ""
            let repositories = try await withRegistryClient(parts[0], options: options) { client in
                try await client.catalog(pageSize: pageSize)
            }.filter { $0.hasPrefix(namespace) }.map { String($0.dropFirst(namespace.count)) }
            if json {
                struct Listing: Encodable { var schemaVersion = 1; var repositories: [String] }
                print(try prettyJSON(Listing(repositories: repositories)))
            } else {
                for repository in repositories { print(TerminalText.escaped(repository)) }
            }
        }
    }

    /// `HOST[:PORT]` from the argument (an optional `docker://` and trailing `/` dropped), or
    /// `nil` when it names a path or is empty.
    static func registryHost(_ argument: String) -> String? {
        var text = Substring(argument)
        if text.hasPrefix("docker://") { text = text.dropFirst("docker://".count) }
        while text.hasSuffix("/") { text = text.dropLast() }
        guard !text.isEmpty, !text.contains("/"), !text.contains(where: \.isWhitespace) else { return nil }
        return String(text)
    }
}
