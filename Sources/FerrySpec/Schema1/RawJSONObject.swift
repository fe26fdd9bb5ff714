import Foundation

/// A JSON object kept as its members' raw (compacted) value bytes, so a document can be edited —
/// fields dropped, fields added — without re-encoding the values it does not touch.
///
/// Schema 1 conversions (formats.md §6.3, §6.4) edit `v1Compatibility` and config objects this way,
/// as docker/distribution and containers/image do with a map of raw messages. ``encoded()`` writes
/// the members in byte order of their keys, compact, with `<`, `>` and `&` escaped as `\u003c`…,
/// which is what those Go implementations produce, so Ferry's output matches theirs byte for byte.
public struct RawJSONObject: Sendable, Hashable {
    /// The members: key and compacted value bytes. A key appears once (the last one read wins).
    public private(set) var members: [(key: String, value: [UInt8])]

    public static func == (a: RawJSONObject, b: RawJSONObject) -> Bool {
        a.members.map(\.key) == b.members.map(\.key) && a.members.map(\.value) == b.members.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }

    /// Reads a JSON object.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `context` when `bytes` is not valid JSON
    ///   or not an object.
    public init(parsing bytes: [UInt8], context: String) throws(SpecError) {
        guard (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) is [String: Any] else {
            throw SpecError(.invalidDocument, "\(context): not a JSON object")
        }
        var scanner = JSONScanner(bytes: bytes)
        members = []
        scanner.skipWhitespace()
        scanner.position += 1  // "{"
        while true {
            scanner.skipWhitespace()
            if scanner.current == UInt8(ascii: "}") { break }
            if scanner.current == UInt8(ascii: ",") { scanner.position += 1; continue }
            let keyRange = scanner.skipValue()
            let keyBytes = Array(bytes[keyRange])
            guard let key = try? JSONDecoder().decode(String.self, from: Data(keyBytes)) else {
                throw SpecError(.invalidDocument, "\(context): unreadable key")
            }
            scanner.skipWhitespace()
            scanner.position += 1  // ":"
            scanner.skipWhitespace()
            let valueRange = scanner.skipValue()
            set(key, raw: GoJSON.compact(Array(bytes[valueRange])))
        }
    }

    /// An empty object.
    public init() { members = [] }

    /// The raw value of `key`, or `nil`.
    public subscript(key: String) -> [UInt8]? {
        members.first { $0.key == key }?.value
    }

    /// Sets `key` to already-encoded JSON `raw` (replacing any earlier value).
    public mutating func set(_ key: String, raw: [UInt8]) {
        if let i = members.firstIndex(where: { $0.key == key }) {
            members[i].value = raw
        } else {
            members.append((key, raw))
        }
    }

    /// Sets `key` to a string value.
    public mutating func set(_ key: String, string: String) {
        set(key, raw: GoJSON.quoted(string))
    }

    /// Removes `key` if present.
    public mutating func remove(_ key: String) {
        members.removeAll { $0.key == key }
    }

    /// The object, keys sorted bytewise, compact, HTML characters escaped.
    public func encoded() -> [UInt8] {
        let sorted = members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, member) in sorted.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += GoJSON.quoted(member.key)
            out.append(UInt8(ascii: ":"))
            out += member.value
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// Moves over JSON text that is already known to be valid.
struct JSONScanner {
    let bytes: [UInt8]
    var position = 0

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 { position += 1 }
    }

    /// Skips one value (string, number, literal, object or array) and returns its range.
    mutating func skipValue() -> Range<Int> {
        let start = position
        guard let first = current else { return start..<start }
        switch first {
        case UInt8(ascii: "\""):
            position += 1
            while let c = current {
                position += 1
                if c == UInt8(ascii: "\\") { position += 1 } else if c == UInt8(ascii: "\"") { break }
            }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while let c = current {
                if c == UInt8(ascii: "\"") { _ = skipValue(); continue }
                position += 1
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { break }
                }
            }
        default:
            while let c = current, !",}] \n\r\t".utf8.contains(c) { position += 1 }
        }
        return start..<position
    }
}
