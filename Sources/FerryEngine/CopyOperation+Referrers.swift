import FerrySpec
import FerryTransports

extension CopyOperation {
    /// Copies the referrers of every manifest and index `plan` copied, then the referrers of those
    /// referrers, until none is left (``CopyOptions/includeReferrers``).
    ///
    /// Each referrer goes through the same planner and blob path as an image — every blob
    /// verified on its way — and lands as an unnamed entry: an `index.json` entry without a
    /// `ref.name` in a layout, a manifest put by digest in a registry (which keeps the referrers
    /// tag schema's index when it has no referrers API). Referrers are copied verbatim: one whose
    /// digest would change is refused, since nothing could find it under a new one.
    func copyReferrers(of plan: CopyPlan, written: inout Set<Digest>, report: inout CopyReport) async throws {
        let finder = try await ReferrerFinder(source: source)
        var verbatim = options
        verbatim.format = nil
        verbatim.compression = .keep
        verbatim.platforms = []
        verbatim.destinationNames = nil
        let planner = CopyPlanner(source: source, capabilities: destination.capabilities, options: verbatim)

        var pending = plan.entries.flatMap { Self.documentDigests($0.root) }
        var seen = Set(pending)
        while !pending.isEmpty {
            let subject = pending.removeFirst()
            // Only manifests and indexes can refer to something; anything else listed is ignored.
            let found = try await finder.referrers(of: subject).filter { $0.mediaType.isManifestOrIndex }
            for referrer in found where seen.insert(referrer.digest).inserted {
                guard destination.capabilities.holdsSeveralImages else {
                    throw EngineError(
                        .unsupported, "--referrers: \(destination.name) holds one image and cannot keep referrer \(referrer.digest) of \(subject) beside it")
                }
                let referrerPlan = try await planner.plan([SourceEntry(descriptor: referrer, names: [])])
                if referrerPlan.changesDigests {
                    throw EngineError(
                        .unsupported,
                        "--referrers: referrer \(referrer.digest) (\(referrer.artifactType ?? referrer.mediaType.rawValue)) of \(subject) cannot be stored in \(destination.name) unchanged, and a changed referrer could not be found by its digest"
                    )
                }
                let landed = try await moveBlobs(of: referrerPlan, report: &report, announce: false).landed
                for entry in referrerPlan.entries {
                    let root = try await materialize(entry.root, landed: landed, written: &written, report: &report)
                    try await destination.addEntry(root, names: [])
                    report.referrers.append(.init(subject: subject, descriptor: referrer))
                    for digest in Self.documentDigests(entry.root) where digest == referrer.digest || seen.insert(digest).inserted {
                        pending.append(digest)
                    }
                }
            }
        }
    }

    /// The digests of the manifests and indexes of a planned graph, parents first.
    static func documentDigests(_ node: PlannedNode) -> [Digest] {
        switch node {
        case .blob: return []
        case .manifest(let m): return [m.descriptor.digest]
        case .schema1(let s): return [s.descriptor.digest]
        case .index(let i): return [i.descriptor.digest] + i.children.flatMap { documentDigests($0.node) }
        }
    }
}
