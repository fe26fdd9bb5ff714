import FerrySpec

/// How `docker-archive:` names (`RepoTags`) are read, selected and written (formats.md §5.1, §10.1).
enum DockerArchiveNames {
    /// The forms a `RepoTags` entry can be selected by besides its own spelling: the fully
    /// qualified reference (`docker.io/library/busybox:latest`) and the familiar one
    /// (`busybox:latest`). A tag that is not a valid reference has no further forms.
    static func aliases(of repoTag: String) -> [String] {
        guard let reference = try? Reference(parsing: repoTag) else { return [] }
        let normalized = reference.normalized
        return [normalized.description, normalized.familiarString].filter { $0 != repoTag }
    }

    /// The selector a user's `docker-archive:PATH:REF` means: the fully qualified, tagged
    /// reference, so that `busybox`, `busybox:latest` and `docker.io/library/busybox:latest`
    /// select the same image.
    /// - Throws: ``TransportError`` when `ref` is not a reference or carries a digest.
    static func selectorName(_ ref: String, in string: String) throws(TransportError) -> String {
        let reference: Reference
        do {
            reference = try Reference(parsing: ref)
        } catch {
            throw TransportError(
                .invalidArgument,
                "\(Echo.quoted(string)): \(error.message); docker-archive takes a tagged name such as docker-archive:app.tar:busybox:latest, or @N")
        }
        guard reference.digest == nil else {
            throw TransportError(
                .invalidArgument, "\(Echo.quoted(string)): a docker-archive reference names a tag, not a digest (e.g. docker-archive:app.tar:busybox:latest)")
        }
        return reference.normalized.description
    }

    /// The `RepoTags` entry written for a name: its familiar form with a tag (`ferry/hello:1.0`),
    /// or `nil` when the name is not a tagged docker reference (such as an OCI layout's bare
    /// `1.0`) — `docker load` needs a repository and a tag.
    static func repoTag(for name: String) -> Reference? {
        guard let reference = try? Reference(parsing: name), reference.digest == nil, reference.tag != nil else { return nil }
        return reference
    }
}
