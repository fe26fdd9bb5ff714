import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports

/// A local source of a sync that is best read once, front to back — a bundle on a pipe
/// (`oci-archive:-`), a compressed bundle or docker-archive — read before anything else: each blob
/// lands in every destination of the sync as it passes (``ByteFanOut``; in a registry, in the
/// repository of the bundle's first image, from which the others mount it), so the copies that
/// follow find every blob there and read nothing more from the source.
struct SyncOnePass: Sendable {
    let place: String
    let source: any OnePassImageSource
    /// The same source when it is an `oci-archive:`, which says what `index.json` names as
    /// soon as it passes (needed to land blobs in a registry).
    let archive: OCIArchiveSource?

    /// Reads the source once into every destination; returns, by destination (its
    /// description), the blobs that are there now (landed, or found there), which the copies
    /// then take as they are instead of reading them again.
    /// - Throws: ``TransportError`` when a destination is a registry and the archive names no
    ///   image before its blobs (or is a docker-archive); the source's and destinations' errors.
    func read(
        into destinations: [SyncDestination], options: SyncOptions, clients: [String: RegistryClient], ledgers: [String: BlobLedger], limiter: RateLimiter?
    ) async throws -> [String: Set<Digest>] {
        let name = source.name
        var fixed: [(String, any ImageDestination)] = []
        var registries: [(key: String, host: String, prefix: String, client: RegistryClient, ledger: BlobLedger)] = []
        for destination in destinations {
            switch destination {
            case .layout(let path):
                fixed.append((destination.description, try OCILayoutDestination(path: path, durable: options.durable)))
            case .bundle(let path):
                fixed.append((destination.description, try OCILayoutDestination(path: SyncContext.stagingPath(for: path), durable: options.durable)))
            case .registry(let host, let prefix):
                guard archive != nil, let client = clients[host], let ledger = ledgers[host] else {
                    throw TransportError(
                        .unsupported,
                        "\(name) is read once, front to back, and only an oci-archive says where its blobs go before they pass: sync it to oci:DIR or oci-archive:FILE first, or give the archive as a file"
                    )
                }
                registries.append((destination.description, host, prefix, client, ledger))
            }
        }
        let present = Dictionary(uniqueKeysWithValues: destinations.map { ($0.description, LandedDigests()) })
        guard let archive, !registries.isEmpty else {
            let targets = fixed
            try await source.readOnce { offer, stream in
                try await Self.land(offer, stream, into: targets, name: name, present: present, limiter: limiter)
            }
            return present.mapValues(\.all)
        }
        // A registry learns its repository from index.json, which passes before the blobs.
        let place = self.place
        let scoped = options.scoped
        let registryTargets = Locked<[(String, any ImageDestination)]?>(nil)
        try await archive.readOnce(
            index: { entries in
                guard let first = entries.lazy.flatMap({ ImageSetResolver.references(for: $0, in: place) }).first else { return }
                var targets: [(String, any ImageDestination)] = []
                for registry in registries {
                    let repository = SyncDestination.repository(for: first, prefix: registry.prefix, scoped: scoped)
                    let reference = try Reference(parsing: "\(registry.host)/\(repository)")
                    targets.append(
                        (registry.key, MountingDestination(inner: RegistryDestination(client: registry.client, reference: reference), ledger: registry.ledger)))
                }
                registryTargets.withLock { $0 = targets }
            },
            offering: { offer, stream in
                guard let targets = registryTargets.withLock({ $0 }) else {
                    throw TransportError(
                        .unsupported,
                        "\(name): blob \(offer.member) comes before index.json names any image, so a one-pass read cannot tell which repository it goes to: write the archive to a file and sync from that"
                    )
                }
                return try await Self.land(offer, stream, into: fixed + targets, name: name, present: present, limiter: limiter)
            })
        return present.mapValues(\.all)
    }

    /// Lands one offered member in every destination that lacks it, when its name gives its
    /// digest (`blobs/sha256/…`); returns the digest of what landed, or `nil` when it was left.
    private static func land(
        _ offer: BlobOffer, _ stream: sending any ByteStream, into destinations: [(String, any ImageDestination)], name: String,
        present: [String: LandedDigests], limiter: RateLimiter?
    ) async throws -> Digest? {
        guard let digest = offer.namedDigest else { return nil }
        let descriptor = Descriptor(mediaType: "application/octet-stream", digest: digest, size: offer.size)
        var lacking: [(String, any ImageDestination)] = []
        for (key, destination) in destinations {
            if try await destination.hasBlob(descriptor) {
                present[key]?.insert(digest)
            } else {
                lacking.append((key, destination))
            }
        }
        guard !lacking.isEmpty else { return nil }
        let limited: any ByteStream = limiter.map { RateLimitedStream(stream, limiter: $0) } ?? stream
        let context = "\(offer.member) of \(name)"
        let writers = lacking.map { _, destination -> @Sendable (sending ChannelByteStream) async throws -> Digest in
            { channel in try await destination.putBlob(try VerifyingStream(channel, expected: descriptor, context: context)).digest }
        }
        let results = await ByteFanOut.run(limited, consumers: writers)
        for ((key, _), result) in zip(lacking, results) {
            present[key]?.insert(try result.get())
        }
        return digest
    }
}

/// The digests a one-pass read put (or found) in the destination.
final class LandedDigests: Sendable {
    private let digests = Locked<Set<Digest>>([])
    func insert(_ digest: Digest) { digests.withLock { _ = $0.insert(digest) } }
    var all: Set<Digest> { digests.withLock { $0 } }
}
