import FerrySpec

/// A place images live, written as a transport string: `oci:PATH[:REF]`, `oci-archive:PATH[:REF]`,
/// `docker-archive:PATH[:REF]`, `dir:PATH`, `docker://HOST[:PORT]/REPO[:TAG|@DIGEST]`.
///
/// The syntax is skopeo's (containers-transports(5)): the path ends at the **first** `:`; the rest
/// (which may contain more colons) is the reference, or `@N` for the N-th entry. For `oci:` and
/// `oci-archive:` the reference is a name matched against the layout's
/// `org.opencontainers.image.ref.name`. For `docker-archive:` it is a docker reference such as
/// `busybox:latest` or `docker.io/library/busybox:latest` (never a digest); it is stored fully
/// qualified with a tag (`latest` when none is written), so every spelling of a name selects the
/// same image. For `docker://` it is a docker reference parsed and normalised by FerrySpec's
/// ``Reference`` (`docker://alpine` is `docker.io/library/alpine:latest`); a registry is opened
/// with ``withSource(registry:isolation:_:)`` / ``withDestination(durable:registry:isolation:_:)``,
/// which scope its HTTP client.
public struct TransportReference: Sendable, Hashable, CustomStringConvertible {
    /// The transports Ferry knows.
    public enum Kind: String, Sendable, CaseIterable {
        /// An OCI image layout directory.
        case oci = "oci"
        /// An OCI image layout in one tar file.
        case ociArchive = "oci-archive"
        /// A `docker save` / `docker load` archive.
        case dockerArchive = "docker-archive"
        /// skopeo's `dir:` directory: `manifest.json`, blobs by digest hex, `version`.
        case dir = "dir"
        /// A repository in a registry.
        case docker = "docker"
    }

    /// The transport.
    public var kind: Kind
    /// The file or directory.
    public var path: String
    /// Which image: by name, by position, or the only one.
    public var selector: ImageSelector
    /// For `docker://`: the parsed image reference (`path` is then its repository name).
    public var dockerReference: Reference?
    /// For `docker://` written without a registry (`docker://alpine:3.19`): the reference as
    /// written, which registries.conf's aliases and unqualified-search registries may resolve
    /// (``ShortNameConfiguration``); ``dockerReference`` is then its Docker Hub reading.
    public var writtenShortName: String?

    public init(kind: Kind, path: String, selector: ImageSelector = .only) {
        self.kind = kind
        self.path = path
        self.selector = selector
        self.dockerReference = nil
    }

    /// A `docker://` place.
    public init(docker reference: Reference) {
        self.kind = .docker
        self.path = reference.name
        self.selector = .only
        self.dockerReference = reference
    }

    /// Parses a transport string.
    /// - Throws: ``TransportError`` (`invalidArgument`) saying what is wrong, with a correct example.
    public init(parsing string: String) throws(TransportError) {
        let examples =
            "e.g. oci:./layout:1.0, oci:./layout@0 is written oci:./layout:@0, oci-archive:image.tar, docker-archive:app.tar:busybox:latest, docker://localhost:5000/app:1.0"
        if string.hasPrefix("docker:") {
            self = TransportReference(docker: try Self.parseDocker(string))
            let written = String(string.dropFirst("docker://".count))
            if Reference.shortName(of: written) != nil { writtenShortName = written }
            return
        }
        guard let colon = string.firstIndex(of: ":") else {
            throw TransportError(
                .invalidArgument,
                "\(Echo.quoted(string)) names no transport; write TRANSPORT:PATH[:REF], \(examples). Transports: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        let transport = String(string[..<colon])
        guard let kind = Kind(rawValue: transport) else {
            let rest = string[string.index(after: colon)...]
            let meant =
                Kind.suggestion(for: transport).map { " did you mean \($0 == .docker ? "docker://" + rest.drop { $0 == "/" } : "\($0.rawValue):\(rest)")?" }
                ?? ""
            throw TransportError(
                .invalidArgument,
                "unknown transport \(Echo.quoted(transport)) in \(Echo.quoted(string));\(meant) known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")) (\(examples))"
            )
        }
        let rest = String(string[string.index(after: colon)...])
        if kind == .dir {
            // dir: has no reference: the whole rest is the path, colons included (as skopeo reads it).
            guard !rest.isEmpty else { throw TransportError(.invalidArgument, "\(Echo.quoted(string)) has an empty path (e.g. dir:./image)") }
            self.kind = .dir
            self.path = rest
            self.selector = .only
            return
        }
        let path: String
        let ref: String?
        if let refColon = rest.firstIndex(of: ":") {
            path = String(rest[..<refColon])
            ref = String(rest[rest.index(after: refColon)...])
        } else {
            path = rest
            ref = nil
        }
        guard !path.isEmpty else {
            throw TransportError(.invalidArgument, "\(Echo.quoted(string)) has an empty path (\(examples))")
        }
        self.kind = kind
        self.path = path
        switch ref {
        case nil:
            selector = .only
        case let ref? where ref.hasPrefix("@"):
            guard let n = Int(ref.dropFirst()), n >= 0 else {
                throw TransportError(.invalidArgument, "\(Echo.quoted(string)): \(Echo.quoted(ref)) is not a position; write @N with N a number from 0")
            }
            selector = .index(n)
        case let ref? where kind == .dockerArchive:
            selector = .name(try DockerArchiveNames.selectorName(ref, in: string))
        case let ref?:
            guard Self.isValidLayoutName(ref) else {
                throw TransportError(
                    .invalidArgument,
                    "\(Echo.quoted(string)): \(Echo.quoted(ref)) is not a valid reference name (letters and digits, separated by - . _ : @ + or --, components joined by /), e.g. oci:./layout:1.0"
                )
            }
            selector = .name(ref)
        }
    }

    public var description: String {
        if let dockerReference { return "docker://\(dockerReference)" }
        switch selector {
        case .only, .all: return "\(kind.rawValue):\(path)"
        default: return "\(kind.rawValue):\(path):\(selector)"
        }
    }

    /// The name to give the image at a destination, if the string named one.
    public var destinationName: String? {
        if let dockerReference {
            return dockerReference.digest == nil ? dockerReference.normalized.tag : nil
        }
        if case .name(let n) = selector { return n }
        return nil
    }

    /// Opens this place for reading (files only; a registry needs ``withSource(registry:isolation:_:)``).
    public func openSource() throws -> any ImageSource {
        switch kind {
        case .docker: throw Self.needsScope(self)
        case .oci: return try OCILayoutSource(path: path)
        case .ociArchive: return try OCIArchiveSource(path: path)
        case .dockerArchive: return try DockerArchiveSource(path: path)
        case .dir: return try DirectorySource(path: path)
        }
    }

    /// Opens this place for writing.
    /// - Parameters:
    ///   - durable: `fsync` files before they become visible.
    ///   - dockerArchiveLayout: which `docker save` layout a `docker-archive:` destination writes.
    public func openDestination(durable: Bool = true, dockerArchiveLayout: DockerArchiveDestination.Layout = .legacy) throws -> any ImageDestination {
        if case .index = selector {
            throw TransportError(
                .invalidArgument, "\(self): a position (@N) selects an image to read; to write, give a name such as \(kind.rawValue):\(path):latest")
        }
        switch kind {
        case .docker: throw Self.needsScope(self)
        case .oci: return try OCILayoutDestination(path: path, durable: durable)
        case .ociArchive: return try OCIArchiveDestination(path: path, durable: durable)
        case .dockerArchive: return try DockerArchiveDestination(path: path, durable: durable, layout: dockerArchiveLayout)
        case .dir: return try DirectoryDestination(path: path, durable: durable)
        }
    }

    /// The grammar of `org.opencontainers.image.ref.name` (image-spec `annotations.md`):
    /// `component ("/" component)*`, `component = alnum+ (separator alnum+)*`, separators
    /// `-`, `.`, `_`, `:`, `@`, `+`, `--`.
    public static func isValidLayoutName(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 255 else { return false }
        for component in s.split(separator: "/", omittingEmptySubsequences: false) {
            var previousSeparator = true
            var dashes = 0
            for byte in component.utf8 {
                let isAlnum = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                if isAlnum {
                    previousSeparator = false
                    dashes = 0
                } else if byte == UInt8(ascii: "-") && dashes == 1 {
                    dashes = 2  // "--" is one separator
                } else if "-._:@+".utf8.contains(byte) && !previousSeparator {
                    previousSeparator = true
                    dashes = byte == UInt8(ascii: "-") ? 1 : 0
                } else {
                    return false
                }
            }
            if previousSeparator { return false }
        }
        return true
    }
}
