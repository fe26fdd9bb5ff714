import FerryRegistry
import FerrySpec
import FerryTransports
import FerryStreams

/// Where a sync reaches registries, as containers' registries.conf says
/// (``RegistryOptions/registriesConfiguration``), the way `ferry copy` does:
/// - an image is pulled from the mirrors of its name's entry first, in order, each asked for the
///   manifest (one that is down or lacks it is passed over), then from the registry's `location`
///   (``RegistriesConfiguration/pullEndpoints(for:)``); a mirror gets only the auth files'
///   credentials for its own host, never the group's or `--src-creds`;
/// - tags are listed at the `location` (as `ferry tags` does);
/// - a destination `docker://HOST[/PREFIX]` is rewritten by the entry matching `HOST[/PREFIX]`
///   (``RegistriesConfiguration/pushLocation(forName:)``), never to a mirror;
/// - `insecure` turns TLS verification off, and a `blocked` name is refused before any request.
///
/// One client is opened per host and role (registry or mirror) before the sync starts.
final class SyncRegistryEndpoints: Sendable {
    /// One client to open: its key in ``clients``, its host, and its options.
    struct Opening: Sendable {
        let key: String
        let host: String
        let options: RegistryOptions
    }

    let configuration: RegistriesConfiguration
    /// By ``key(_:)``.
    let clients: [String: RegistryClient]
    /// Which mirror served which image, for the report.
    let notes = Locked<[String]>([])

    /// Each mirror note, once, in the order they were met.
    var reportedNotes: [String] { notes.withLock { $0 } }

    init(configuration: RegistriesConfiguration, clients: [String: RegistryClient]) {
        self.configuration = configuration
        self.clients = clients
    }

    /// The key of the client for `endpoint`: registries and mirrors get apart clients, since a
    /// mirror's options carry no credentials given for the registry.
    static func key(_ endpoint: RegistriesConfiguration.Endpoint) -> String {
        (endpoint.isMirror ? "mirror " : "registry ") + endpoint.reference.domain
    }

    /// The clients the registry groups of `set` need: for each repository, its tag listing place
    /// and every place a pull by tag or by digest may go (the first group naming a host sets its
    /// options, as before registries.conf).
    /// - Throws: ``RegistryError`` for a blocked name.
    static func openings(for set: ImageSet, options: SyncOptions) throws -> [Opening] {
        let configuration = options.sourceRegistry.registriesConfiguration
        var openings: [Opening] = []
        func add(_ endpoint: RegistriesConfiguration.Endpoint, _ registry: RegistryOptions) {
            let key = key(endpoint)
            guard !openings.contains(where: { $0.key == key }) else { return }
            let options = endpoint.isMirror ? TransportReference.mirrorOptions(registry, endpoint) : TransportReference.endpointOptions(registry, endpoint)
            openings.append(Opening(key: key, host: endpoint.reference.domain, options: options))
        }
        for group in set.groups {
            guard case .registry(let host) = group.origin else { continue }
            var registry = options.sourceRegistry
            if let credentials = group.credentials { registry.credentials = credentials }
            if let verify = group.tlsVerify { registry.tlsVerify = verify }
            if let directory = group.certificateDirectory { registry.certificateDirectory = directory }
            for selection in group.repositories {
                let name = try Reference(parsing: "\(host)/\(selection.repository)")
                add(try configuration.pushEndpoint(for: name), registry)
                for probe in [name.normalized, try Reference(parsing: "\(name.name)@sha256:\(String(repeating: "0", count: 64))")] {
                    for endpoint in try configuration.pullEndpoints(for: probe) { add(endpoint, registry) }
                }
            }
        }
        return openings
    }

    /// The destinations with each registry's `HOST[/PREFIX]` rewritten to its `location`, and
    /// one client opening per destination host (TLS verification off where `insecure`).
    /// - Throws: ``RegistryError`` for a blocked destination or an entry for part of one.
    static func destinations(_ destinations: [SyncDestination], options: RegistryOptions) throws -> ([SyncDestination], [(String, RegistryOptions)]) {
        var rewritten: [SyncDestination] = []
        var hosts: [(String, RegistryOptions)] = []
        for destination in destinations {
            guard case .registry(let host, let prefix) = destination else {
                rewritten.append(destination)
                continue
            }
            let location = try options.registriesConfiguration.pushLocation(forName: prefix.isEmpty ? host : "\(host)/\(prefix)")
            let parts = location.name.split(separator: "/", maxSplits: 1).map(String.init)
            let target = SyncDestination.registry(host: parts[0], prefix: parts.count > 1 ? parts[1] : "")
            rewritten.append(target)
            if !hosts.contains(where: { $0.0 == parts[0] }) {
                var registry = options
                if location.insecure { registry.tlsVerify = false }
                hosts.append((parts[0], registry))
            }
        }
        return (rewritten, hosts)
    }

    /// Runs `body` with every client of `openings` open, all shut down afterwards.
    static func withClients<T>(
        _ openings: [Opening], _ opened: [String: RegistryClient] = [:], _ body: ([String: RegistryClient]) async throws -> T
    ) async throws -> T {
        guard let first = openings.first else { return try await body(opened) }
        return try await withRegistryClient(first.host, options: first.options) { client in
            var next = opened
            next[first.key] = client
            return try await withClients(Array(openings.dropFirst()), next, body)
        }
    }

    /// The client and repository to list `repository`'s tags of `host` at (its `location`).
    func tagLister(host: String, repository: String) throws -> (client: RegistryClient, repository: String) {
        let endpoint = try configuration.pushEndpoint(for: try Reference(parsing: "\(host)/\(repository)"))
        return (try client(endpoint), endpoint.reference.repository)
    }

    /// The source of `reference`: the first mirror that has its manifest, else the registry.
    /// - Parameter cache: the run's cache of documents and configs read (``RegistryReadCache``).
    func source(for reference: Reference, cache: RegistryReadCache? = nil) async throws -> RegistrySource {
        let endpoints = try configuration.pullEndpoints(for: reference)
        for mirror in endpoints.dropLast() {
            let client = try client(mirror)
            let source = RegistrySource(client: client, reference: mirror.reference, cache: cache)
            let lookup: ManifestReference = source.reference.digest.map { .digest($0) } ?? .tag(source.reference.tag ?? Reference.defaultTag)
            guard (try? await client.manifestDescriptor(source.reference.repository, lookup)) ?? nil != nil else { continue }
            let note = "\(reference) was pulled from the mirror \(mirror.reference) (registries.conf entry at \(mirror.origin))"
            notes.withLock { if !$0.contains(note) { $0.append(note) } }
            return source
        }
        let primary = endpoints[endpoints.count - 1]
        return RegistrySource(client: try client(primary), reference: primary.reference, cache: cache)
    }

    private func client(_ endpoint: RegistriesConfiguration.Endpoint) throws -> RegistryClient {
        guard let client = clients[Self.key(endpoint)] else { throw EngineError(.invalidImageSet, "no client for \(endpoint.reference.domain)") }
        return client
    }
}
