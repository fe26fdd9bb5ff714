/// Compresses one chunk into one self-contained unit (a gzip member, a zstd frame), so that chunks
/// can be compressed on several cores at once and their units concatenated
/// (``ParallelCompressStream``).
public protocol ChunkCompressor: Sendable {
    /// The compressed unit for `chunk`; a function of the chunk's bytes alone.
    /// - Throws: ``StreamError`` `library` if the C library reports a failure.
    func member(_ chunk: [UInt8]) throws(StreamError) -> [UInt8]
}
