import FerrySpec

/// How a copy's top-level entries are added to the entries of a layout's `index.json`.
enum LayoutIndexEntries {
    /// `existing` with `added` merged in: a name belongs to one entry, so a name given again moves
    /// to the new image (the old entry stays, without it); an unnamed entry is added once, and not
    /// at all when its image is listed under a name.
    static func adding(_ added: [(Descriptor, [String])], to existing: [Descriptor]) -> [Descriptor] {
        var manifests = existing
        for (descriptor, names) in added {
            if names.isEmpty {
                if !manifests.contains(where: { $0.digest == descriptor.digest && $0.referenceName == nil }) {
                    manifests.append(stripped(descriptor))
                }
                continue
            }
            for name in names {
                // A name belongs to one entry: take it away from older entries first.
                for i in manifests.indices where manifests[i].referenceName == name {
                    manifests[i].annotations?[AnnotationKey.refName] = nil
                    if manifests[i].annotations?.isEmpty == true { manifests[i].annotations = nil }
                }
                var entry = stripped(descriptor)
                entry.annotations = (entry.annotations ?? [:]).merging([AnnotationKey.refName: name]) { $1 }
                manifests.append(entry)
            }
        }
        // An unnamed entry whose image is also listed under a name (or listed twice) adds nothing.
        let named = Set(manifests.filter { $0.referenceName != nil }.map(\.digest))
        var unnamedSeen = Set<Digest>()
        return manifests.filter { entry in
            entry.referenceName != nil || (!named.contains(entry.digest) && unnamedSeen.insert(entry.digest).inserted)
        }
    }

    /// A descriptor for `index.json`: the source's `ref.name` is not carried over (the entry's
    /// names are); `io.containerd.image.name`, the full name the engine gives, is kept.
    static func stripped(_ descriptor: Descriptor) -> Descriptor {
        var d = descriptor
        d.annotations?[AnnotationKey.refName] = nil
        if d.annotations?.isEmpty == true { d.annotations = nil }
        return d
    }
}
