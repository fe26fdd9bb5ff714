import FerrySpec
import FerryTransports

/// Checks of a delta bundle (``BundleDelta``): the layers it leaves out are not missing but
/// relied on — a note each — while a blob missing that its record does not name stays an error.
enum DeltaChecks {
    /// The digests the layout's delta record relies on (empty for a complete layout); notes
    /// that the bundle is a delta, or an error when its record cannot be read.
    static func reliedOn(_ layout: (any LayoutInventory)?, problems: inout ProblemList) -> Set<Digest> {
        guard let layout else { return [] }
        do {
            guard let delta = try layout.bundleDelta() else { return [] }
            let bytes = delta.reliesOn.reduce(Int64(0)) { $0 &+ max(0, $1.size) }
            problems.note(
                .blobReliedOn,
                "a delta bundle: it relies on its destination having \(delta.reliesOn.count) layer\(delta.reliesOn.count == 1 ? "" : "s") (\(bytes) bytes) it does not carry, listed in \(BundleDelta.fileName)",
                at: .init(file: BundleDelta.fileName))
            return Set(delta.reliesOn.map(\.digest))
        } catch {
            problems.error(.layoutInvalid, Verifier.message(error), at: .init(file: BundleDelta.fileName))
            return []
        }
    }

    /// `problems` with each blob-missing error for a relied-on blob turned into a note.
    static func relabel(_ problems: ProblemList, reliedOn: Set<Digest>) -> ProblemList {
        guard !reliedOn.isEmpty else { return problems }
        var result = ProblemList()
        for problem in problems.all {
            if problem.code == .blobMissing, let blob = problem.location.blob, let digest = try? Digest(parsing: blob), reliedOn.contains(digest) {
                result.note(.blobReliedOn, "not carried: the delta bundle relies on its destination having it", at: problem.location)
            } else {
                result.append(problem)
            }
        }
        return result
    }
}
