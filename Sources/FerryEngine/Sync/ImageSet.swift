import FerryRegistry
import FerrySpec

/// A set of images to sync, as an image-set file describes it (``ImageSetParser``): per source
/// — a registry or a local layout, bundle or archive — which repositories and which of their tags.
///
/// skopeo sync's YAML is a subset: per registry `images` (repository → tags or digests; an empty
/// list means every tag), `images-by-tag-regex`, `images-by-semver`, `credentials`, `tls-verify`,
/// `cert-dir`. Ferry adds `platforms`, `referrers`, `newest`, `exclude`, and local sources.
public struct ImageSet: Sendable, Hashable {
    /// Where a group's images come from.
    public enum Origin: Sendable, Hashable, CustomStringConvertible {
        /// A registry host (`registry.example:5000`, `docker.io`).
        case registry(String)
        /// A local layout, bundle or archive, as a transport string (`oci:/srv/base`).
        case local(String)

        public var description: String {
            switch self {
            case .registry(let host): return host
            case .local(let place): return place
            }
        }
    }

    /// Which tags of one repository a group selects.
    public enum Selection: Sendable, Hashable {
        /// These tags or digests (`sha256:…`); an empty list means every tag.
        case references([String])
        /// Every tag the regular expression finds (a search, unanchored, as skopeo does).
        case tagRegex(String)
        /// Every tag that is a semantic version satisfying the constraint.
        case semver(SemverConstraint)
    }

    /// One repository and its selection, with the file line it came from (for messages).
    public struct RepositorySelection: Sendable, Hashable {
        public var repository: String
        public var selection: Selection
        public var line: Int

        public init(repository: String, selection: Selection, line: Int = 0) {
            self.repository = repository
            self.selection = selection
            self.line = line
        }
    }

    /// One top-level entry of the file: a source and what to take from it.
    public struct Group: Sendable, Hashable {
        public var origin: Origin
        /// The repositories and tags, in file order (for a local source: names of its images;
        /// empty means all of them).
        public var repositories: [RepositorySelection] = []
        /// `credentials: {username, password}`.
        public var credentials: Credentials?
        /// `tls-verify`.
        public var tlsVerify: Bool?
        /// `cert-dir`.
        public var certificateDirectory: String?
        /// `platforms`: copy only these platforms of multi-platform images (one left becomes a
        /// plain manifest); empty means the whole index, digests unchanged.
        public var platforms: [Platform] = []
        /// `referrers: true`: signatures, SBOMs and attestations go along.
        public var referrers = false
        /// `newest: N`: of each repository's selected tags, only the N newest (highest semantic
        /// version; tags that are no version count by the registry's listing order, after them).
        public var newest: Int?
        /// `exclude`: regular expressions; a tag any of them finds is left out.
        public var exclude: [String] = []
        /// The file line of the group's key.
        public var line: Int = 0

        public init(origin: Origin) { self.origin = origin }
    }

    /// The groups, in file order.
    public var groups: [Group]

    public init(groups: [Group]) { self.groups = groups }
}
