import FerryRegistry
import FerrySpec

extension TransportReference {
    /// Runs `body` with this place opened for reading; for `docker://`, with a registry client
    /// that lives exactly as long as `body`.
    ///
    /// A registry name goes where ``RegistryOptions/registriesConfiguration`` says
    /// (``RegistriesConfiguration/pullEndpoints(for:)``): each mirror that serves the pull is
    /// asked for the manifest first, and the first that has it is the source; a mirror that is
    /// down, refuses, or lacks the image is passed over; the registry itself (its `location`)
    /// comes last. Credentials given for the registry (`--creds`), its certificate directory and
    /// client certificate never go to a mirror: a mirror gets only what the auth files hold for
    /// its own host (``CredentialBinding``). A short name (``writtenShortName``) is looked up as
    /// registries.conf says: its alias, else each unqualified-search registry in turn, each with
    /// its own mirrors. The source's ``ImageSource/notes`` say which mirror or search registry
    /// served it.
    /// - Parameter options: credentials and TLS for a registry; ignored by file transports.
    public func withSource<T>(
        registry options: RegistryOptions = RegistryOptions(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (any ImageSource) async throws -> T
    ) async throws -> T {
        guard dockerReference != nil else { return try await body(try openSource()) }
        let places = try pullPlaces(options.registriesConfiguration)
        for (endpoint, notes) in places.dropLast() {
            var bodyRan = false
            do {
                let endpointOptions = endpoint.isMirror ? Self.mirrorOptions(options, endpoint) : Self.endpointOptions(options, endpoint)
                let served: T? = try await withRegistryClient(endpoint.reference.domain, options: endpointOptions) { client in
                    var source = RegistrySource(client: client, reference: endpoint.reference)
                    source.notes = notes
                    guard (try? await client.manifestDescriptor(source.reference.repository, source.manifestReference)) ?? nil != nil else { return nil }
                    bodyRan = true
                    return try await body(source)
                }
                if let served { return served }
            } catch  where !bodyRan {
                continue
            }
        }
        let (last, notes) = places[places.count - 1]
        let lastOptions = last.isMirror ? Self.mirrorOptions(options, last) : Self.endpointOptions(options, last)
        return try await withRegistryClient(last.reference.domain, options: lastOptions) { client in
            var source = RegistrySource(client: client, reference: last.reference)
            source.notes = notes
            return try await body(source)
        }
    }

    /// Every place a pull of this `docker://` reference may be served from, in the order to
    /// try, each with the notes a copy from it reports: for a short name, each candidate
    /// (``ShortNameConfiguration/pullCandidates(_:written:parsed:)``), and for each, its mirrors
    /// then its registry (``RegistriesConfiguration/pullEndpoints(for:)``).
    /// - Throws: ``RegistryError`` for a blocked name or a short name `enforcing` mode refuses.
    public func pullPlaces(_ configuration: RegistriesConfiguration) throws(RegistryError) -> [(RegistriesConfiguration.Endpoint, [String])] {
        guard let reference = dockerReference else { return [] }
        var candidates = [ShortNameConfiguration.Candidate(reference: reference, note: nil)]
        if let written = writtenShortName, let name = Reference.shortName(of: written) {
            candidates = try configuration.shortNames.pullCandidates(name, written: written, parsed: reference)
        }
        var places: [(RegistriesConfiguration.Endpoint, [String])] = []
        for candidate in candidates {
            for endpoint in try configuration.pullEndpoints(for: candidate.reference) {
                var notes = candidate.note.map { [$0] } ?? []
                if endpoint.isMirror {
                    notes.append("\(candidate.reference) was pulled from the mirror \(endpoint.reference) (registries.conf entry at \(endpoint.origin))")
                }
                places.append((endpoint, notes))
            }
        }
        return places
    }

    /// Where a push of this `docker://` reference goes: a short name's alias or single search
    /// registry (``ShortNameConfiguration/pushCandidate(_:written:parsed:)``), then the registry's
    /// `location` (``RegistriesConfiguration/pushEndpoint(for:)``).
    /// - Throws: ``RegistryError`` for a blocked name or a short name with several search
    ///   registries and no alias.
    public func pushEndpoint(_ configuration: RegistriesConfiguration) throws(RegistryError) -> (endpoint: RegistriesConfiguration.Endpoint, note: String?)? {
        guard var reference = dockerReference else { return nil }
        var note: String?
        if let written = writtenShortName, let name = Reference.shortName(of: written) {
            let candidate = try configuration.shortNames.pushCandidate(name, written: written, parsed: reference)
            reference = candidate.reference
            note = candidate.note
        }
        return (try configuration.pushEndpoint(for: reference), note)
    }

    /// `options` for the registry itself at `endpoint`: `insecure` turns TLS verification off.
    public static func endpointOptions(_ options: RegistryOptions, _ endpoint: RegistriesConfiguration.Endpoint) -> RegistryOptions {
        var options = options
        if endpoint.insecure { options.tlsVerify = false }
        return options
    }

    /// `options` for a mirror: no credentials, certificate directory or client certificate given
    /// for the registry (the auth files are asked for the mirror's own host); `insecure` turns
    /// TLS verification off.
    public static func mirrorOptions(_ options: RegistryOptions, _ mirror: RegistriesConfiguration.Endpoint) -> RegistryOptions {
        var options = options
        options.credentials = nil
        options.certificateDirectory = nil
        options.clientCertificate = nil
        options.tlsVerify = !mirror.insecure
        return options
    }

    /// Runs `body` with this place opened for writing; for `docker://`, with a registry client
    /// that lives exactly as long as `body`.
    /// - Parameters:
    ///   - durable: `fsync` files before they become visible (file transports).
    ///   - options: credentials and TLS for a registry; ignored by file transports.
    ///   - source: where the copy reads from; when it is another repository of the same registry,
    ///     blobs are mounted from it instead of uploaded (``RegistryDestination/mountSource``).
    public func withDestination<T>(
        durable: Bool = true,
        dockerArchiveLayout: DockerArchiveDestination.Layout = .legacy,
        registry options: RegistryOptions = RegistryOptions(),
        mountingFrom source: TransportReference? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (any ImageDestination) async throws -> T
    ) async throws -> T {
        guard let (endpoint, note) = try pushEndpoint(options.registriesConfiguration) else {
            return try await body(try openDestination(durable: durable, dockerArchiveLayout: dockerArchiveLayout))
        }
        let reference = endpoint.reference
        return try await withRegistryClient(reference.domain, options: Self.endpointOptions(options, endpoint)) { client in
            if options.createRepository { try await client.createRepository(reference.repository) }
            let sameRegistry = source?.dockerReference.flatMap { $0.domain == reference.domain ? $0 : nil }
            var destination = RegistryDestination(client: client, reference: reference, mountSource: sameRegistry?.repository)
            destination.notes = note.map { [$0] } ?? []
            return try await body(destination)
        }
    }

    /// Where `tags` and `delete` reach this `docker://` place (the registry itself, never a
    /// mirror): ``pushEndpoint(_:)``'s reference, with TLS verification off where the entry is
    /// `insecure`; `nil` for a file transport.
    /// - Throws: ``RegistryError`` for a blocked name or a short name with several search
    ///   registries and no alias.
    public func direct(_ options: RegistryOptions) throws(RegistryError) -> (reference: Reference, options: RegistryOptions)? {
        guard let (endpoint, _) = try pushEndpoint(options.registriesConfiguration) else { return nil }
        return (endpoint.reference, Self.endpointOptions(options, endpoint))
    }

    /// `docker://NAME[:TAG|@DIGEST]` → a normalised reference; both a tag and a digest is refused,
    /// as skopeo does.
    static func parseDocker(_ string: String) throws(TransportError) -> Reference {
        guard string.hasPrefix("docker://") else {
            throw TransportError(
                .invalidArgument, "\(Echo.quoted(string)): a registry is written docker://HOST[:PORT]/REPO[:TAG|@DIGEST], e.g. docker://localhost:5000/app:1.0")
        }
        let text = String(string.dropFirst("docker://".count))
        let reference: Reference
        do {
            reference = try Reference(parsing: text)
        } catch {
            throw TransportError(.invalidArgument, "\(Echo.quoted(string)): \(error.message)")
        }
        if reference.tag != nil && reference.digest != nil {
            throw TransportError(.invalidArgument, "\(Echo.quoted(string)) names both a tag and a digest; give one")
        }
        return reference
    }

    static func needsScope(_ place: TransportReference) -> TransportError {
        TransportError(.invalidArgument, "\(place) is a registry: open it with withSource / withDestination, which own its HTTP client")
    }
}
