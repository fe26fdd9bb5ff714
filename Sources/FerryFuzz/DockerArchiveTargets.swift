import FerrySpec
@testable import FerryTransports

/// The two JSON files at the root of a `docker save` archive.
enum DockerArchiveTargets {
    /// `manifest.json` as copy reads it, then each item's names as references.
    @Sendable static func manifestJSON(_ input: [UInt8]) {
        guard let items = try? DockerSaveManifest.decode(input, context: "manifest.json") else { return }
        for item in items {
            for name in item.repoTags { _ = try? Reference(parsing: name).normalized }
            _ = item.layerSources.descriptors
            _ = try? JSONDocument.encode(item)
        }
        _ = try? DiffIDs.decode(input, context: "config")
    }

    /// `repositories` (`{"repo":{"tag":"id"}}`) as verify reads it (DockerArchiveChecks): the
    /// JSON, then every `repo:tag` as a reference.
    @Sendable static func repositories(_ input: [UInt8]) {
        guard let repositories = try? JSONDocument.decode([String: [String: String]].self, from: input, context: "repositories") else { return }
        for (repository, tags) in repositories {
            for tag in tags.keys {
                _ = (try? Reference(parsing: "\(repository):\(tag)"))?.normalized.description
            }
        }
    }
}
