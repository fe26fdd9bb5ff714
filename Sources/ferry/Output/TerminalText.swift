/// Text that came from outside — a registry's tags, repository names and error messages, names
/// and annotations inside archives — made safe to print: control characters are written as
/// `\u00XX` escapes instead of reaching the terminal, where an escape sequence could recolour,
/// retitle or rewrite the screen and a carriage return could hide what came before it.
///
/// The escape is JSON's own, so JSON output that passes through stays valid JSON (its encoder
/// already escapes C0 characters; DEL and the C1 range, which some terminals also obey, are
/// escaped here).
enum TerminalText {
    /// `text` with every control character escaped; newlines and tabs too unless `keepingLines`.
    static func escaped(_ text: String, keepingLines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingLines: keepingLines) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepingLines: keepingLines) else {
                out.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, keepingLines: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return !keepingLines
        case 0x00...0x1F, 0x7F...0x9F: return true
        // Bidirectional overrides and isolates, which reorder what the reader sees.
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}

/// Every `print` of the `ferry` command goes through here: lines keep their line breaks, and any
/// other control character in them is escaped (``TerminalText``). Output a script reads (JSON,
/// digests) never holds one, so it passes unchanged.
func print(_ item: Any, terminator: String = "\n") {
    Swift.print(TerminalText.escaped(String(describing: item), keepingLines: true), terminator: terminator)
}
