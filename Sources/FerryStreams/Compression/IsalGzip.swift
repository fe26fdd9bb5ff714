internal import CIsal

/// ISA-L's whole-buffer gzip compression (`igzip`). All calls to ISA-L's deflate side live here.
enum IsalGzip {
    /// The member header Ferry writes itself: deflate, no flags, MTIME 0, XFL 0, OS 255 ("unknown",
    /// as Go and libdeflate write). ISA-L is asked for the deflate data and trailer only, so the
    /// header never depends on the ISA-L version.
    static let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF]

    /// The ISA-L levels: 1 (fastest) to 3 (smallest); 0 needs no level buffer but compresses worse.
    static let levels: ClosedRange<Int> = 1...3

    /// Compresses `input` into one gzip member: ``header``, deflate data, CRC-32 and length.
    ///
    /// The corresponding C functions are `isal_deflate_stateless_init` and `isal_deflate_stateless`
    /// (with `gzip_flag = IGZIP_GZIP_NO_HDR` and a level buffer of the documented
    /// `ISAL_DEF_LVLx_SMALL` size, which gave 1% smaller output than `ISAL_DEF_LVLx_DEFAULT` on
    /// the benchmark image at the same speed). Memory: the input's size again, plus about 250 KiB.
    /// - Throws: ``StreamError`` `unsupported` for a level outside ``levels``, `library` if ISA-L
    ///   reports a failure.
    static func compress(_ input: [UInt8], level: Int) throws(StreamError) -> [UInt8] {
        guard levels.contains(level) else {
            throw StreamError(.unsupported, "ISA-L gzip compression level \(level) is outside \(levels.lowerBound)...\(levels.upperBound)")
        }
        guard input.count <= Int(UInt32.max / 2) else {
            throw StreamError(.unsupported, "ISA-L: a chunk of \(input.count) bytes is too large for one call")
        }
        let levelBufferSize = Int(ferry_isal_level_buf_size(Int32(level)))
        let stream = allocateZeroed(isal_zstream.self)
        let levelBuffer = UnsafeMutableRawPointer.allocate(byteCount: levelBufferSize, alignment: 64)
        defer {
            stream.deallocate()
            levelBuffer.deallocate()
        }
        isal_deflate_stateless_init(stream)
        stream.pointee.level = UInt32(level)
        stream.pointee.level_buf = levelBuffer.assumingMemoryBound(to: UInt8.self)
        stream.pointee.level_buf_size = UInt32(levelBufferSize)
        stream.pointee.gzip_flag = UInt16(IGZIP_GZIP_NO_HDR)
        stream.pointee.flush = UInt16(NO_FLUSH)
        stream.pointee.end_of_stream = 1

        // Incompressible data grows by stored-block headers (5 bytes per 64 KiB) and the trailer.
        let bound = header.count + input.count + input.count / 4096 + 1024
        var status: Int32 = COMP_OK
        // A non-empty buffer even for empty input, so that next_in is never null.
        let source = input.isEmpty ? [0] : input
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            let base = out.baseAddress!
            for (index, byte) in header.enumerated() { (base + index).initialize(to: byte) }
            source.withUnsafeBufferPointer { bytes in
                // isal_deflate_stateless only reads through next_in.
                stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!)
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = base + header.count
                stream.pointee.avail_out = UInt32(bound - header.count)
                status = isal_deflate_stateless(stream)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
            count = status == COMP_OK ? bound - Int(stream.pointee.avail_out) : 0
        }
        guard status == COMP_OK else {
            throw StreamError(.library, "ISA-L: isal_deflate_stateless of \(input.count) bytes at level \(level) failed: \(reason(status))")
        }
        return output
    }

    /// ISA-L's meaning of an `isal_deflate_stateless` error status.
    private static func reason(_ status: Int32) -> String {
        switch status {
        case STATELESS_OVERFLOW: "output did not fit its bound"
        case ISAL_INVALID_LEVEL: "invalid level"
        case ISAL_INVALID_LEVEL_BUF: "level buffer too small"
        case INVALID_FLUSH: "invalid flush"
        default: "status \(status)"
        }
    }
}

/// One zero-filled `T` on the heap, at an address that never moves; free with `deallocate()`.
///
/// ISA-L's state structures are 80–100 KiB, too large to build as Swift values on a task's stack.
func allocateZeroed<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
    let size = MemoryLayout<T>.size
    let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: max(64, MemoryLayout<T>.alignment))
    raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    return raw.bindMemory(to: T.self, capacity: 1)
}
