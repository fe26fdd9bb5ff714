import FerrySpec

/// How a stream of bytes is compressed, as its magic bytes say (formats.md §7).
public enum CompressionFormat: String, Sendable, Hashable, CaseIterable {
    /// Not compressed (or compressed in a way Ferry does not recognise).
    case none
    /// gzip (RFC 1952), one or more members.
    case gzip
    /// Zstandard, one or more frames, possibly with skippable frames.
    case zstd
    /// bzip2; only found in `docker load` input, read through ``TarReader``.
    case bzip2
    /// xz; only found in `docker load` input, read through ``TarReader``.
    case xz

    /// The format a layer media type names.
    public init(_ layer: LayerCompression) {
        switch layer {
        case .none: self = .none
        case .gzip: self = .gzip
        case .zstd: self = .zstd
        }
    }

    /// The layer compression this format is, or `nil` for formats layers cannot use (bzip2, xz).
    public var layerCompression: LayerCompression? {
        switch self {
        case .none: LayerCompression.none
        case .gzip: .gzip
        case .zstd: .zstd
        case .bzip2, .xz: nil
        }
    }
}

/// Decides how bytes are compressed from their first bytes.
public enum CompressionSniffer {
    /// How many leading bytes ``detect(_:)`` needs to tell every format apart.
    public static let prefixLength = 6

    /// The format whose magic bytes `prefix` starts with, or `.none`.
    ///
    /// gzip `1F 8B 08`; zstd `28 B5 2F FD` or a skippable frame (little-endian `0x184D2A50`…`5F`);
    /// bzip2 `42 5A 68`; xz `FD 37 7A 58 5A 00`. A prefix too short to match is `.none`.
    public static func detect(_ prefix: some Collection<UInt8>) -> CompressionFormat {
        let bytes = Array(prefix.prefix(prefixLength))
        func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && bytes.starts(with: magic) }
        if starts([0x1F, 0x8B, 0x08]) { return .gzip }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if bytes.count >= 4, bytes[0] & 0xF0 == 0x50, bytes[1] == 0x2A, bytes[2] == 0x4D, bytes[3] == 0x18 {
            return .zstd
        }
        if starts([0x42, 0x5A, 0x68]) { return .bzip2 }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        return .none
    }

    /// Reads the start of `stream` and decides its format.
    ///
    /// Pulls chunks until at least ``prefixLength`` bytes are buffered or the stream ends.
    /// - Returns: the format and a stream that yields every byte of `stream` from the start
    ///   (the buffered bytes first); use it instead of `stream`.
    public static func sniff(_ stream: any ByteStream) async throws -> (CompressionFormat, any ByteStream) {
        var buffered: [UInt8] = []
        var ended = false
        while buffered.count < prefixLength {
            guard let chunk = try await stream.next() else {
                ended = true
                break
            }
            buffered.append(contentsOf: chunk)
        }
        let format = detect(buffered)
        return (format, PeekableStream(replaying: buffered, then: stream, upstreamEnded: ended))
    }
}

/// A stream that first yields bytes already read from its upstream, then the rest of the upstream.
///
/// Made by ``CompressionSniffer/sniff(_:)``; useful wherever a stage must look before it reads.
public final class PeekableStream: ByteStream {
    private var replay: [UInt8]?
    private let upstream: any ByteStream
    private var upstreamEnded: Bool

    /// - Parameters:
    ///   - buffered: bytes read from `upstream` already, yielded first as one chunk.
    ///   - upstream: the rest.
    ///   - upstreamEnded: whether `upstream` has already returned `nil` (it is then not read again).
    public init(replaying buffered: [UInt8], then upstream: any ByteStream, upstreamEnded: Bool = false) {
        self.replay = buffered.isEmpty ? nil : buffered
        self.upstream = upstream
        self.upstreamEnded = upstreamEnded
    }

    public func next() async throws -> [UInt8]? {
        if let replay {
            self.replay = nil
            return replay
        }
        guard !upstreamEnded else { return nil }
        guard let chunk = try await upstream.next() else {
            upstreamEnded = true
            return nil
        }
        return chunk
    }
}

/// Wraps `stream` in the stage that decompresses `format`.
///
/// `.none` returns `stream` itself; gzip is inflated by ``IsalGzipDecompressStream`` (ISA-L).
/// bzip2 and xz are not available as stream stages (they only
/// appear as whole `docker load` archives, which ``TarReader`` reads directly).
/// - Parameters:
///   - context: what the bytes are, for messages.
/// - Throws: ``StreamError`` with code `unsupported` for bzip2 and xz, `library` if a C context
///   cannot be created.
public func decompressed(_ stream: any ByteStream, format: CompressionFormat, context: String) throws(StreamError) -> any ByteStream {
    switch format {
    case .none: return stream
    case .gzip: return try IsalGzipDecompressStream(stream, context: context)
    case .zstd: return try ZstdDecompressStream(stream, context: context)
    case .bzip2, .xz:
        throw StreamError(.unsupported, "\(context): \(format.rawValue) is not supported as a stream stage; only whole archives can be read in this format")
    }
}

/// Wraps `stream` in the stage that decompresses a layer's `compression`.
/// - Throws: ``StreamError`` with code `library` if a C context cannot be created.
public func decompressed(_ stream: any ByteStream, format: LayerCompression, context: String) throws(StreamError) -> any ByteStream {
    try decompressed(stream, format: CompressionFormat(format), context: context)
}

/// Wraps `stream` in the stage that compresses it as `format`.
///
/// `.none` returns `stream` itself.
/// - Parameters:
///   - level: the level, or `nil` for the format's default (gzip 3, zstd 3). gzip uses
///     ``ParallelCompressStream`` on every core, with the library each level stands for in
///     ``GzipChunkCompressor/init(gzipLevel:)`` (ISA-L at 1, libdeflate above).
/// - Throws: ``StreamError`` with code `unsupported` for bzip2, xz or a level out of range,
///   `library` if a C context cannot be created.
public func compressed(_ stream: any ByteStream, format: CompressionFormat, level: Int? = nil) throws(StreamError) -> any ByteStream {
    switch format {
    case .none: return stream
    case .gzip: return ParallelCompressStream(stream, level: level ?? ParallelCompressStream.defaultLevel)
    case .zstd:
        return ParallelCompressStream(
            stream, compressor: try ZstdChunkCompressor(level: level ?? ZstdChunkCompressor.defaultLevel), chunkSize: ZstdChunkCompressor.chunkSize)
    case .bzip2, .xz:
        throw StreamError(.unsupported, "compressing as \(format.rawValue) is not supported")
    }
}

/// Wraps `stream` in the stage that compresses it as a layer's `compression`.
/// - Throws: ``StreamError`` with code `unsupported` for a level out of range, `library` if a C
///   context cannot be created.
public func compressed(_ stream: any ByteStream, format: LayerCompression, level: Int? = nil) throws(StreamError) -> any ByteStream {
    try compressed(stream, format: CompressionFormat(format), level: level)
}
