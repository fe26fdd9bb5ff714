import FerrySpec
import FerryStreams

/// A bundle written as numbered parts with a parts manifest (``BundleParts``): found from any of
/// the names a user gives it — the parts manifest, the first part, or the one-file name the
/// parts stand for — and read in place, never joined on disk.
enum SplitBundle {
    /// The parts manifest `path` stands for, or `nil` when `path` is an ordinary file:
    /// `NAME.parts.json` itself, `NAME.001` beside `NAME.parts.json`, or a missing `NAME` beside it.
    static func manifestPath(for path: String) -> String? {
        if path.hasSuffix(BundleParts.fileSuffix) { return path }
        if let dot = path.lastIndex(of: "."), path[path.index(after: dot)...].allSatisfy(\.isNumber), path.distance(from: dot, to: path.endIndex) >= 4 {
            let manifest = String(path[..<dot]) + BundleParts.fileSuffix
            if FileSystem.exists(manifest) { return manifest }
        }
        if !FileSystem.exists(path), FileSystem.exists(path + BundleParts.fileSuffix) { return path + BundleParts.fileSuffix }
        return nil
    }

    /// Reads the parts manifest, checks every part's size and SHA-256, and indexes the tar.
    /// - Throws: ``TransportError`` naming a missing, short or corrupt part before anything is read.
    static func open(_ manifestPath: String, name: String) throws -> TarIndex {
        let manifest: BundleParts
        do {
            manifest = try BundleParts.decode(try FileSystem.readFile(manifestPath, limit: 16 << 20), context: manifestPath)
        } catch let error as SpecError {
            throw TransportError(.invalidInput, "\(name): \(error.message)")
        } catch let error as StreamError {
            throw TransportError(error.code == .notFound ? .unreadable : .invalidInput, "\(name): \(error.message)")
        }
        do {
            let parts = try PartedFile(manifestPath: manifestPath, manifest: manifest)
            try parts.verify()
            return try TarIndex(parts: parts)
        } catch {
            let code: TransportError.Code = error.code == .io ? .unreadable : .invalidInput
            throw TransportError(code, "\(name): \(error.message)")
        }
    }
}
