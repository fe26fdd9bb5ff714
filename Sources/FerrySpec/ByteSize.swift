/// Sizes as people write them on a command line: `4096`, `64KiB`, `3.9GiB`, `700MB`, `25G`.
///
/// Binary suffixes (`KiB`, `MiB`, `GiB`, `TiB`, and the bare `K`, `M`, `G`, `T`) are powers of
/// 1024; decimal ones (`kB`/`KB`, `MB`, `GB`, `TB`) powers of 1000, as media are labelled. A
/// fraction is allowed with a suffix and rounded down to a whole byte. Case does not matter.
public enum ByteSize {
    /// The bytes `text` names, or `nil` when it is not a size or is over `Int64.max`.
    public static func parse(_ text: String) -> Int64? {
        let number = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let suffix = text.dropFirst(number.count).lowercased()
        let units: [String: Int64] = [
            "": 1, "b": 1,
            "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40,
            "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
        ]
        guard let unit = units[suffix], !number.isEmpty, number.filter({ $0 == "." }).count <= 1,
            number.first != ".", number.last != "."
        else { return nil }
        if !number.contains(".") {
            guard let whole = Int64(number) else { return nil }
            let (product, overflow) = whole.multipliedReportingOverflow(by: unit)
            return overflow ? nil : product
        }
        guard unit > 1, let value = Double(number) else { return nil }
        let bytes = (value * Double(unit)).rounded(.down)
        guard bytes < 9.2e18 else { return nil }
        return Int64(bytes)
    }
}
