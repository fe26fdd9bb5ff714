/// An open blob upload session in one repository (formats.md §8.1, `POST …/blobs/uploads/`).
///
/// Obtained from ``RegistryClient/startUpload(_:)`` or from a mount the registry declined
/// (``RegistryClient/mountBlob(_:into:from:)``), and consumed by
/// ``RegistryClient/pushBlob(_:from:upload:)``. The registry forgets sessions nobody finishes
/// (distribution purges them after a week); ``RegistryClient/cancelUpload(_:)`` ends one at once.
public struct BlobUpload: Sendable, Hashable {
    /// The repository the blob is uploaded to.
    public let repository: String
    /// The absolute URL of the session (the registry's latest `Location`, resolved).
    public internal(set) var location: String
    /// The smallest chunk the registry accepts except for the last (`OCI-Chunk-Min-Length`).
    public let minimumChunkLength: Int?
}
