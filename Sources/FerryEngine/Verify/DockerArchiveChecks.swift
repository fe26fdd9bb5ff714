import FerrySpec
import FerryTransports

/// Checks of a `docker save` archive's own structure: `RepoTags` against the reference grammar,
/// `repositories` against `manifest.json`, and members that nothing references.
enum DockerArchiveChecks {
    typealias Location = VerificationProblem.Location

    static func check(_ archive: any DockerArchiveInventory, problems: inout ProblemList) {
        let items = archive.saveManifestItems()
        var tagged = Set<String>()
        for (i, item) in items.enumerated() {
            for tag in item.repoTags {
                let location = Location(image: tag, file: "manifest.json")
                do {
                    let reference = try Reference(parsing: tag)
                    if reference.digest != nil {
                        problems.error(
                            .archiveRepoTagInvalid, "RepoTags of item \(i): \(Echo.quoted(tag)) has a digest; RepoTags are name:tag only", at: location)
                    } else {
                        // A bare name means name:latest, as docker load and go-containerregistry read it.
                        tagged.insert(reference.normalized.description)
                    }
                } catch {
                    problems.error(.archiveRepoTagInvalid, "RepoTags of item \(i): \(error.message)", at: location)
                }
            }
        }
        checkRepositories(archive, tagged: tagged, problems: &problems)
        checkUnreferenced(archive, items: items, problems: &problems)
    }

    /// `repositories` (`{"repo":{"tag":"id"}}`) must name the same tags as `manifest.json`.
    private static func checkRepositories(_ archive: any DockerArchiveInventory, tagged: Set<String>, problems: inout ProblemList) {
        let location = Location(file: "repositories")
        let bytes: [UInt8]?
        do {
            bytes = try archive.repositoriesBytes()
        } catch {
            problems.error(.archiveRepositoriesInconsistent, "repositories cannot be read: \(error)", at: location)
            return
        }
        guard let bytes else { return }
        let repositories: [String: [String: String]]
        do {
            repositories = try JSONDocument.decode([String: [String: String]].self, from: bytes, context: "repositories")
        } catch {
            problems.error(.archiveRepositoriesInconsistent, "\(error.message) (expected {\"repo\":{\"tag\":\"id\"}})", at: location)
            return
        }
        var listed = Set<String>()
        for (repository, tags) in repositories.sorted(by: { $0.key < $1.key }) {
            for tag in tags.keys.sorted() {
                guard let reference = try? Reference(parsing: "\(repository):\(tag)") else {
                    problems.warning(.archiveRepositoriesInconsistent, "\(Echo.quoted("\(repository):\(tag)")) is not a valid reference", at: location)
                    continue
                }
                listed.insert(reference.normalized.description)
                if !tagged.contains(reference.normalized.description) {
                    problems.warning(
                        .archiveRepositoriesInconsistent, "\(repository):\(tag) is in repositories but in no RepoTags of manifest.json", at: location)
                }
            }
        }
        for name in tagged.sorted() where !listed.contains(name) {
            problems.warning(.archiveRepositoriesInconsistent, "\(name) is in manifest.json but not in repositories", at: location)
        }
    }

    /// Regular members that neither `manifest.json` nor the archive's structure accounts for.
    /// The per-layer `<id>/json` and `<id>/VERSION` of legacy archives, and everything under an
    /// embedded OCI layout's `blobs/` (Docker 25+ leaves unreferenced legacy blobs there), are expected.
    private static func checkUnreferenced(_ archive: any DockerArchiveInventory, items: [DockerSaveItem], problems: inout ProblemList) {
        var referenced: Set<String> = ["manifest.json", "repositories", "index.json", "oci-layout"]
        for item in items {
            for name in [item.config] + item.layers {
                referenced.insert(name)
                if let target = archive.resolvedMember(name) { referenced.insert(target) }
            }
        }
        for (name, isRegular) in archive.memberList() where isRegular && !referenced.contains(name) {
            let parts = name.split(separator: "/")
            if parts.first == "blobs" { continue }
            if parts.count == 2, ["json", "VERSION", "layer.tar"].contains(parts[1]) { continue }
            problems.warning(.archiveMemberUnreferenced, "member \(name) is not referenced by manifest.json", at: Location(file: name))
        }
    }
}
