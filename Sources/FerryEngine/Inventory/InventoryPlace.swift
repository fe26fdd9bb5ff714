import FerrySpec
import FerryTransports

/// One place `ferry inventory` reads: a registry (all of it, everything under a path, or one
/// image) or a local layout, bundle or archive.
public enum InventoryPlace: Sendable, Hashable, CustomStringConvertible {
    /// `docker://HOST[/PATH]`: the repositories the catalog lists at or under `path` (all when it
    /// is empty), every tag; when the registry has no catalog, `path` as one repository.
    case registry(host: String, path: String)
    /// `docker://HOST/REPO:TAG` or `@DIGEST`: one image.
    case image(Reference)
    /// `oci:DIR`, `oci-archive:FILE`, `docker-archive:FILE`: every image it holds.
    case local(String)

    /// Parses a place as `ferry inventory` takes it.
    /// - Throws: ``TransportError`` (`invalidArgument`) for anything else.
    public init(parsing text: String) throws(TransportError) {
        guard text.hasPrefix("docker://") else {
            let reference = try TransportReference(parsing: text)
            guard reference.kind != .docker, reference.kind != .dir else {
                throw TransportError(.invalidArgument, "\"\(text)\": an inventory reads docker://HOST[/PATH], oci:DIR, oci-archive:FILE or docker-archive:FILE")
            }
            self = .local(text)
            return
        }
        var rest = Substring(text.dropFirst("docker://".count))
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        let parts = rest.split(separator: "/", maxSplits: 1)
        guard let host = parts.first, !host.isEmpty else {
            throw TransportError(.invalidArgument, "\"\(text)\": name a registry, docker://HOST[:PORT][/PATH]")
        }
        let path = parts.count > 1 ? String(parts[1]) : ""
        if path.contains("@") || path.split(separator: "/").last?.contains(":") == true {
            do {
                self = .image(try Reference(parsing: String(rest)))
            } catch {
                throw TransportError(.invalidArgument, "\"\(text)\": \(error.message)")
            }
            return
        }
        if !path.isEmpty, (try? Reference(parsing: "\(host)/\(path)")) == nil {
            throw TransportError(.invalidArgument, "\"\(text)\": \"\(path)\" is not a repository path")
        }
        self = .registry(host: String(host), path: path)
    }

    /// The registry host, for a registry place.
    public var host: String? {
        switch self {
        case .registry(let host, _): return host
        case .image(let reference): return reference.domain
        case .local: return nil
        }
    }

    public var description: String {
        switch self {
        case .registry(let host, let path): return "docker://\(host)\(path.isEmpty ? "" : "/" + path)"
        case .image(let reference): return "docker://\(reference)"
        case .local(let place): return place
        }
    }
}
