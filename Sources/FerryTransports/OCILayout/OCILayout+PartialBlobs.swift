import FerrySpec
import FerryStreams

/// Downloads a layout keeps across runs (``PartialFile``): a blob of at least
/// ``smallestKeptDownload`` bytes is written to `blobs/ALGORITHM/.ENCODED.partial` and renamed to
/// its digest name once verified. A copy killed part-way leaves that file; the next copy of the
/// blob into the layout continues it (from a registry, asking only for the rest with `Range`),
/// and the next copy into the layout that finishes removes those no copy continued.
extension OCILayout {
    /// Blobs smaller than this go through an ordinary temporary file: a rerun reads them again.
    public static let smallestKeptDownload: Int64 = 1 << 20

    private static let partialSuffix = ".partial"

    /// Where a download of `digest` is kept: `blobs/ALGORITHM/.ENCODED.partial`.
    static func partialBlobPath(_ digest: Digest) -> String {
        "blobs/\(digest.algorithm)/.\(digest.encoded)\(partialSuffix)"
    }

    /// Whether a file name under `blobs/ALGORITHM/` is a kept download's.
    static func isPartialBlobName(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(partialSuffix) && name.count > partialSuffix.count + 1
    }

    /// Removes the kept downloads in a layout that no running copy holds.
    /// - Returns: the paths removed.
    @discardableResult
    static func removeUnheldPartialBlobs(_ root: String) -> [String] {
        let blobs = root + "/blobs"
        var removed: [String] = []
        for name in (try? FileSystem.contents(of: blobs)) ?? [] where !name.hasPrefix(".") && FileSystem.kind(of: blobs + "/" + name) == .directory {
            removed += FileSystem.removeUnlockedFiles(in: blobs + "/" + name, where: isPartialBlobName)
        }
        return removed
    }
}
