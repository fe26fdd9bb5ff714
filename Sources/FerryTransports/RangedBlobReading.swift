import FerrySpec
import FerryStreams

/// A source that can start a blob at any byte (a registry, with `Range`): a copy that finds part
/// of a blob kept at its destination from an earlier run (``ImageDestination/keptPrefix(of:)``)
/// asks only for the rest.
public protocol RangedBlobReading: Sendable {
    /// The blob's bytes from `offset` on (the first `offset` bytes left out).
    func blob(_ descriptor: Descriptor, from offset: Int64) async throws -> sending any ByteStream
}
