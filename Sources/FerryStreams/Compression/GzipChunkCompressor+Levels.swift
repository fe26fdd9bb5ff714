/// What Ferry's gzip levels 1...9 mean, chosen by measurement (docs/performance.md, "gzip:
/// libraries chosen by measurement"; rerun with `Scripts/bench gzip`).
///
/// | Ferry level | compressor | 631 MB docker-archive → OCI layout: time and size / skopeo 1.9 |
/// | --- | --- | --- |
/// | 1 (`gzip:fast`) | ISA-L 2 | 0.33×, 237.4 MB = 1.051×: the fastest setting within 1.06× |
/// | 2 | libdeflate 1 | 0.50×, 230.8 MB = 1.021× |
/// | 3 (default) | libdeflate 2 | 0.72× (0.63× idle), 222.4 MB = 0.984×: the fastest setting no larger than skopeo's |
/// | 4…9 | libdeflate 4…9 | 0.69×, 218.7 MB at 4; 0.97×, 213.1 MB at 6 (as `gzip -6`) |
///
/// Times are medians of 3 runs on 2 busy cores (load 6–9), so only roughly comparable.
///
/// ISA-L 1 (240.1 MB, 1.062×) misses the fast level's size goal, and ISA-L 3 (233.5 MB) is no
/// faster than libdeflate 1 while larger, so neither is used by a Ferry level; both stay available
/// through ``GzipChunkCompressor/init(_:level:)``.
extension GzipChunkCompressor {
    /// The Ferry gzip level used when none is given: libdeflate 2.
    public static let defaultGzipLevel = 3

    /// The library and level that Ferry's gzip `level` (1...9) stands for.
    /// - Throws: ``StreamError`` `unsupported` for a level outside 1...9.
    public init(gzipLevel level: Int) throws(StreamError) {
        guard (1...9).contains(level) else {
            throw StreamError(.unsupported, "gzip compression level \(level) is outside 1...9")
        }
        self = Self.forGzipLevel(level)
    }

    /// The mapping itself, for a level already known to be in 1...9.
    static func forGzipLevel(_ level: Int) -> GzipChunkCompressor {
        // Every row names a level its library has.
        switch level {
        case 1: GzipChunkCompressor(checked: .isal, level: 2)
        case 2: GzipChunkCompressor(checked: .libdeflate, level: 1)
        case 3: GzipChunkCompressor(checked: .libdeflate, level: 2)
        default: GzipChunkCompressor(checked: .libdeflate, level: level)
        }
    }
}
