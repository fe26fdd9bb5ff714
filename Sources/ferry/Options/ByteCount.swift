import ArgumentParser

/// A number of bytes written as `BYTES`, or with a binary suffix: `64KiB`, `8MiB`, `1GiB`
/// (`K`, `M`, `G` mean the same).
struct ByteCount: ExpressibleByArgument, Sendable, Hashable {
    /// The number of bytes.
    var bytes: Int

    init?(argument: String) {
        let digits = argument.prefix { $0.isASCII && $0.isNumber }
        let suffix = argument.dropFirst(digits.count).lowercased()
        let units: [String: Int] = ["": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30]
        guard let number = Int(digits), let unit = units[suffix] else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        bytes = product
    }
}
