import Foundation
import FerrySpec
import FerryTransports

/// Where a sync writes the whole image set.
public enum SyncDestination: Sendable, Hashable, CustomStringConvertible {
    /// A registry: each image keeps its repository path under `prefix` (empty: at the top).
    case registry(host: String, prefix: String)
    /// One OCI image layout for the whole set, every image named by its full reference.
    case layout(String)
    /// The same layout in one tar file (an `oci-archive:`), written atomically at the end.
    case bundle(String)

    /// Parses `docker://HOST[/PREFIX]`, `oci:DIR` or `oci-archive:FILE`.
    /// - Throws: ``TransportError`` (`invalidArgument`) for anything else.
    public init(parsing text: String) throws(TransportError) {
        if text.hasPrefix("docker://") {
            var rest = Substring(text.dropFirst("docker://".count))
            while rest.hasSuffix("/") { rest = rest.dropLast() }
            let parts = rest.split(separator: "/", maxSplits: 1)
            guard let host = parts.first, !host.isEmpty else {
                throw TransportError(.invalidArgument, "\"\(text)\": a sync destination registry is docker://HOST[:PORT][/PREFIX]")
            }
            let prefix = parts.count > 1 ? String(parts[1]) : ""
            if !prefix.isEmpty {
                guard (try? Reference(parsing: "\(host)/\(prefix)")) != nil, !prefix.contains(":"), !prefix.contains("@") else {
                    throw TransportError(
                        .invalidArgument,
                        "\"\(text)\": the prefix \"\(prefix)\" is not a repository path (lower-case letters, digits, separators); tags come from the image set")
                }
            }
            self = .registry(host: String(host), prefix: prefix)
            return
        }
        if text.hasPrefix("oci:") {
            let path = String(text.dropFirst("oci:".count))
            guard !path.isEmpty else { throw TransportError(.invalidArgument, "\"\(text)\": name the layout directory, oci:DIR") }
            self = .layout(path)
            return
        }
        if text.hasPrefix("oci-archive:") {
            let path = String(text.dropFirst("oci-archive:".count))
            guard !path.isEmpty else { throw TransportError(.invalidArgument, "\"\(text)\": name the bundle file, oci-archive:FILE") }
            self = .bundle(path)
            return
        }
        throw TransportError(.invalidArgument, "\"\(text)\": a sync destination is docker://HOST[/PREFIX], oci:DIR or oci-archive:FILE")
    }

    public var description: String {
        switch self {
        case .registry(let host, let prefix): return "docker://\(host)\(prefix.isEmpty ? "" : "/" + prefix)"
        case .layout(let path): return "oci:\(path)"
        case .bundle(let path): return "oci-archive:\(path)"
        }
    }

    /// The repository an image of `reference` gets in a registry destination: its path under the
    /// prefix, with the source registry's host first when `scoped` (`:` of a port becomes `_`,
    /// which a repository path cannot hold).
    public static func repository(for reference: Reference, prefix: String, scoped: Bool) -> String {
        var parts: [String] = []
        if !prefix.isEmpty { parts.append(prefix) }
        if scoped { parts.append(reference.domain.replacingOccurrences(of: ":", with: "_").lowercased()) }
        parts.append(reference.repository)
        return parts.joined(separator: "/")
    }
}
