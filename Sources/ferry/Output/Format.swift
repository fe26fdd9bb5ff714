import Foundation

/// Human-readable byte counts: 1.2 MB, 631 MB (SI units, as skopeo and docker print).
func formatBytes(_ n: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(n) B" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
}

/// Writes a string to standard output without a trailing newline.
func writeOut(_ s: String) {
    FileHandle.standardOutput.write(Data(s.utf8))
}

/// Encodes a value as indented JSON with sorted keys.
func prettyJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
