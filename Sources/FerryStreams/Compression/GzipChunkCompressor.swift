/// Compresses one chunk into one complete gzip member, with libdeflate or Intel ISA-L.
///
/// The unit of work of ``ParallelCompressStream``. A value: safe to share between the tasks
/// that compress chunks at once. Every member it makes has the same fixed header (MTIME 0, OS 255),
/// so its output depends only on the chunk's bytes and the library's version.
public struct GzipChunkCompressor: ChunkCompressor, Hashable, CustomStringConvertible {
    /// A deflate implementation that can make whole gzip members.
    public enum Library: String, Sendable, Hashable {
        /// libdeflate: levels 1 (fastest) to 12 (smallest); about 2× zlib's speed at equal levels.
        case libdeflate
        /// Intel ISA-L (`igzip`): levels 1 to 3; several times faster than libdeflate, larger output.
        case isal
    }

    /// The library that compresses.
    public let library: Library
    /// The library's own level.
    public let level: Int

    /// A compressor for `library` at the library's own `level`.
    /// - Throws: ``StreamError`` `unsupported` for a level the library does not have
    ///   (libdeflate 1...12, ISA-L 1...3).
    public init(_ library: Library, level: Int) throws(StreamError) {
        let levels =
            switch library {
            case .libdeflate: LibdeflateGzip.levels
            case .isal: IsalGzip.levels
            }
        guard levels.contains(level) else {
            throw StreamError(.unsupported, "\(library.rawValue) has no gzip level \(level); it has \(levels.lowerBound)...\(levels.upperBound)")
        }
        self.library = library
        self.level = level
    }

    /// A compressor for a level known to exist in `library` (used by the fixed level table).
    init(checked library: Library, level: Int) {
        self.library = library
        self.level = level
    }

    /// `library:level`, as in messages and benchmarks (`isal:3`).
    public var description: String { "\(library.rawValue):\(level)" }

    /// Compresses `chunk` into one gzip member (header, deflate data, CRC-32 and length).
    /// - Throws: ``StreamError`` `library` if the C library reports a failure.
    public func member(_ chunk: [UInt8]) throws(StreamError) -> [UInt8] {
        switch library {
        case .libdeflate: try LibdeflateGzip.compress(chunk, level: level)
        case .isal: try IsalGzip.compress(chunk, level: level)
        }
    }
}
