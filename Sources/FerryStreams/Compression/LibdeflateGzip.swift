internal import CDeflate

/// libdeflate's whole-buffer gzip compression. All calls to libdeflate live here.
enum LibdeflateGzip {
    /// The libdeflate levels: 1 (fastest) to 12 (smallest).
    static let levels: ClosedRange<Int> = 1...12

    /// Compresses `input` into one gzip member. libdeflate writes a fixed header (MTIME 0, OS 255).
    ///
    /// The corresponding C functions are `libdeflate_alloc_compressor` and `libdeflate_gzip_compress`.
    /// - Throws: ``StreamError`` `unsupported` for a level outside ``levels``, `library` if
    ///   libdeflate cannot allocate its compressor.
    static func compress(_ input: [UInt8], level: Int) throws(StreamError) -> [UInt8] {
        guard levels.contains(level) else {
            throw StreamError(.unsupported, "libdeflate compression level \(level) is outside \(levels.lowerBound)...\(levels.upperBound)")
        }
        guard let compressor = libdeflate_alloc_compressor(Int32(level)) else {
            throw StreamError(.library, "libdeflate: cannot allocate a level \(level) compressor")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, input.count)
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            count = input.withUnsafeBytes { raw in
                libdeflate_gzip_compress(compressor, raw.baseAddress, raw.count, out.baseAddress, bound)
            }
            failed = count == 0
        }
        if failed {
            throw StreamError(.library, "libdeflate: gzip compression of \(input.count) bytes did not fit its own bound")
        }
        return output
    }
}
