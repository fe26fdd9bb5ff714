import FerrySpec
import Foundation
import FerryStreams

/// Remembers what recompressing a layer gave — source blob and target (compression and level) →
/// the digest and size of the layer that landed — so that a rerun whose destination already
/// holds that layer does not decompress and recompress it again (compression is deterministic,
/// but costs far more than a lookup).
///
/// A hit is used only when the destination holds a blob of exactly that digest and size, which
/// it took after verifying it when it was made (its content checked against the DiffID then);
/// the source layer is then not read, as for any blob the destination already has. The file is
/// the user's own (mode 0600 in a 0700 directory), next to the ``DiffIDCache``; `ferry copy
/// --no-cache` ignores it. One line per layer, `SOURCE TARGET LEVEL OUTPUT SIZE`, appended;
/// unparsable lines are ignored and a file over ``maximumFileSize`` is started afresh.
public final class TranscodeCache: Sendable {
    /// The largest file read; a larger one is replaced.
    public static let maximumFileSize = 16 << 20

    /// What a layer was recompressed to.
    public struct Key: Hashable, Sendable {
        public var source: Digest
        public var target: LayerCompression
        /// The compression level asked for; `nil` for the default.
        public var level: Int?

        public init(source: Digest, target: LayerCompression, level: Int?) {
            self.source = source
            self.target = target
            self.level = level
        }

        fileprivate var text: String { "\(source) \(target.rawValue) \(level.map(String.init) ?? "-")" }
    }

    /// The cache file.
    public let path: String
    private let known: Locked<[Key: (digest: Digest, size: Int64)]>

    /// Loads the cache at `path` (nothing when it does not exist yet).
    public init(path: String) {
        self.path = path
        var entries: [Key: (digest: Digest, size: Int64)] = [:]
        for f in CacheLineFile.records(at: path, maximumSize: Self.maximumFileSize) {
            guard f.count == 5, let source = try? Digest(parsing: f[0]), let target = LayerCompression(rawValue: f[1]),
                f[2] == "-" || Int(f[2]) != nil, let output = try? Digest(parsing: f[3]), let size = Int64(f[4]), size >= 0
            else { continue }
            entries[Key(source: source, target: target, level: Int(f[2]))] = (output, size)
        }
        known = Locked(entries)
    }

    /// The cache next to ``DiffIDCache/standard(environment:)``'s (file `transcoded`), or `nil`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> TranscodeCache? {
        guard let diffIDs = DiffIDCache.standard(environment: environment) else { return nil }
        return TranscodeCache(path: (diffIDs.path as NSString).deletingLastPathComponent + "/transcoded")
    }

    /// What recompressing `key.source` gave before, if known.
    public subscript(key: Key) -> (digest: Digest, size: Int64)? {
        known.withLock { $0[key] }
    }

    /// Records what recompressing gave, in memory and in the file (best effort).
    public func record(_ key: Key, digest: Digest, size: Int64) {
        let isNew = known.withLock { entries -> Bool in
            if let old = entries[key], old.digest == digest, old.size == size { return false }
            entries[key] = (digest, size)
            return true
        }
        guard isNew else { return }
        CacheLineFile.append([key.text, digest.description, String(size)], to: path)
    }
}
