import ArgumentParser
import FerrySpec

/// A number of bytes written as `BYTES`, or with a suffix (``ByteSize``): `64KiB`, `8MiB`,
/// `3.9GiB` (`K`, `M`, `G` mean the same), `700MB` (decimal).
struct ByteCount: ExpressibleByArgument, Sendable, Hashable {
    /// The number of bytes.
    var bytes: Int

    init?(argument: String) {
        guard let parsed = ByteSize.parse(argument), let bytes = Int(exactly: parsed) else { return nil }
        self.bytes = bytes
    }
}
