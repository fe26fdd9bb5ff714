/// Sums of sizes and offsets that cannot trap: declared sizes come from input, and a document
/// may declare `2^63−1` bytes, or two blobs of `2^62`, which ordinary `+` turns into a crash.
public enum ByteSum {
    /// The exact sum, or `nil` when it does not fit in `Int64`.
    public static func exact<S: Sequence>(_ sizes: S) -> Int64? where S.Element == Int64 {
        var total: Int64 = 0
        for size in sizes {
            let (sum, overflow) = total.addingReportingOverflow(size)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// The sum, held at `Int64.max` (or `.min`) instead of overflowing: for counters shown to
    /// people (bytes planned, copied, checked), where a huge declared size must not crash.
    public static func clamped<S: Sequence>(_ sizes: S) -> Int64 where S.Element == Int64 {
        var total: Int64 = 0
        for size in sizes { total = adding(total, size) }
        return total
    }

    /// `a + b`, held at `Int64.max` or `Int64.min`.
    public static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? .max : .min
    }
}
