import FerrySpec
import FerryStreams
import FerryTransports

/// Blobs a copy landed in its destination while reading a source once (``OnePassImageSource``),
/// before there was a plan: what each source member was, and what landed for it.
///
/// The plan's blob jobs take their results from here (``take(_:)``), each checked against the job
/// as a fresh copy would be: the source digest and size, the target compression and level, and
/// the DiffID. What no job took is discarded before the copy commits.
final class LandedAhead: Sendable {
    /// One member landed in the destination.
    struct Landing: Sendable, Hashable {
        /// The member's name in the source.
        var member: String
        /// The digest and size of the member's bytes in the source.
        var source: BlobKey
        /// The digest of its uncompressed content, when it was decompressed (or was plain).
        var contentDigest: Digest?
        /// The compression it was transcoded to and at which level, or `nil` when it landed as it is.
        var target: LayerCompression?
        var level: Int?
        /// What landed.
        var landed: BlobKey
        /// Whether the destination already held it, so nothing was written.
        var wasPresent: Bool
    }

    /// The source read once, which says which member holds a blob; `nil` for blobs a schema 1
    /// conversion landed as it read each layer.
    let source: (any OnePassImageSource)?
    /// Whether the step that landed the blobs reported each to progress already (a schema 1
    /// conversion does; a one-pass read leaves it to the jobs that take them).
    let reportedProgress: Bool
    private let state = Locked<(landings: [Landing], taken: Set<Digest>)>(([], []))

    init(source: (any OnePassImageSource)? = nil, reportedProgress: Bool = false) {
        self.source = source
        self.reportedProgress = reportedProgress
    }

    func record(_ landing: Landing) {
        state.withLock { $0.landings.append(landing) }
    }

    /// The landed blob for a job, checked against it, or `nil` when nothing that landed fits.
    ///
    /// - Returns: the job's result descriptor (the source's for a copy, the new one for a
    ///   transcode) and whether the destination already held it.
    /// - Throws: ``StreamError`` (`digestMismatch`) when the layer's uncompressed content does not
    ///   have the DiffID the plan expects — as the streaming check of a fresh copy would.
    func take(_ job: BlobJob, context: String) throws -> (Descriptor, skipped: Bool)? {
        let key = BlobKey(job.descriptor)
        let wantedTarget: LayerCompression?
        let wantedLevel: Int?
        let diffID: Digest?
        switch job.kind {
        case .copy: (wantedTarget, wantedLevel, diffID) = (nil, nil, nil)
        case .copyLayer(_, _, _, let declared): (wantedTarget, wantedLevel, diffID) = (nil, nil, declared)
        case .transcode(let target, let level, let declared, _): (wantedTarget, wantedLevel, diffID) = (target, level, declared)
        }
        let found = state.withLock { state -> Landing? in
            guard let landing = state.landings.first(where: { $0.source == key && $0.target == wantedTarget && $0.level == wantedLevel }) else { return nil }
            state.taken.insert(landing.landed.digest)
            return landing
        }
        guard let found else { return nil }
        if let diffID, let content = found.contentDigest, content != diffID {
            throw StreamError(.digestMismatch, "\(context): uncompressed content (DiffID): content has digest \(content), expected \(diffID)")
        }
        switch job.kind {
        case .copy, .copyLayer:
            return (job.descriptor, found.wasPresent)
        case .transcode(_, _, _, let mediaType):
            var result = job.descriptor
            result.mediaType = mediaType
            result.digest = found.landed.digest
            result.size = found.landed.size
            // A foreign layer's URLs serve the source's bytes, not these.
            result.urls = nil
            return (result, false)
        }
    }

    /// The digest and size a member's bytes had as they passed, when it landed.
    func passed(_ member: String) -> BlobKey? {
        state.withLock { $0.landings.first { $0.member == member }?.source }
    }

    /// Blobs written during the pass that no job took.
    func untaken() -> [Digest] {
        state.withLock { state in
            state.landings.filter { !$0.wasPresent && !state.taken.contains($0.landed.digest) }.map(\.landed.digest)
        }
    }

    /// Every blob written during the pass.
    func written() -> [Digest] {
        state.withLock { $0.landings.filter { !$0.wasPresent }.map(\.landed.digest) }
    }
}
