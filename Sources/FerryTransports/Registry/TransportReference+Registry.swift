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
    /// its own host (``CredentialBinding``).
    /// - Parameter options: credentials and TLS for a registry; ignored by file transports.
    public func withSource<T>(
        registry options: RegistryOptions = RegistryOptions(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (any ImageSource) async throws -> T
    ) async throws -> T {
        guard let reference = dockerReference else { return try await body(try openSource()) }
        let endpoints = try options.registriesConfiguration.pullEndpoints(for: reference)
        for mirror in endpoints.dropLast() {
            var bodyRan = false
            do {
                let served: T? = try await withRegistryClient(mirror.reference.domain, options: Self.mirrorOptions(options, mirror)) { client in
                    let source = RegistrySource(client: client, reference: mirror.reference)
                    guard (try? await client.manifestDescriptor(source.reference.repository, source.manifestReference)) ?? nil != nil else { return nil }
                    bodyRan = true
                    return try await body(source)
                }
                if let served { return served }
            } catch where !bodyRan {
                continue
            }
        }
        let primary = endpoints[endpoints.count - 1]
        return try await withRegistryClient(primary.reference.domain, options: Self.endpointOptions(options, primary)) { client in
            try await body(RegistrySource(client: client, reference: primary.reference))
        }
    }

    /// `options` for the registry itself at `endpoint`: `insecure` turns TLS verification off.
    static func endpointOptions(_ options: RegistryOptions, _ endpoint: RegistriesConfiguration.Endpoint) -> RegistryOptions {
        var options = options
        if endpoint.insecure { options.tlsVerify = false }
        return options
    }

    /// `options` for a mirror: no credentials, certificate directory or client certificate given
    /// for the registry (the auth files are asked for the mirror's own host); `insecure` turns
    /// TLS verification off.
    static func mirrorOptions(_ options: RegistryOptions, _ mirror: RegistriesConfiguration.Endpoint) -> RegistryOptions {
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
        guard let named = dockerReference else { return try await body(try openDestination(durable: durable, dockerArchiveLayout: dockerArchiveLayout)) }
        let endpoint = try options.registriesConfiguration.pushEndpoint(for: named)
        let reference = endpoint.reference
        return try await withRegistryClient(reference.domain, options: Self.endpointOptions(options, endpoint)) { client in
            if options.createRepository { try await client.createRepository(reference.repository) }
            let sameRegistry = source?.dockerReference.flatMap { $0.domain == reference.domain ? $0 : nil }
            return try await body(RegistryDestination(client: client, reference: reference, mountSource: sameRegistry?.repository))
        }
    }

    /// `docker://NAME[:TAG|@DIGEST]` → a normalised reference; both a tag and a digest is refused,
    /// as skopeo does.
    static func parseDocker(_ string: String) throws(TransportError) -> Reference {
        guard string.hasPrefix("docker://") else {
            throw TransportError(.invalidArgument, "\(Echo.quoted(string)): a registry is written docker://HOST[:PORT]/REPO[:TAG|@DIGEST], e.g. docker://localhost:5000/app:1.0")
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
