import FerrySpec
import FerryStreams

/// The layers a delta bundle leaves out (`ferry sync --have`), filled in as images are planned
/// and asked while they are copied: the bundle's staging layout answers "present" for them, so
/// no copy reads or writes them, and the bundle records them (``BundleDelta``).
final class LeftOutBlobs: Sendable {
    /// What the far side holds, by digest (from the `--have` inventories).
    let have: [Digest: Inventory.Blob]
    private let records = Locked<[Digest: BundleDelta.Blob]>([:])

    init(have: [Digest: Inventory.Blob]) { self.have = have }

    /// Leaves `layer` of the image named `image` out, when the far side has it; returns whether it did.
    func leaveOut(_ layer: Descriptor, image: String) -> Bool {
        guard let held = have[layer.digest] else { return false }
        records.withLock { records in
            var record =
                records[layer.digest]
                ?? BundleDelta.Blob(digest: layer.digest, size: layer.size, mediaType: layer.mediaType.description, images: [], repositories: held.repositories)
            if !record.images.contains(image) { record.images.append(image) }
            records[layer.digest] = record
        }
        return true
    }

    /// Whether `digest` was left out.
    func contains(_ digest: Digest) -> Bool { records.withLock { $0[digest] != nil } }

    /// The record the bundle carries.
    var delta: BundleDelta {
        BundleDelta(
            reliesOn: records.withLock { Array($0.values) }.map { blob in
                var blob = blob
                blob.images.sort()
                return blob
            })
    }
}

/// A blob a delta bundle relies on that its import destination lacks.
struct MissingBase: Sendable, Hashable {
    let blob: BundleDelta.Blob
    let destination: String
}

extension CopyOperation {
    /// The layers of a planned image, as its manifests list them (every platform's).
    static func layers(of node: PlannedNode) -> [Descriptor] {
        switch node {
        case .manifest(let manifest):
            return manifest.layers.map(\.source)
        case .index(let index):
            return index.children.flatMap { layers(of: $0.node) }
        case .blob:
            return []
        case .schema1(let schema1):
            return schema1.layers
        }
    }
}

extension EngineError {
    /// The error of a delta import whose destination lacks blobs the bundle relies on: one
    /// message listing them all.
    static func missingBase(_ missing: [MissingBase], bundle: String) -> EngineError {
        let shown = missing.prefix(20).map { item in
            "\(item.blob.digest) (\(item.blob.size) bytes, for \(item.blob.images.joined(separator: ", ")), at \(item.destination))"
        }
        let more = missing.count > 20 ? "; and \(missing.count - 20) more" : ""
        let count = missing.count == 1 ? "1 blob it relies on is" : "\(missing.count) blobs it relies on are"
        return EngineError(
            .incomplete,
            "\(bundle) is a delta bundle and \(count) not at the destination, so nothing was written: \(shown.joined(separator: "; "))\(more). Import the bundle this one builds on first, or make a full bundle (without --have)"
        )
    }
}
