import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Synchronization

/// A local source of a sync that is best read once, front to back — a bundle on a pipe
/// (`oci-archive:-`), a compressed bundle or docker-archive — read before anything else: each blob
/// lands in the sync's first destination as it passes (in a registry, in the repository of the
/// bundle's first image, from which the others mount it), so the copies that follow find every
/// blob there and read nothing more from the source.
struct SyncOnePass: Sendable {
    let place: String
    let source: any OnePassImageSource
    /// The same source when it is an `oci-archive:`, which says what `index.json` names as
    /// soon as it passes (needed to land blobs in a registry).
    let archive: OCIArchiveSource?

    /// Reads the source once into `destination`; returns the blobs that are there now (landed,
    /// or found there), which the copies then take as they are instead of reading them again.
    /// - Throws: ``TransportError`` when the destination is a registry and the archive names no
    ///   image before its blobs (or is a docker-archive); the source's and destination's errors.
    func read(into destination: SyncDestination, options: SyncOptions, clients: [String: RegistryClient], ledgers: [String: BlobLedger], limiter: RateLimiter?) async throws -> Set<Digest> {
        let name = source.name
        let present = LandedDigests()
        switch destination {
        case .layout(let path):
            try await land(into: try OCILayoutDestination(path: path, durable: options.durable), name: name, present: present, limiter: limiter)
        case .bundle(let path):
            try await land(into: try OCILayoutDestination(path: SyncContext.stagingPath(for: path), durable: options.durable), name: name, present: present, limiter: limiter)
        case .registry(let host, let prefix):
            guard let archive, let client = clients[host], let ledger = ledgers[host] else {
                throw TransportError(.unsupported, "\(name) is read once, front to back, and only an oci-archive says where its blobs go before they pass: sync it to oci:DIR or oci-archive:FILE first, or give the archive as a file")
            }
            let place = self.place
            let target = Mutex<MountingDestination?>(nil)
            try await archive.readOnce(index: { entries in
                guard let first = entries.lazy.flatMap({ ImageSetResolver.references(for: $0, in: place) }).first else { return }
                let repository = SyncDestination.repository(for: first, prefix: prefix, scoped: options.scoped)
                let reference = try Reference(parsing: "\(host)/\(repository)")
                target.withLock { $0 = MountingDestination(inner: RegistryDestination(client: client, reference: reference), ledger: ledger) }
            }, offering: { offer, stream in
                guard let destination = target.withLock({ $0 }) else {
                    throw TransportError(.unsupported, "\(name): blob \(offer.member) comes before index.json names any image, so a one-pass read cannot tell which repository it goes to: write the archive to a file and sync from that")
                }
                return try await Self.land(offer, stream, into: destination, name: name, present: present, limiter: limiter)
            })
        }
        return present.all
    }

    private func land(into layout: OCILayoutDestination, name: String, present: LandedDigests, limiter: RateLimiter?) async throws {
        try await source.readOnce { offer, stream in
            try await Self.land(offer, stream, into: layout, name: name, present: present, limiter: limiter)
        }
    }

    /// Lands one offered member when its name gives its digest (`blobs/sha256/…`) and the
    /// destination lacks it; returns the digest of what landed, or `nil` when it was left.
    private static func land(_ offer: BlobOffer, _ stream: sending any ByteStream, into destination: some ImageDestination, name: String, present: LandedDigests, limiter: RateLimiter?) async throws -> Digest? {
        guard let digest = offer.namedDigest else { return nil }
        let descriptor = Descriptor(mediaType: "application/octet-stream", digest: digest, size: offer.size)
        if try await destination.hasBlob(descriptor) {
            present.insert(digest)
            return nil
        }
        let limited: any ByteStream = limiter.map { RateLimitedStream(stream, limiter: $0) } ?? stream
        let verified = try VerifyingStream(limited, expected: descriptor, context: "\(offer.member) of \(name)")
        let landed = try await destination.putBlob(verified).digest
        present.insert(landed)
        return landed
    }
}

/// The digests a one-pass read put (or found) in the destination.
final class LandedDigests: Sendable {
    private let digests = Mutex<Set<Digest>>([])
    func insert(_ digest: Digest) { digests.withLock { _ = $0.insert(digest) } }
    var all: Set<Digest> { digests.withLock { $0 } }
}
