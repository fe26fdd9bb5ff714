import FerrySpec
import FerryTransports

/// Where one image of a sync goes at one destination.
struct SyncTarget: Sendable {
    let destination: any ImageDestination
    /// The names the image gets there (a tag, or its full reference in a layout).
    let names: [String]
    /// How the image is shown at the destination, for reports.
    let display: String
    /// Whether the destination already holds the image with this digest under its name.
    let isUpToDate: @Sendable (Digest) async throws -> Bool
    /// Mounts a blob from one of these repositories of the destination registry; `nil` where
    /// there are no repositories to mount from.
    var mount: (@Sendable (Descriptor, [String]) async throws -> Bool)? = nil
    /// The registry whose repositories this destination shares blobs with by mounting (its
    /// host), or `nil`: of the destinations in one group that lack a blob, one receives its
    /// bytes and the others mount it from there.
    var mountGroup: String? = nil
}
