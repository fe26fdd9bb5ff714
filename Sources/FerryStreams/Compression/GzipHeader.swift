/// The shape of a gzip member header (RFC 1952 §2.3), to know where it ends before inflating.
enum GzipHeader {
    /// The longest header Ferry buffers: 10 fixed bytes, the largest extra field, and up to
    /// 64 KiB each of file name and comment. Longer is refused as corrupt.
    static let maximumLength = 10 + 2 + 65_535 + 2 * 65_536 + 2

    /// The length of the header at the start of `bytes`, or `nil` if `bytes` end before it does.
    ///
    /// Bytes that do not start with the gzip magic number count as a 10-byte header, so that the
    /// inflater sees them at once and reports them.
    static func length(_ bytes: ArraySlice<UInt8>) -> Int? {
        let start = bytes.startIndex
        guard bytes.count >= 10 else {
            // Not gzip at all: let the inflater say so without waiting for more.
            if bytes.count >= 2, bytes[start] != 0x1F || bytes[start + 1] != 0x8B { return bytes.count }
            return nil
        }
        guard bytes[start] == 0x1F, bytes[start + 1] == 0x8B else { return 10 }
        let flags = bytes[start + 3]
        var position = start + 10
        if flags & 0x04 != 0 {  // FEXTRA: two-byte little-endian length, then the field
            guard position + 2 <= bytes.endIndex else { return nil }
            position += 2 + Int(bytes[position]) + Int(bytes[position + 1]) << 8
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            guard position < bytes.endIndex, let end = bytes[position...].firstIndex(of: 0) else { return nil }
            position = end + 1
        }
        if flags & 0x02 != 0 { position += 2 }  // FHCRC
        guard position <= bytes.endIndex else { return nil }
        return position - start
    }
}
