import FerryStreams

extension OCILayout {
    /// Whether a directory without `oci-layout` holds nothing but what a first copy into it, cut
    /// short, may have left: `blobs/` with algorithm directories of verified blobs and kept downloads, and temporary
    /// files of Ferry's atomic writers (``AtomicFileWriter``). Such a directory is taken as the
    /// layout it was going to be, so the copy can be rerun; anything else in it is someone's data.
    static func holdsOnlyPartialCopy(_ root: String) -> Bool {
        guard let names = try? FileSystem.contents(of: root) else { return false }
        for name in names {
            if name == "blobs" {
                guard FileSystem.kind(of: root + "/blobs") == .directory, blobsHoldOnlyBlobs(root + "/blobs") else { return false }
            } else if !(FileSystem.isTemporaryName(name) && FileSystem.kind(of: root + "/" + name) == .regular) {
                return false
            }
        }
        return true
    }

    private static func blobsHoldOnlyBlobs(_ blobs: String) -> Bool {
        guard let names = try? FileSystem.contents(of: blobs) else { return false }
        for name in names where !FileSystem.isTemporaryName(name) && !isWriterToken(name) {
            let directory = blobs + "/" + name
            guard name.utf8.allSatisfy(isAlgorithmCharacter), FileSystem.kind(of: directory) == .directory,
                let files = try? FileSystem.contents(of: directory)
            else { return false }
            for file in files {
                let isBlob = !file.hasPrefix(".") && file.utf8.allSatisfy(isEncodedCharacter)
                guard (isBlob || FileSystem.isTemporaryName(file) || isPartialBlobName(file)), FileSystem.kind(of: directory + "/" + file) == .regular else {
                    return false
                }
            }
        }
        return true
    }

    /// A writer's token in `blobs/` (``LayoutWriters``).
    static func isWriterToken(_ name: String) -> Bool {
        name.hasPrefix("." + LayoutWriters.tokenBase + WorkDirectory.marker)
    }

    private static func isAlgorithmCharacter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "+")
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    private static func isEncodedCharacter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "=") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    /// Removes the temporary files that killed runs left in a layout (its root, `blobs/` and each
    /// algorithm directory), keeping those that running writers hold.
    /// - Returns: the paths removed.
    @discardableResult
    static func removeStaleTemporaryFiles(_ root: String) -> [String] {
        var removed = FileSystem.removeStaleTemporaryFiles(in: root)
        let blobs = root + "/blobs"
        guard FileSystem.kind(of: blobs) == .directory else { return removed }
        removed += FileSystem.removeStaleTemporaryFiles(in: blobs)
        removed += WorkDirectory.removeStale(nextTo: blobs + "/" + LayoutWriters.tokenBase)
        for name in (try? FileSystem.contents(of: blobs)) ?? [] where !name.hasPrefix(".") && FileSystem.kind(of: blobs + "/" + name) == .directory {
            removed += FileSystem.removeStaleTemporaryFiles(in: blobs + "/" + name)
        }
        return removed
    }
}
