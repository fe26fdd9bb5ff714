import FerrySpec

/// How an archive file written by Ferry (`docker-archive:` or `oci-archive:`) is compressed as a
/// whole, from its name: `.tar.gz`/`.tgz` gzip, `.tar.zst`/`.tar.zstd` zstd, anything else plain.
enum ArchiveFileCompression {
    /// The compression the file name at `path` asks for.
    static func of(_ path: String) -> LayerCompression {
        let lower = path.lowercased()
        if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") { return .gzip }
        if lower.hasSuffix(".tar.zst") || lower.hasSuffix(".tar.zstd") { return .zstd }
        return .none
    }
}
