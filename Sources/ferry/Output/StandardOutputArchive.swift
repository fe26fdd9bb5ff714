import ArgumentParser
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// `docker-archive:-` and `oci-archive:-` as destinations: the archive is written to a temporary
/// file (so nothing unverified is ever sent), then copied to standard output once the copy has
/// committed; every message goes to standard error meanwhile.
struct StandardOutputArchive {
    /// The temporary directory holding the archive until it is sent.
    let directory: String
    /// The destination to open instead of the `-` one.
    let staged: TransportReference

    /// Whether `place` is an archive written to standard output.
    static func isWanted(_ place: TransportReference) -> Bool {
        place.path == "-" && (place.kind == .dockerArchive || place.kind == .ociArchive)
    }

    /// Prepares the temporary file for `place` (an archive with path `-`).
    /// - Throws: `ValidationError` when standard output is a terminal.
    init(for place: TransportReference) throws {
        guard isatty(STDOUT_FILENO) == 0 else {
            throw ValidationError(
                "\(place.kind.rawValue):- writes the archive to standard output, which is a terminal; pipe it (| docker load) or redirect it (> image.tar)")
        }
        let template = NSTemporaryDirectory() + "/ferry-stdout-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else {
            throw StreamError(
                .io, "cannot make a temporary directory in \(NSTemporaryDirectory()) for \(place.kind.rawValue):-: \(String(cString: strerror(errno)))")
        }
        directory = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var staged = place
        staged.path = directory + "/image.tar"
        self.staged = staged
    }

    /// Copies the finished archive to standard output.
    func send() async throws {
        let stream = try FileByteStream(path: staged.path, chunkSize: 1 << 20)
        while let chunk = try await stream.next() {
            try FileHandle.standardOutput.write(contentsOf: chunk)
        }
    }

    /// Removes the temporary directory.
    func remove() {
        FileSystem.removeTree(directory)
    }
}
