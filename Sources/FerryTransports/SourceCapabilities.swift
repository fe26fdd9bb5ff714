/// How a source is best read and what it can do beyond the ``ImageSource`` basics, as data the
/// engine looks at (instead of asking which type a source is), as destinations have
/// ``DestinationCapabilities``.
public struct SourceCapabilities: Sendable {
    /// How blobs are best read from the source, as it stands now.
    public enum ReadOrder: Sendable {
        /// One by one, in any order: a directory, a registry, a plain archive on disk.
        case random
        /// In one front-to-back pass over the blobs a copy needs (a compressed archive whose
        /// documents are known): the engine hands it the list and receives each blob as it passes.
        case sequential(any SequentialImageSource)
        /// Once, front to back, before anything is known of it (a compressed archive not read
        /// yet, an archive on a pipe): the engine reads it first, landing blobs as they pass.
        case once(any OnePassImageSource)
    }

    /// How blobs are best read.
    public var readOrder: ReadOrder
    /// Whether reading costs a network round trip (a registry): the engine then avoids reads it
    /// can prove unneeded, and an unreachable source is unreadable rather than invalid.
    public var isRemote: Bool
    /// The source's own listing of referrers (a registry's referrers API), or `nil` when referrers
    /// are found by scanning what the source holds.
    public var referrerListing: (any ReferrerListing)?
    /// How to read a blob from a given byte (a registry's `Range`), or `nil` when the source
    /// reads blobs whole only.
    public var rangedBlobs: (any RangedBlobReading)?

    public init(
        readOrder: ReadOrder = .random, isRemote: Bool = false, referrerListing: (any ReferrerListing)? = nil, rangedBlobs: (any RangedBlobReading)? = nil
    ) {
        self.readOrder = readOrder
        self.isRemote = isRemote
        self.referrerListing = referrerListing
        self.rangedBlobs = rangedBlobs
    }

    /// Whether the source is to be read once, front to back, before a copy plans.
    public var readsOnce: Bool {
        if case .once = readOrder { return true }
        return false
    }
}
