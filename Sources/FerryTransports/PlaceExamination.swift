import FerryStreams

/// What is on disk at a path, examined to tell a user which transport reads it (`./x is an OCI
/// layout: write oci:./x`). Used when a place was written without a transport, or when reading it
/// with the one given failed.
public enum PlaceExamination: Sendable, Equatable {
    /// Nothing there.
    case missing
    /// A directory with `oci-layout` or `index.json`: an OCI image layout.
    case ociLayout
    /// A directory with `manifest.json` (skopeo's `dir:` layout).
    case dirLayout
    /// Some other directory.
    case otherDirectory
    /// A tar (plain or compressed) holding an OCI layout and no `manifest.json`.
    case ociArchive
    /// A tar holding a `docker save` `manifest.json`; `alsoOCI` when it also holds an OCI layout
    /// (Docker 25+), which `oci-archive:` reads too.
    case dockerArchive(alsoOCI: Bool)
    /// A tar that is neither.
    case otherTar
    /// A file that is not a tar.
    case otherFile

    /// Looks at `path`: a directory's marker files, or a file's tar members (headers only; a
    /// compressed tar is decompressed to read them).
    public static func examine(_ path: String) -> PlaceExamination {
        switch FileSystem.kind(of: path) {
        case .missing:
            return .missing
        case .directory:
            if has(path + "/oci-layout") || has(path + "/index.json") { return .ociLayout }
            if has(path + "/manifest.json") { return .dirLayout }
            return .otherDirectory
        case .symlink, .regular, .other:
            if FileSystem.kind(of: path + "/.") == .directory { return examine(path + "/.") }
            return examineArchive(path)
        }
    }

    /// The transport that reads this, if any.
    public var transport: TransportReference.Kind? {
        switch self {
        case .ociLayout: return .oci
        case .dirLayout: return .dir
        case .ociArchive: return .ociArchive
        case .dockerArchive: return .dockerArchive
        case .missing, .otherDirectory, .otherTar, .otherFile: return nil
        }
    }

    /// Whether `kind` reads this.
    public func isRead(by kind: TransportReference.Kind) -> Bool {
        if case .dockerArchive(alsoOCI: true) = self, kind == .ociArchive { return true }
        return transport == kind
    }

    /// What it is, as a phrase: "an OCI layout", "a docker save archive", …
    public var phrase: String {
        switch self {
        case .missing: return "missing"
        case .ociLayout: return "an OCI layout (a directory)"
        case .dirLayout: return "a directory in skopeo's dir: layout"
        case .otherDirectory: return "a directory that holds no image layout"
        case .ociArchive: return "an OCI layout archive (a tar)"
        case .dockerArchive: return "a docker save archive (a tar)"
        case .otherTar: return "a tar archive that holds neither an OCI layout nor a docker save manifest.json"
        case .otherFile: return "a file that is not a tar archive"
        }
    }

    /// The sentence to show when `place` could not be read as written, or `nil` when what is on
    /// disk does not explain it (missing, of the kind the place names, or of no kind Ferry reads).
    public static func hint(for place: TransportReference) -> String? {
        guard place.dockerReference == nil, place.path != "-" else { return nil }
        let found = examine(place.path)
        // Only something another transport reads explains a failure: an empty or half-written
        // directory, or a file of another kind, may be a destination or a plain error.
        guard let transport = found.transport, !found.isRead(by: place.kind) else { return nil }
        var fixed = place
        fixed.kind = transport
        if transport == .dir { fixed.selector = .only }
        return "\(place.path) is \(found.phrase), not what \(place.kind.rawValue): reads: write \(fixed)"
    }

    private static func has(_ path: String) -> Bool {
        FileSystem.kind(of: path) == .regular
    }

    private static func examineArchive(_ path: String) -> PlaceExamination {
        guard let reader = try? TarReader(path: path) else { return .otherFile }
        var layout = false, index = false, manifest = false, members = 0
        while let entry = try? reader.nextEntry() {
            members += 1
            let name = entry.name.hasPrefix("./") ? String(entry.name.dropFirst(2)) : entry.name
            switch name {
            case "oci-layout": layout = true
            case "index.json": index = true
            case "manifest.json": manifest = true
            default: break
            }
        }
        if manifest { return .dockerArchive(alsoOCI: layout || index) }
        if layout || index { return .ociArchive }
        return members > 0 ? .otherTar : .otherFile
    }
}
