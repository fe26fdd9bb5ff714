import FerrySpec
import FerryTransports

/// One destination of a sync as it goes through the phases (see ``SyncOperation``): what it is,
/// how it ends, and what each phase found for it.
struct SyncStage: Sendable {
    /// How the destination is finished once its images are in.
    enum Ending: Sendable {
        /// A registry: every manifest and tag is already written.
        case registry
        /// One layout: its `index.json` is written once.
        case layout(OCILayoutDestination, SharedLayoutDestination)
        /// A bundle: its staging layout is committed and packed into the file (or its parts); or
        /// the staging layout is added to the existing archive.
        case bundle(path: String, staging: OCILayoutDestination, shared: SharedLayoutDestination, addsToExisting: Bool)
        /// A bundle that already holds every image of the set: nothing to write.
        case upToDate
    }

    /// An image ready to copy: its source, entry, plan and the blobs it needs moved.
    struct Prepared: Sendable {
        let item: SyncItem
        let target: SyncTarget
        let source: any ImageSource
        let entry: SourceEntry
        /// The copy's plan for this destination, made once (the copy does not read the manifests again).
        let plan: CopyPlan
        let blobs: [Descriptor]
        /// Layers the image's source relies on the destination having (a delta bundle's), or
        /// that a delta bundle being written leaves out.
        let reliedOn: Set<Digest>
    }

    /// What one image's blobs took in the blob phase.
    struct Moved: Sendable {
        var copied = 0
        var bytes: Int64 = 0
        var skipped = 0
    }

    let label: String
    let ending: Ending
    /// A delta bundle being written: the layers it leaves out.
    let leftOut: LeftOutBlobs?
    /// Where each image goes at this destination.
    let makeTarget: @Sendable (SyncItem) throws -> SyncTarget

    /// What happened to each image here, so far.
    var report = SyncReport()
    /// The images still to copy, after the prepare phase.
    var ready: [Prepared] = []
    /// Each unique blob the ready images need, with the first image that needs it.
    var blobs: [(Descriptor, Int)] = []
    /// What the blob phase moved, by index in ``ready``.
    var moved: [Int: Moved] = [:]

    init(label: String, ending: Ending, leftOut: LeftOutBlobs? = nil, makeTarget: @escaping @Sendable (SyncItem) throws -> SyncTarget) {
        self.label = label
        self.ending = ending
        self.leftOut = leftOut
        self.makeTarget = makeTarget
    }
}
