@testable import FerryStreams

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tar headers: the pure-Swift scanner that walks layers as they stream, and the libarchive
/// reader and in-place index that read archives from files.
enum TarTargets {
    /// Chunk sizes the scanner is fed in: around a tar block (512) and odd ones, so that headers
    /// and extended-header data straddle chunk boundaries.
    static let chunkSizes = [1, 7, 100, 511, 512, 513, 1000, 4096]

    /// The scanner over the input, pulled in chunks whose size the first byte picks.
    @Sendable static func scanner(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let bytes = Array(input.dropFirst())
        let chunkSize = chunkSizes[Int(first) % chunkSizes.count]
        AsyncRunner.wait {
            let scanner = TarStreamScanner(MemoryByteStream(bytes, chunkSize: chunkSize), context: "fuzz")
            var members = 0
            while members < 10_000, let member = try? await scanner.next() {
                members += 1
                _ = member.isHardLink || member.isDevice
            }
        }
    }

    /// The input as a file: read by ``TarReader`` member by member (data included), then indexed
    /// by ``TarIndex`` and every regular member read back by its offset.
    @Sendable static func reader(_ input: [UInt8]) {
        let path = scratchPath
        guard write(input, to: path) else { return }
        defer { unlink(path) }
        if let reader = try? TarReader(path: path) {
            var members = 0
            while members < 10_000, let entry = try? reader.nextEntry() {
                members += 1
                _ = entry.name
                while (try? reader.readChunk(max: 4096)) != nil {}
            }
        }
        if let index = try? TarIndex(path: path) {
            for listed in index.members.prefix(100) {
                guard let member = try? index.regularFile(named: listed.name) else { continue }
                AsyncRunner.wait {
                    guard let stream = try? index.data(of: member, chunkSize: 4096) else { return }
                    while (try? await stream.next()) != nil {}
                }
            }
        }
    }

    /// A file of this process in memory-backed storage when there is some.
    static let scratchPath: String = {
        let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        return "\(folder)/ferry-fuzz-tar-\(getpid()).tar"
    }()

    private static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }
}
