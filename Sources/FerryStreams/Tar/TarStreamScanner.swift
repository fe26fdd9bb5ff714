/// Walks the headers of a tar stream as it is pulled, skipping member data: the pure-Swift way to
/// look inside a layer that arrives as a ``ByteStream`` (libarchive's ``TarReader`` reads paths only).
///
/// Understands POSIX ustar (with the `prefix` field), pax extended headers (`path`, `linkpath`,
/// `size`; global headers are skipped) and GNU long names (`L`) and long link names (`K`). Every
/// header's checksum is checked. Data is skipped by the member's size rounded up to 512 bytes.
///
/// Memory is bounded by the upstream chunk size plus one extended header (at most
/// ``maximumExtendedHeaderSize`` bytes). Not thread-safe: one task pulls it.
public final class TarStreamScanner {
    /// One member as its headers (after pax and GNU extensions) describe it.
    public struct Member: Sendable, Hashable {
        /// The member's name exactly as the archive spells it.
        public var name: String
        /// The ustar type flag (`0` regular, `1` hard link, `2` symlink, `3`/`4` devices, `5` directory…).
        public var typeFlag: UInt8
        /// Bytes of data stored after the header.
        public var size: Int64
        /// The link target of a hard or symbolic link, otherwise `nil`.
        public var linkTarget: String?
        /// Offset in the stream of the member's (first) header block.
        public var headerOffset: Int64

        /// Whether this is a hard link (`1`).
        public var isHardLink: Bool { typeFlag == UInt8(ascii: "1") }
        /// Whether this is a character or block device (`3`, `4`).
        public var isDevice: Bool { typeFlag == UInt8(ascii: "3") || typeFlag == UInt8(ascii: "4") }
    }

    /// The largest pax or GNU long-name header data accepted (1 MiB).
    public static let maximumExtendedHeaderSize = 1 << 20

    private let upstream: any ByteStream
    private let context: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var offset: Int64 = 0
    private var upstreamEnded = false
    private var done = false

    /// Whether the stream ended with the end-of-archive marker (two zero blocks). Meaningful once
    /// ``next()`` has returned `nil`.
    public private(set) var sawEndMarker = false

    /// Whether the stream ended right after the last member's data, without padding it to a block
    /// (and so without an end-of-archive marker): umoci 0.4.7 writes such layers and Go's
    /// archive/tar reads them; the data is complete. Meaningful once ``next()`` has returned `nil`.
    public private(set) var endedWithoutPadding = false

    /// - Parameters:
    ///   - upstream: the uncompressed tar bytes.
    ///   - context: what the bytes are, for messages (`layer sha256:… in oci:/path`).
    public init(_ upstream: any ByteStream, context: String) {
        self.upstream = upstream
        self.context = context
    }

    /// The next member, or `nil` at the end-of-archive marker or at the end of the stream.
    ///
    /// Bytes after the end-of-archive marker are left unread in the upstream.
    /// - Throws: ``StreamError`` with code `corruptData` for a bad header checksum, a malformed
    ///   number or extended header, or a stream that ends inside a header or member data.
    public func next() async throws -> Member? {
        guard !done else { return nil }
        var paxPath: String?
        var paxLinkPath: String?
        var paxSize: Int64?
        var longName: String?
        var longLink: String?
        while true {
            let headerOffset = offset
            guard let block = try await readBlock() else {
                done = true
                return nil
            }
            if block.allSatisfy({ $0 == 0 }) {
                // One zero block; the marker is two. A lone one followed by the end counts as missing.
                let second = try await readBlock()
                done = true
                sawEndMarker = second.map { $0.allSatisfy { $0 == 0 } } ?? false
                return nil
            }
            try checkChecksum(block, at: headerOffset)
            let typeFlag = block[156]
            let headerSize = try number(block, 124, 12, field: "size", at: headerOffset)
            switch typeFlag {
            case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
                guard headerSize <= Int64(Self.maximumExtendedHeaderSize) else {
                    throw StreamError(
                        .corruptData,
                        "\(context): extended header at offset \(headerOffset) is \(headerSize) bytes, over the \(Self.maximumExtendedHeaderSize)-byte limit")
                }
                let data = try await readData(Int(headerSize), at: headerOffset)
                if typeFlag == UInt8(ascii: "x") {
                    let records = try Self.paxRecords(data, context: context, at: headerOffset)
                    if let p = records["path"] { paxPath = p }
                    if let l = records["linkpath"] { paxLinkPath = l }
                    if let s = records["size"] {
                        guard let n = Int64(s), n >= 0 else {
                            throw StreamError(.corruptData, "\(context): pax header at offset \(headerOffset) has size \"\(s)\"")
                        }
                        paxSize = n
                    }
                } else if typeFlag == UInt8(ascii: "L") {
                    longName = Self.cString(data[...])
                } else if typeFlag == UInt8(ascii: "K") {
                    longLink = Self.cString(data[...])
                }
                continue
            default:
                break
            }
            var name = Self.cString(block[0..<100])
            if block[257..<263].elementsEqual(Array("ustar\0".utf8)) {
                let prefix = Self.cString(block[345..<500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            let link = Self.cString(block[157..<257])
            let size = paxSize ?? headerSize
            // Padded to whole blocks and added to offsets: a size near 2^63 would overflow them.
            guard size <= Self.maximumMemberSize else {
                throw StreamError(.corruptData, "\(context): member at offset \(headerOffset) declares \(size) bytes, more than a tar can hold")
            }
            let member = Member(
                name: paxPath ?? longName ?? name, typeFlag: typeFlag, size: size,
                linkTarget: (typeFlag == UInt8(ascii: "1") || typeFlag == UInt8(ascii: "2")) ? (paxLinkPath ?? longLink ?? link) : nil,
                headerOffset: headerOffset)
            if Self.hasData(typeFlag) { try await skip(size, at: headerOffset) }
            return member
        }
    }

    /// Whether data blocks follow a header of this type (links, devices, directories and FIFOs have none).
    private static func hasData(_ typeFlag: UInt8) -> Bool {
        !"123456".utf8.contains(typeFlag)
    }

    // MARK: Reading

    /// Buffers at least `count` bytes; `false` when the stream ends first.
    private func fill(_ count: Int) async throws -> Bool {
        while buffer.count - position < count {
            guard !upstreamEnded, let chunk = try await upstream.next() else {
                upstreamEnded = true
                return false
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            buffer.append(contentsOf: chunk)
        }
        return true
    }

    /// The next 512-byte block; `nil` when the stream ends exactly here.
    private func readBlock() async throws -> [UInt8]? {
        guard try await fill(512) else {
            if buffer.count == position { return nil }
            throw StreamError(.corruptData, "\(context): tar stream ends inside a header at offset \(offset) (truncated)")
        }
        let block = Array(buffer[position..<position + 512])
        position += 512
        offset += 512
        return block
    }

    /// `count` bytes of member data plus padding to the next block.
    private func readData(_ count: Int, at header: Int64) async throws -> [UInt8] {
        let padded = Self.padded(Int64(count))
        guard try await fill(Int(padded)) else {
            throw StreamError(.corruptData, "\(context): tar stream ends inside the member at offset \(header) (truncated)")
        }
        let data = Array(buffer[position..<position + count])
        position += Int(padded)
        offset += padded
        return data
    }

    /// Skips `count` bytes of member data plus padding, without holding them. A stream that ends
    /// after the data but inside the padding is complete (``endedWithoutPadding``).
    private func skip(_ count: Int64, at header: Int64) async throws {
        let padded = Self.padded(count)
        var remaining = padded
        while remaining > 0 {
            let available = Int64(buffer.count - position)
            if available >= remaining {
                position += Int(remaining)
                offset += remaining
                return
            }
            remaining -= available
            offset += available
            buffer.removeAll(keepingCapacity: true)
            position = 0
            guard !upstreamEnded, let chunk = try await upstream.next() else {
                upstreamEnded = true
                if padded - remaining >= count {
                    endedWithoutPadding = true
                    return
                }
                throw StreamError(.corruptData, "\(context): tar stream ends inside the data of the member at offset \(header) (truncated)")
            }
            buffer = chunk
        }
    }

    private static func padded(_ n: Int64) -> Int64 { (n + 511) / 512 * 512 }

    /// The largest member size taken: its padded end still fits in an `Int64` offset.
    static let maximumMemberSize: Int64 = Int64.max / 2

    // MARK: Fields

    private func checkChecksum(_ block: [UInt8], at headerOffset: Int64) throws {
        let stored = try number(block, 148, 8, field: "checksum", at: headerOffset)
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (i, byte) in block.enumerated() {
            let b = (148..<156).contains(i) ? UInt8(ascii: " ") : byte
            unsigned += Int64(b)
            signed += Int64(Int8(bitPattern: b))
        }
        guard stored == unsigned || stored == signed else {
            throw StreamError(
                .corruptData, "\(context): tar header at offset \(headerOffset) has checksum \(stored), computed \(unsigned) (not a tar, or corrupt)")
        }
    }

    /// An octal field (NUL- or space-terminated), or a base-256 one (high bit of the first byte set).
    private func number(_ block: [UInt8], _ start: Int, _ length: Int, field: String, at headerOffset: Int64) throws -> Int64 {
        let bytes = block[start..<(start + length)]
        if let first = bytes.first, first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x3f)
            for byte in bytes.dropFirst() {
                guard value < (Int64.max >> 8) else {
                    throw StreamError(.corruptData, "\(context): tar header at offset \(headerOffset): \(field) overflows")
                }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var started = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value < (Int64.max >> 3) else {
                    throw StreamError(.corruptData, "\(context): tar header at offset \(headerOffset): \(field) overflows")
                }
                value = value * 8 + Int64(byte - UInt8(ascii: "0"))
                started = true
            case 0, UInt8(ascii: " "):
                if started { return value }
            default:
                throw StreamError(
                    .corruptData, "\(context): tar header at offset \(headerOffset): \(field) field is not an octal number (not a tar, or corrupt)")
            }
        }
        return value
    }

    private static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// Parses pax records: `LENGTH SP KEY=VALUE LF`, LENGTH counting the whole record.
    static func paxRecords(_ data: [UInt8], context: String, at headerOffset: Int64) throws -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < data.count {
            if data[index] == 0 { break }
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                length > space - index + 1, index + length <= data.count,
                data[index + length - 1] == UInt8(ascii: "\n"),
                let equals = data[(space + 1)..<(index + length)].firstIndex(of: UInt8(ascii: "="))
            else {
                throw StreamError(.corruptData, "\(context): malformed pax record in the extended header at offset \(headerOffset)")
            }
            let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
            records[key] = String(decoding: data[(equals + 1)..<(index + length - 1)], as: UTF8.self)
            index += length
        }
        return records
    }
}
