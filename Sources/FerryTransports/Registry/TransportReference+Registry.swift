import FerryRegistry
import FerrySpec

extension TransportReference {
    /// Runs `body` with this place opened for reading; for `docker://`, with a registry client
    /// that lives exactly as long as `body`.
    /// - Parameter options: credentials and TLS for a registry; ignored by file transports.
    public func withSource<T>(
        registry options: RegistryOptions = RegistryOptions(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (any ImageSource) async throws -> T
    ) async throws -> T {
        guard let reference = dockerReference else { return try await body(try openSource()) }
        return try await withRegistryClient(reference.domain, options: options) { client in
            try await body(RegistrySource(client: client, reference: reference))
        }
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
        guard let reference = dockerReference else { return try await body(try openDestination(durable: durable, dockerArchiveLayout: dockerArchiveLayout)) }
        return try await withRegistryClient(reference.domain, options: options) { client in
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
