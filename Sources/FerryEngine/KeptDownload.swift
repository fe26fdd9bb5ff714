import FerrySpec
import FerryStreams
import FerryTransports

/// Opening a blob for a copy so that a download an earlier run was cut short in is continued,
/// not started again: when the destination kept part of the blob (``ImageDestination/keptPrefix(of:)``)
/// and the source can start a blob at any byte (``SourceCapabilities/rangedBlobs``, a registry),
/// the kept bytes are read from disk and only the rest from the source. Every byte, kept or new,
/// passes the caller's digest check, and the destination compares the kept bytes with what it
/// holds instead of writing them again.
enum KeptDownload {
    /// The blob's bytes for a copy from `source` into `destination` (`nil`: several
    /// destinations share one read, which continues none of them), through `limiter`, which
    /// paces only what comes from the source.
    static func open(
        _ descriptor: Descriptor, from source: any ImageSource, into destination: (any ImageDestination)?, limiter: RateLimiter?
    ) async throws -> sending any ByteStream {
        @Sendable func paced(_ stream: any ByteStream) -> any ByteStream {
            limiter.map { RateLimitedStream(stream, limiter: $0) } ?? stream
        }
        if let ranged = source.capabilities.rangedBlobs, let kept = destination?.keptPrefix(of: descriptor) {
            let prefix = try FileByteStream(path: kept.path, length: kept.length)
            // All of it arrived before the run ended: nothing to ask for (a range starting at
            // the blob's end would be refused with 416).
            if kept.length >= descriptor.size { return prefix }
            return ConcatenatedStream(prefix) { paced(try await ranged.blob(descriptor, from: kept.length)) }
        }
        return paced(try await source.blob(descriptor))
    }
}
