import FerrySpec

/// The full name an image is known by (`docker.io/library/app:1.0`), as containerd records it in
/// `io.containerd.image.name` next to the short `org.opencontainers.image.ref.name`.
///
/// A copy writes it wherever it is known: from the names a user gave the destination, else from
/// the source's (a docker-archive's `RepoTags`, a registry reference, a layout's containerd
/// annotation). A bare tag (`1.0`, `latest`) is not a full name.
enum FullImageName {
    /// The first of `names` that is a reference with a repository and a tag, normalised (a
    /// familiar `app:1.0` becomes `docker.io/library/app:1.0`); `nil` when none is.
    static func first(in names: [String]) -> String? {
        for name in names where name.contains(":") {
            guard let reference = try? Reference(parsing: name), reference.digest == nil, reference.tag != nil else { continue }
            return reference.normalized.description
        }
        return nil
    }

    /// `descriptor` with `io.containerd.image.name` set to `fullName`, or removed when it is `nil`
    /// (a source's annotation must not outlive a new name).
    static func annotated(_ descriptor: Descriptor, fullName: String?) -> Descriptor {
        var d = descriptor
        if let fullName {
            d.annotations = (d.annotations ?? [:]).merging([AnnotationKey.containerdImageName: fullName]) { $1 }
        } else {
            d.annotations?[AnnotationKey.containerdImageName] = nil
            if d.annotations?.isEmpty == true { d.annotations = nil }
        }
        return d
    }
}
