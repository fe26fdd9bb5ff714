import FerrySpec
import FerryStreams
import Foundation

/// Remembers the DiffID (digest of the uncompressed content) of compressed layers Ferry has
/// inflated and hashed, so that a later conversion that needs it — Docker schema 1 → schema 2 or
/// OCI, whose config must list every DiffID — can copy the layer without inflating it again.
///
/// skopeo keeps the same knowledge in its blob-info cache. A hit is as sound as the inflate it
/// replaces: the key is the compressed blob's digest, which the copy still verifies on every byte,
/// and the DiffID is a function of those bytes. The file is the user's own (mode 0600 in a 0700
/// directory); `ferry copy --no-cache` ignores it, and `ferry verify` never uses it.
///
/// The file holds one line per layer, `COMPRESSED-DIGEST DIFFID`, appended as layers are learned;
/// unparsable lines are ignored, and a file over ``maximumFileSize`` is started afresh. Writing
/// is best effort: a cache that cannot be written only costs speed.
public final class DiffIDCache: Sendable {
    /// The largest file read (about 100 000 layers); a larger one is replaced.
    public static let maximumFileSize = 16 << 20

    /// The cache file.
    public let path: String
    private let known: Locked<[Digest: Digest]>

    /// Loads the cache at `path` (nothing when it does not exist yet).
    public init(path: String) {
        self.path = path
        var entries: [Digest: Digest] = [:]
        for fields in CacheLineFile.records(at: path, maximumSize: Self.maximumFileSize) {
            guard fields.count == 2, let compressed = try? Digest(parsing: fields[0]), let diffID = try? Digest(parsing: fields[1]) else { continue }
            entries[compressed] = diffID
        }
        known = Locked(entries)
    }

    /// The cache in `$FERRY_CACHE_DIR`, else `$XDG_CACHE_HOME/ferry`, else `~/.cache/ferry`
    /// (file `diffids`); `nil` when none of them can be named.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> DiffIDCache? {
        let directory: String
        if let dir = environment["FERRY_CACHE_DIR"], !dir.isEmpty {
            directory = dir
        } else if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            directory = xdg + "/ferry"
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            directory = home + "/.cache/ferry"
        } else {
            return nil
        }
        return DiffIDCache(path: directory + "/diffids")
    }

    /// The DiffID learned for the compressed blob `compressed`, if any.
    public subscript(compressed: Digest) -> Digest? {
        known.withLock { $0[compressed] }
    }

    /// Records what inflating `compressed` gave, in memory and in the file.
    public func record(_ compressed: Digest, diffID: Digest) {
        let isNew = known.withLock { entries -> Bool in
            guard entries[compressed] != diffID else { return false }
            entries[compressed] = diffID
            return true
        }
        guard isNew else { return }
        CacheLineFile.append([compressed.description, diffID.description], to: path)
    }
}
