import Foundation

/// The file format Ferry's caches share (``DiffIDCache``, ``TranscodeCache``): one record a line,
/// fields separated by spaces, appended by any number of processes, the user's own (mode 0600 in
/// a 0700 directory). Reading and writing are best effort: a cache that cannot be used only costs
/// speed.
enum CacheLineFile {
    /// The fields of every line of the file at `path`; none when it does not exist. A file over
    /// `maximumSize` bytes is removed (started afresh) instead of read.
    static func records(at path: String, maximumSize: Int) -> [[String]] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? NSNumber
        else { return [] }
        if size.intValue > maximumSize {
            try? FileManager.default.removeItem(atPath: path)
            return []
        }
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).map { line in
            line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Appends `fields` as one line to the file at `path`, creating it and its directory.
    static func append(_ fields: [String], to path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        // One write of one short line: appends of different processes do not interleave.
        let line = Array((fields.joined(separator: " ") + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
