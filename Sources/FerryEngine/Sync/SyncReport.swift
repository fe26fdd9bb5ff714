import FerrySpec

/// What a sync did, image by image and in all.
public struct SyncReport: Sendable {
    /// One image at one destination.
    public struct Image: Sendable {
        /// What became of it.
        public enum Status: String, Sendable {
            /// Written now.
            case copied
            /// The destination already had it under this name (nothing moved).
            case upToDate = "up-to-date"
            /// Would be written (`--dry-run`).
            case planned
            /// Not written; see ``error``.
            case failed
        }

        /// The image's full reference in the set.
        public var source: String
        /// Where it went: `docker://HOST/REPO:TAG`, or `oci:DIR` / `oci-archive:FILE` with its name.
        public var destination: String
        /// The manifest or index digest (the same at both ends: sync keeps bytes).
        public var digest: Digest?
        public var status: Status
        /// Blobs and bytes this image moved itself (blobs it shares with images synced before it
        /// count where they moved first).
        public var blobsCopied = 0
        public var bytesCopied: Int64 = 0
        /// Blobs found present (or mounted from another repository of the destination registry).
        public var blobsSkipped = 0
        /// Why it failed.
        public var error: String?
    }

    /// Every image at every destination, in set order per destination.
    public var images: [Image] = []
    /// Unique blobs the images still to copy needed, and their bytes, summed over destinations.
    public var uniqueBlobs = 0
    public var uniqueBytes: Int64 = 0
    /// Blobs and bytes written, summed over destinations.
    public var blobsCopied = 0
    public var bytesCopied: Int64 = 0
    /// Layers a delta bundle left out because the far side has them (`--have`), and their bytes.
    public var blobsLeftOut = 0
    public var bytesLeftOut: Int64 = 0
    /// The parts of a bundle written split (`--split-size`).
    public var parts: BundleParts?
    /// What a user should know that is not an error: which registries.conf mirror served an image.
    public var notes: [String] = []

    /// How many images ended with `status`.
    public func count(_ status: Image.Status) -> Int { images.filter { $0.status == status }.count }
}
