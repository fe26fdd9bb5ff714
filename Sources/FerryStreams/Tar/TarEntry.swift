/// One member of a tar archive, as its header describes it.
public struct TarEntry: Sendable, Hashable {
    /// What a member is.
    public enum Kind: String, Sendable, Hashable {
        /// A regular file; its data follows the header.
        case regular
        /// A directory.
        case directory
        /// A symbolic link; ``TarEntry/linkTarget`` is where it points, relative to its directory.
        case symlink
        /// A hard link to an earlier member; ``TarEntry/linkTarget`` names that member.
        case hardlink
        /// Anything else: devices, FIFOs, sockets.
        case other
    }

    /// The member's name exactly as the archive spells it (use ``TarPath/normalize(_:)`` before
    /// treating it as a path).
    public let name: String
    /// What the member is.
    public let kind: Kind
    /// Bytes of data stored for the member (0 for directories and links).
    public let size: Int64
    /// The target of a symbolic or hard link, otherwise `nil`.
    public let linkTarget: String?
    /// Permission bits (`0o644`, `0o755`, …), without the file type.
    public let mode: UInt32

    /// Creates an entry description.
    public init(name: String, kind: Kind, size: Int64, linkTarget: String? = nil, mode: UInt32) {
        self.name = name
        self.kind = kind
        self.size = size
        self.linkTarget = linkTarget
        self.mode = mode
    }
}
