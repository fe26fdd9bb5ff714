import Foundation

/// Reads the `Range` header of an upload's answers (`0-E`, or `bytes=0-E` as parts of the old
/// distribution document write it), formats.md §8.3 item 5.
public enum UploadRange {
    /// How many bytes the registry holds, or `nil` when `value` is not a `0-E` range.
    ///
    /// `0-0` is ambiguous: distribution writes it both for an empty upload and for one byte. The
    /// bytes the registry acknowledged before decide: 1 when that was 1, else 0 (a registry that
    /// really held one byte more then refuses the next range with 416, a clear failure).
    /// - Parameters:
    ///   - value: the header's value.
    ///   - acknowledged: the bytes the registry confirmed last.
    public static func received(_ value: String?, acknowledged: Int64) -> Int64? {
        guard var text = value?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text.lowercased().hasPrefix("bytes") {
            text = String(text.dropFirst(5).drop { $0 == " " || $0 == "=" })
        }
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0] == "0", let end = Int64(parts[1]), end >= 0 else { return nil }
        if end == 0 { return acknowledged == 1 ? 1 : 0 }
        return end + 1
    }
}
