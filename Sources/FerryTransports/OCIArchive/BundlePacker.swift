import FerrySpec
import FerryStreams
import Foundation

/// Packs an OCI layout directory into an `oci-archive:` — a sync's bundle, or what
/// ``OCIArchiveDestination`` staged: one tar file, or numbered parts with a parts
/// manifest (``BundleParts``), written so that nothing half-done is ever visible under the
/// bundle's name.
///
/// The tar holds `oci-layout`, `index.json`, the delta record (``BundleDelta``, for a delta
/// bundle) and every blob of the layout, in a fixed order with reproducible headers.
public enum BundlePacker {
    /// Writes the layout at `staging` as the bundle at `path`.
    /// - Returns: the parts written, for a split bundle.
    ///
    /// A `path` named `.tar.gz`/`.tgz` or `.tar.zst` gets the whole archive compressed (not when
    /// split: parts are read in place, which needs a plain tar): the tar is laid out in the staging
    /// directory first, then compressed into place, deterministically.
    public static func pack(_ staging: String, to path: String, delta: BundleDelta?, splitSize: Int64?, durable: Bool) async throws -> BundleParts? {
        let compression = splitSize == nil ? ArchiveFileCompression.of(path) : .none
        if let delta {
            try AtomicFileWriter.write(try delta.encoded(), to: staging + "/" + BundleDelta.fileName, durable: false)
        }
        let url = URL(fileURLWithPath: path)
        let whole = splitSize == nil ? path : url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".ferry-split").path
        if whole != path { FileSystem.removeFile(whole) }
        let output = try AtomicFileWriter(path: whole, durable: durable && splitSize == nil)
        let plain = staging + "/.archive.tar"
        let tar = compression == .none ? try TarWriter(into: output) : try TarWriter(path: plain)
        try tar.addFile(OCILayout.layoutFileName, bytes: try FileSystem.readFile(staging + "/" + OCILayout.layoutFileName, limit: 64 * 1024))
        try tar.addFile(
            OCILayout.indexFileName, bytes: try FileSystem.readFile(staging + "/" + OCILayout.indexFileName, limit: DocumentLimits.maximumDocumentSize))
        if delta != nil {
            try tar.addFile(BundleDelta.fileName, bytes: try FileSystem.readFile(staging + "/" + BundleDelta.fileName, limit: 64 << 20))
        }
        try tar.addDirectory("blobs")
        for algorithm in try FileSystem.contents(of: staging + "/blobs").sorted() where !algorithm.hasPrefix(".") {
            try tar.addDirectory("blobs/\(algorithm)")
            for blob in try FileSystem.contents(of: staging + "/blobs/" + algorithm).sorted() where !blob.hasPrefix(".") {
                let file = staging + "/blobs/\(algorithm)/\(blob)"
                guard let size = FileSystem.size(of: file) else { continue }
                try await tar.addFile("blobs/\(algorithm)/\(blob)", size: size, copyingFile: file)
            }
        }
        try tar.finish()
        if compression != .none {
            let stream = try compressed(try FileByteStream(path: plain), format: compression)
            while let chunk = try await stream.next() { try output.write(chunk) }
            FileSystem.removeFile(plain)
        }
        try output.commit()
        guard let splitSize else { return nil }
        return try split(whole, bundle: path, partSize: splitSize, durable: durable)
    }

    /// Splits the packed bundle at `whole` into `bundle.001`, `.002`, … and writes
    /// `bundle.parts.json` last; part files of an earlier, longer split are removed.
    public static func split(_ whole: String, bundle path: String, partSize: Int64, durable: Bool) throws -> BundleParts {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let written = try FileSplitter.split(whole, partSize: partSize, durable: durable) { BundleParts.partName(path, number: $0) }
        var number = written.count + 1
        while FileSystem.exists(BundleParts.partName(path, number: number)) {
            FileSystem.removeFile(BundleParts.partName(path, number: number))
            number += 1
        }
        let parts = BundleParts(
            bundle: name,
            parts: written.map {
                BundleParts.Part(name: URL(fileURLWithPath: $0.path).lastPathComponent, size: $0.size, digest: $0.digest)
            })
        try AtomicFileWriter.write(try parts.encoded(), to: path + BundleParts.fileSuffix, durable: durable)
        return parts
    }
}
