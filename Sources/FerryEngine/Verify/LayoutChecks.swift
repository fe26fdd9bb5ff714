import FerrySpec
import FerryTransports

/// Checks of a layout's own structure: `index.json` as a document, and what lies under `blobs/`.
enum LayoutChecks {
    typealias Location = VerificationProblem.Location

    /// `index.json` as an image index: fields, descriptors, annotations, platforms.
    static func checkIndexFile(_ inventory: any LayoutInventory, problems: inout ProblemList) {
        let location = Location(file: "index.json")
        let bytes: [UInt8]
        do {
            bytes = try inventory.indexBytes()
        } catch {
            problems.error(.layoutInvalid, "index.json cannot be read: \(error)", at: location)
            return
        }
        var documents = DocumentChecks()
        if let object = documents.object(bytes, what: "index.json", at: location) {
            let pseudo = Descriptor(mediaType: .ociIndex, digest: .emptySHA256, size: Int64(bytes.count))
            _ = documents.index(object, descriptor: pseudo, at: location)
        }
        problems.append(contentsOf: documents.problems)
    }

    /// What is under `blobs/`. Returns the digests whose entries are unsafe to read (their problem
    /// is reported here, so the walk does not report them again).
    /// - Parameter referenced: the digests the walk reached, or `nil` when only some images were
    ///   verified (then unreferenced blobs are not reported).
    static func checkBlobs(_ entries: [LayoutBlobEntry], referenced: Set<Digest>?, problems: inout ProblemList) {
        for entry in entries {
            let location = Location(blob: entry.digest?.description, file: entry.path)
            switch entry.kind {
            case .symlinkOutside(let target):
                problems.error(.blobOutsideLayout, "symbolic link resolving outside the layout (to \(target))", at: location)
            case .misplaced:
                problems.error(.blobNotRegularFile, "not a regular file at a blob path (blobs/ALGORITHM/ENCODED)", at: location)
            case .special:
                problems.error(.blobNotRegularFile, "a device, FIFO or socket under blobs/", at: location)
            case .regular, .symlinkInside:
                guard let digest = entry.digest else {
                    if entry.isPartialDownload {
                        problems.warning(
                            .blobPartialDownload,
                            "a partial download kept by a copy cut short; the next copy into the layout continues it or removes it",
                            at: location)
                        continue
                    }
                    problems.warning(.blobNameInvalid, "file name is not a digest; nothing can reference it", at: location)
                    continue
                }
                if let referenced, !referenced.contains(digest) {
                    problems.warning(.blobUnreferenced, "blob is not referenced by any image in the layout", at: location)
                }
            }
        }
    }

    /// Digests whose blob entries must not be read (they resolve outside, or are not files).
    static func unsafeDigests(_ entries: [LayoutBlobEntry]) -> Set<Digest> {
        Set(
            entries.compactMap { entry in
                switch entry.kind {
                case .regular, .symlinkInside: return nil
                default: return entry.digest
                }
            })
    }
}
