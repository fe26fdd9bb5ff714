import FerryRegistry
import FerrySpec

/// How a sync runs (``SyncOperation``).
public struct SyncOptions: Sendable {
    /// Images copied at once.
    public var parallelImages: Int = 4
    /// Blobs in flight at once over the whole sync (one bound for every image).
    public var parallelBlobs: Int = 8
    /// Resolve and report what would be copied, write nothing.
    public var dryRun = false
    /// Carry on past an image that fails; the sync then ends with ``EngineError/Code/partialSync``.
    public var keepGoing = false
    /// `--check-layers`: every layer is checked as `ferry verify` checks it while it is copied
    /// (``CopyOptions/checkLayers``); layers then move per image rather than in the shared blob
    /// phase, and a source read once (a pipe, a compressed bundle) is refused.
    public var checkLayers = false
    /// In a registry destination, keep the source registry's host in the repository path.
    public var scoped = false
    /// `fsync` files before they become visible (layouts and bundles).
    public var durable = true
    /// Registry options for sources: an image-set group's `credentials`, `tls-verify` and
    /// `cert-dir` override these for its registry.
    public var sourceRegistry = RegistryOptions()
    /// Registry options for registry destinations.
    public var destinationRegistry = RegistryOptions()
    /// What the far side of an air gap holds (merged `--have` inventories): a bundle destination
    /// becomes a delta bundle, leaving out the layers listed here and recording them
    /// (``BundleDelta``). Empty: bundles carry every blob.
    public var have: [Digest: Inventory.Blob] = [:]
    /// Write a bundle as numbered parts of at most this many bytes, with a parts manifest
    /// (``BundleParts``); `nil`: one file.
    public var splitSize: Int64?
    /// `--limit-rate`: bytes per second read from the sources, over the whole sync; `nil`: no limit.
    public var limitRate: Int64?
    /// Told of each image as it starts and ends.
    public var progress: (@Sendable (SyncEvent) -> Void)?

    public init() {}
}

/// What a sync reports as it goes.
public enum SyncEvent: Sendable {
    /// The image set resolved to this many images.
    case resolved(images: Int)
    /// The unique blobs of the images still to copy to a destination, and their bytes.
    case planned(destination: String, images: Int, blobs: Int, bytes: Int64)
    /// One image reached a destination, or failed to.
    case finished(SyncReport.Image)
}
