import FerrySpec
import FerryStreams

/// What a `docker save` archive holds beyond what ``ImageSource`` exposes — its `manifest.json`
/// items, its `repositories` file and its member list — so a verifier can check them against each
/// other. Kept apart from the seam: only docker-archives adopt it.
public protocol DockerArchiveInventory: Sendable {
    /// The `manifest.json` items, in order.
    func saveManifestItems() -> [DockerSaveItem]
    /// The exact bytes of `repositories`, or `nil` when the archive has none.
    func repositoriesBytes() throws -> [UInt8]?
    /// Every member, normalised, sorted; `isRegular` is false for directories and links.
    func memberList() -> [(name: String, isRegular: Bool)]
    /// The regular member a name resolves to through links inside the archive, or `nil`.
    func resolvedMember(_ name: String) -> String?
}

/// One `manifest.json` item as written (member names normalised).
public struct DockerSaveItem: Sendable, Hashable {
    /// The config member.
    public var config: String
    /// The names as written.
    public var repoTags: [String]
    /// The layer members, base first.
    public var layers: [String]
}

extension DockerArchiveSource: DockerArchiveInventory {
    public func saveManifestItems() -> [DockerSaveItem] {
        ((try? catalog.items) ?? []).map { item in
            DockerSaveItem(
                config: (try? TarPath.normalize(item.config)) ?? item.config, repoTags: item.repoTags,
                layers: item.layers.map { (try? TarPath.normalize($0)) ?? $0 })
        }
    }

    public func repositoriesBytes() throws -> [UInt8]? {
        let members = try members
        guard members.contains("repositories") else { return nil }
        return try members.read(try members.regularFile("repositories", role: "the archive").member, limit: DockerSaveManifest.sizeLimit)
    }

    public func memberList() -> [(name: String, isRegular: Bool)] {
        (try? members.allMembers()) ?? []
    }

    public func resolvedMember(_ name: String) -> String? {
        try? members.regularFile(name, role: "a member").member
    }
}
