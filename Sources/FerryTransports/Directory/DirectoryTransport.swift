import FerrySpec

/// The file names of a `dir:` image (formats.md §10.2; containers/image
/// `directory/directory_transport.go`): `manifest.json` for the top manifest, `<hex>.manifest.json`
/// for each instance of a list, every other blob under its digest's hex, and a `version` file.
enum DirectoryTransport {
    static let manifestFileName = "manifest.json"
    static let versionFileName = "version"
    /// The `version` file's exact contents.
    static let versionFileBytes = Array("Directory Transport Version: 1.1\n".utf8)
    /// The prefix every version Ferry reads starts with (skopeo has written 1.0 and 1.1).
    static let versionPrefix = "Directory Transport Version: 1."

    /// The file of a blob: its digest's hex (a validated digest, so never a path).
    static func blobFileName(_ digest: Digest) -> String { digest.encoded }

    /// The file of a list instance's manifest.
    static func instanceManifestFileName(_ digest: Digest) -> String { digest.encoded + ".manifest.json" }
}
