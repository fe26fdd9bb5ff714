/// How deeply a JSON text nests arrays and objects, for a clear message when a decoder refuses
/// one that is valid JSON but nested beyond its limit (Foundation stops at 512 levels).
public enum JSONNesting {
    /// The deepest nesting Ferry's decoders accept.
    public static let decoderLimit = 512

    /// The deepest nesting of `[` and `{` in `bytes`, strings skipped. A pure scan: it does not
    /// check that `bytes` is JSON.
    public static func depth(of bytes: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// The sentence for a text nested beyond ``decoderLimit``, or `nil` when it is not.
    public static func complaint(_ bytes: [UInt8]) -> String? {
        let depth = depth(of: bytes)
        guard depth > decoderLimit else { return nil }
        return "nested too deeply: arrays and objects \(depth) levels inside each other, over the limit of \(decoderLimit)"
    }
}
