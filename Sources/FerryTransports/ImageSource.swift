import FerrySpec
import FerryStreams

/// One top-level entry a source holds: an image or index, with the names it is known by.
public struct SourceEntry: Sendable, Hashable {
    /// The descriptor of the top-level manifest or index.
    public var descriptor: Descriptor
    /// The names (tags, `ref.name` values) this entry carries; empty when untagged. A copy that
    /// keeps names gives the destination these.
    public var names: [String]
    /// Further names it can be selected by but that are not carried (such as the full
    /// `io.containerd.image.name` next to a `ref.name` tag).
    public var aliases: [String]
    /// Whether the source made the entry's documents up (a docker-archive's manifest is built from
    /// `manifest.json`): such documents have no digest worth keeping, so a copy writes them in the
    /// destination's native format and compression instead of verbatim.
    public var isSynthesized: Bool

    public init(descriptor: Descriptor, names: [String], aliases: [String] = [], isSynthesized: Bool = false) {
        self.descriptor = descriptor
        self.names = names
        self.aliases = aliases
        self.isSynthesized = isSynthesized
    }
}

/// A place images are read from: an OCI layout, an archive, a registry.
///
/// A source lists what it holds, returns documents as their exact bytes, and opens blobs as
/// streams. It does **not** verify what it returns: the engine wraps every blob in a
/// ``VerifyingStream`` and checks every document's digest, so one mechanism guards every format.
/// Sources are immutable after opening and safe to use from several tasks at once.
public protocol ImageSource: Sendable {
    /// A name for messages, such as `oci:/srv/layouts/app`.
    var name: String { get }

    /// The top-level entries, in the source's own order.
    func entries() async throws -> [SourceEntry]

    /// The exact bytes of a manifest or index (or any small document such as a config).
    ///
    /// - Returns: at most ``DocumentLimits/maximumDocumentSize`` bytes; the caller checks the digest.
    func document(_ descriptor: Descriptor) async throws -> [UInt8]

    /// Opens a blob as a stream of its raw bytes.
    func blob(_ descriptor: Descriptor) async throws -> sending any ByteStream

    /// What a user should know about the source that is not an error, one sentence each (such
    /// as the platforms an archive's index names but does not hold). Empty for most sources.
    var notes: [String] { get }

    /// How the source is best read and what more it can do, as it stands now.
    var capabilities: SourceCapabilities { get }
}

extension ImageSource {
    /// No notes.
    public var notes: [String] { [] }

    /// Read in any order, locally; referrers found by scanning.
    public var capabilities: SourceCapabilities { SourceCapabilities() }

    /// The tag of a name that is a full reference with a repository and a tag (`app:1.0`,
    /// `docker.io/library/app:latest`); `nil` for a bare tag such as `1.0`.
    static func tag(of name: String) -> String? {
        guard name.contains(":"), let reference = try? Reference(parsing: name), reference.digest == nil else { return nil }
        return reference.tag
    }

    /// The entry selected by `selector`: the one whose names contain the reference, the entry at an
    /// index, or the only entry.
    ///
    /// - Throws: ``TransportError`` naming the source and what it does hold when nothing (or more
    ///   than one thing) matches.
    public func entry(matching selector: ImageSelector) async throws -> SourceEntry {
        let all = try await entries()
        switch selector {
        case .only:
            guard all.count == 1 else {
                if all.isEmpty { throw TransportError(.notFound, "\(name) holds no image") }
                let names = all.flatMap(\.names)
                throw TransportError(
                    .ambiguous, "\(name) holds \(all.count) images; name one\(names.isEmpty ? " with @N" : ": " + names.prefix(10).joined(separator: ", "))")
            }
            return all[0]
        case .name(let wanted):
            if let found = all.first(where: { $0.names.contains(wanted) }) ?? all.first(where: { $0.aliases.contains(wanted) }) { return found }
            // A bare tag finds the one image whose full name (`docker.io/library/app:latest`,
            // containerd's `io.containerd.image.name`) has that tag.
            let byTag = all.filter { entry in (entry.names + entry.aliases).contains { Self.tag(of: $0) == wanted } }
            if byTag.count == 1 { return byTag[0] }
            if byTag.count > 1 {
                throw TransportError(
                    .ambiguous,
                    "\(name): \(byTag.count) images have tag \"\(wanted)\" (\(byTag.flatMap { $0.names + $0.aliases }.filter { Self.tag(of: $0) == wanted }.prefix(10).joined(separator: ", "))); name one in full"
                )
            }
            let names = all.flatMap(\.names)
            throw TransportError(
                .notFound, "\(name) has no image named \(Echo.quoted(wanted))\(names.isEmpty ? "" : "; it has: " + names.prefix(10).joined(separator: ", "))")
        case .index(let n):
            guard n >= 0, n < all.count else {
                throw TransportError(.notFound, "\(name) has \(all.count) images; @\(n) is out of range (0…\(max(0, all.count - 1)))")
            }
            return all[n]
        case .all:
            throw TransportError(.invalidArgument, "\(name): select one image, not all")
        }
    }
}

/// Which of a source's entries an operation uses.
public enum ImageSelector: Sendable, Hashable, CustomStringConvertible {
    /// The only entry; an error when there are several.
    case only
    /// The entry carrying this name (`ref.name`, tag).
    case name(String)
    /// The entry at this position, `@N`.
    case index(Int)
    /// Every entry.
    case all

    public var description: String {
        switch self {
        case .only: return ""
        case .name(let n): return n
        case .index(let i): return "@\(i)"
        case .all: return "(all)"
        }
    }
}
