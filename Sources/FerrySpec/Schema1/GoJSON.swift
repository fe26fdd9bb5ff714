/// JSON text written the way Go's `encoding/json` writes it: compact, with `<`, `>`, `&`, U+2028
/// and U+2029 escaped inside strings.
///
/// Schema 1 documents were made by Go programs (docker, distribution, containers/image); writing
/// the same bytes keeps Ferry's conversions identical to theirs.
public enum GoJSON {
    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        let hex = Array("0123456789abcdef".utf8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += Array("\\\"".utf8)
            case "\\": out += Array("\\\\".utf8)
            case "\n": out += Array("\\n".utf8)
            case "\r": out += Array("\\r".utf8)
            case "\t": out += Array("\\t".utf8)
            case "\u{08}": out += Array("\\b".utf8)
            case "\u{0C}": out += Array("\\f".utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                let v = scalar.value
                out += Array("\\u".utf8) + [hex[Int(v >> 12 & 0xf)], hex[Int(v >> 8 & 0xf)], hex[Int(v >> 4 & 0xf)], hex[Int(v & 0xf)]]
            default:
                if scalar.value < 0x20 {
                    out += Array("\\u00".utf8) + [hex[Int(scalar.value >> 4)], hex[Int(scalar.value & 0xf)]]
                } else {
                    out += Array(String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// `strings` as a JSON array of string literals.
    public static func array(_ strings: [String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += quoted(s)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// Valid JSON text without insignificant whitespace, HTML characters in strings escaped.
    public static func compact(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var inString = false
        var escaped = false
        var i = 0
        while i < json.count {
            let c = json[i]
            if inString {
                if escaped {
                    escaped = false
                    out.append(c)
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                    out.append(c)
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                    out.append(c)
                } else if c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "&") {
                    out += Array((c == UInt8(ascii: "<") ? "\\u003c" : c == UInt8(ascii: ">") ? "\\u003e" : "\\u0026").utf8)
                } else if c == 0xE2, i + 2 < json.count, json[i + 1] == 0x80, json[i + 2] == 0xA8 || json[i + 2] == 0xA9 {
                    out += Array((json[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    i += 2
                } else {
                    out.append(c)
                }
            } else if c == UInt8(ascii: "\"") {
                inString = true
                out.append(c)
            } else if c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09 {
                out.append(c)
            }
            i += 1
        }
        return out
    }
}
