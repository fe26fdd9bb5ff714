import FerrySpec
import FerryStreams

/// The writers of one layout that may rely on each other's blobs, so that a blob one of them
/// landed and then found it does not need (``OCILayoutDestination/discardBlob(_:)``) is not
/// removed under another.
///
/// Each destination, before it first asks whether a blob is there or writes one, leaves a token
/// in `blobs/`: a locked working directory `.writer.ferry-XXXXXX` (``WorkDirectory``), held until
/// its commit. A blob is removed only under the layout's lock (on `blobs/`, as commits take it)
/// when no other writer's token is held and no image that `index.json` names refers to it; else
/// it stays, unreferenced, which costs space but breaks nothing. Tokens of killed writers are
/// unlocked, and removed like other leftovers.
final class LayoutWriters: Sendable {
    private let blobs: String
    private let token = Locked<WorkDirectory?>(nil)
    /// The name tokens are made next to (`blobs/writer` → `blobs/.writer.ferry-XXXXXX`).
    static let tokenBase = "writer"

    init(root: String) {
        blobs = root + "/blobs"
    }

    /// Leaves this writer's token, once, if `blobs/` exists (when it does not, no blob can be
    /// seen yet). Taken under the layout's lock, so it never slips between another writer's
    /// check and its removal of a blob.
    func announce() async throws {
        guard token.withLock({ $0 == nil }), FileSystem.kind(of: blobs) == .directory else { return }
        let made = try await FileLock.withExclusiveLock(on: blobs) { try WorkDirectory(nextTo: blobs + "/" + Self.tokenBase) }
        token.withLock { if $0 == nil { $0 = made } }
    }

    /// Drops this writer's token (after its commit, when `index.json` holds what it relies on).
    func leave() {
        token.withLock { $0 = nil }
    }

    /// Removes the blob `digest` (one this writer created) unless another writer may rely on it.
    /// - Returns: whether it was removed.
    @discardableResult
    func removeIfUnused(_ digest: Digest, root: String) async throws -> Bool {
        guard FileSystem.kind(of: blobs) == .directory else { return false }
        return try await FileLock.withExclusiveLock(on: blobs) {
            guard !othersPresent(), let referenced = OCILayout.referencedDigests(root), !referenced.contains(digest) else { return false }
            FileSystem.removeFile(root + "/" + OCILayout.blobPath(digest))
            return true
        }
    }

    /// Whether another writer's token is held (by a living process).
    private func othersPresent() -> Bool {
        let own = token.withLock { $0?.path }
        let prefix = "." + Self.tokenBase + WorkDirectory.marker
        for name in (try? FileSystem.contents(of: blobs)) ?? [] where name.hasPrefix(prefix) {
            let path = blobs + "/" + name
            guard path != own else { continue }
            if WorkDirectory.isHeld(path) { return true }
        }
        return false
    }
}
