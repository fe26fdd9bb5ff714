import FerrySpec

/// What an OCI image layout (a directory or an archive) stores, beyond what ``ImageSource``
/// exposes: the exact bytes of `index.json` and every entry under `blobs/`, so that a verifier
/// can find blobs that nothing references and entries that are not blobs at all.
///
/// Kept apart from ``ImageSource`` so the seam stays small: only layouts adopt it.
public protocol LayoutInventory: Sendable {
    /// The exact bytes of `index.json` (at most ``DocumentLimits/maximumDocumentSize``).
    func indexBytes() throws -> [UInt8]

    /// Every entry under `blobs/`, sorted by path. Directories that hold blobs (`blobs/sha256`)
    /// are not listed; anything else is, whatever it is.
    /// - Throws: ``TransportError`` with code `notFound` when there is no `blobs/` at all.
    func blobInventory() throws -> [LayoutBlobEntry]

    /// The layout's delta record, when it is a delta bundle (``BundleDelta``); `nil` otherwise.
    func bundleDelta() throws -> BundleDelta?
}

/// One entry under a layout's `blobs/`.
public struct LayoutBlobEntry: Sendable, Hashable {
    /// What the entry is.
    public enum Kind: Sendable, Hashable {
        /// A regular file (or, in an archive, a hard link to one); ``LayoutBlobEntry/digest`` says
        /// whether its name makes it a blob.
        case regular
        /// A symbolic link that resolves to a regular file inside the layout.
        case symlinkInside
        /// A symbolic link that resolves outside the layout, or does not resolve at all.
        case symlinkOutside(target: String)
        /// A directory where a blob file belongs (`blobs/sha256/x/`), or a symlink inside the
        /// layout that does not resolve to a regular file.
        case misplaced
        /// A device, FIFO or socket.
        case special
    }

    /// The path relative to the layout root (`blobs/sha256/ab12…`).
    public var path: String
    /// What it is.
    public var kind: Kind
    /// The digest its name spells, when `path` is `blobs/ALG/ENCODED` and that is a valid digest.
    public var digest: Digest?

    /// Creates an entry, deriving ``digest`` from `path`.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "blobs" {
            digest = try? Digest(parsing: "\(parts[1]):\(parts[2])")
        } else {
            digest = nil
        }
    }

    /// Whether this is a download a copy into the layout kept across runs
    /// (`blobs/ALGORITHM/.ENCODED.partial`), which the next copy continues or removes.
    public var isPartialDownload: Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "blobs" && OCILayout.isPartialBlobName(String(parts[2]))
    }
}
