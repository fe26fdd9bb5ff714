import FerryRegistry
import FerrySpec
import FerryTransports
import Foundation

/// Takes the inventory (``Inventory``) of one or more places: reads every image's manifest graph
/// (indexes, manifests, configs; layers by their descriptors, never their bytes) and lists the
/// images and the blobs present.
///
/// A registry is read through its catalog (``InventoryPlace/registry(host:path:)``) or for the
/// images named; a delta bundle's inventory lists the blobs it relies on as well as those it
/// carries, since the far side holds both once the bundle is imported.
public struct InventoryOperation: Sendable {
    public let places: [InventoryPlace]
    /// Registry options per host (credentials, TLS).
    public let registry: RegistryOptions
    /// Hosts reached with TLS verification off (registries.conf's `insecure`).
    public var insecureHosts: Set<String> = []
    /// Manifests read at once from a registry.
    public var parallelism = 8
    /// Told of each image as it is read.
    public var progress: (@Sendable (String) -> Void)?

    public init(places: [InventoryPlace], registry: RegistryOptions = RegistryOptions()) {
        self.places = places
        self.registry = registry
    }

    /// Reads every place.
    /// - Throws: the first failure (a registry that cannot be reached, a document that does not
    ///   verify, a local place that cannot be opened).
    public func run() async throws -> Inventory {
        var images: [Inventory.Image] = []
        var blobs: [Digest: Inventory.Blob] = [:]
        func add(_ blob: Descriptor, repository: String?) {
            var entry = blobs[blob.digest] ?? Inventory.Blob(digest: blob.digest, size: blob.size)
            if let repository, !entry.repositories.contains(repository) { entry.repositories.append(repository) }
            blobs[blob.digest] = entry
        }
        for case .local(let text) in places {
            let found = try await inventoryLocal(text)
            images += found.images
            for (blob, _) in found.blobs { add(blob, repository: nil) }
        }
        var hosts: [String] = []
        for case let host? in places.map(\.host) where !hosts.contains(host) { hosts.append(host) }
        for host in hosts {
            let here = places.filter { $0.host == host }
            var options = registry
            if insecureHosts.contains(host) { options.tlsVerify = false }
            try await withRegistryClient(host, options: options) { client in
                for place in here {
                    let found = try await inventoryRegistry(place, client: client)
                    images += found.images
                    for (blob, repository) in found.blobs { add(blob, repository: repository) }
                }
            }
        }
        images.sort {
            ($0.place, $0.repository ?? "", $0.name ?? "", $0.digest.description) < ($1.place, $1.repository ?? "", $1.name ?? "", $1.digest.description)
        }
        let sortedBlobs = blobs.values.map { blob -> Inventory.Blob in
            var blob = blob
            blob.repositories.sort()
            return blob
        }.sorted { $0.digest < $1.digest }
        let created = ISO8601DateFormatter().string(from: Date())
        return Inventory(created: created, places: places.map(\.description), images: images, blobs: sortedBlobs)
    }

    /// What one place gave: images, and blobs with the repository they are in.
    private struct Found {
        var images: [Inventory.Image] = []
        var blobs: [(Descriptor, String?)] = []
    }

    private func inventoryLocal(_ place: String) async throws -> Found {
        let source = try TransportReference(parsing: place).openSource()
        // A layout or bundle may be a delta bundle, whose record lists the blobs it relies on.
        let delta = try (source as? any LayoutInventory)?.bundleDelta()
        var found = Found()
        for entry in try await source.entries() {
            progress?("\(place): \(entry.names.first ?? entry.descriptor.digest.description)")
            let graph = try await GraphReader(source: source).read(entry.descriptor)
            let names = entry.names.isEmpty ? [nil] : entry.names.map { Optional($0) }
            for name in names {
                found.images.append(
                    .init(place: place, repository: nil, name: name, digest: entry.descriptor.digest, mediaType: entry.descriptor.mediaType.description))
            }
            for blob in graph.blobs { found.blobs.append((blob, nil)) }
        }
        // A delta bundle's relied-on blobs are at the far side too.
        for blob in delta?.reliesOn ?? [] {
            found.blobs.append((Descriptor(mediaType: MediaType(blob.mediaType), digest: blob.digest, size: blob.size), nil))
        }
        return found
    }

    private func inventoryRegistry(_ place: InventoryPlace, client: RegistryClient) async throws -> Found {
        var targets: [Reference] = []
        switch place {
        case .image(let reference):
            targets = [reference]
        case .registry(let host, let path):
            var repositories: [String]
            do {
                repositories = try await client.catalog().filter { path.isEmpty || $0 == path || $0.hasPrefix(path + "/") }
            } catch let error as RegistryError
                where !path.isEmpty && (error.status == 404 || error.status == 401 || error.status == 403 || error.code == .notFound)
            {
                // No catalog here (or not for these credentials): the path is one repository.
                repositories = [path]
            }
            for repository in repositories.sorted() {
                let tags: [String]
                do {
                    tags = try await client.tags(repository)
                } catch let error as RegistryError where error.code == .notFound || error.status == 404 {
                    continue
                }
                for tag in tags.sorted() {
                    targets.append(try Reference(parsing: "\(host)/\(repository):\(tag)"))
                }
            }
        case .local:
            return Found()
        }
        let progress = self.progress
        let results = try await mapConcurrently(targets, limit: parallelism) { reference -> Found in
            progress?("docker://\(reference)")
            let source = RegistrySource(client: client, reference: reference)
            let entry = try await source.entry(matching: .only)
            let graph = try await GraphReader(source: source).read(entry.descriptor)
            var found = Found()
            let host = reference.domain
            found.images.append(
                .init(
                    place: "docker://\(host)", repository: reference.repository, name: reference.digest == nil ? reference.tag : nil,
                    digest: entry.descriptor.digest, mediaType: entry.descriptor.mediaType.description))
            for blob in graph.blobs { found.blobs.append((blob, reference.repository)) }
            return found
        }
        return results.reduce(into: Found()) { all, found in
            all.images += found.images
            all.blobs += found.blobs
        }
    }
}
