import FerrySpec
import FerryTransports

/// What a layout or archive holds, for `ferry tags` and `ferry inspect` on a place with several
/// images: each entry's names, digest and media type, and the transport string that reads it.
struct EntryListing: Encodable {
    /// One top-level entry.
    struct Entry: Encodable {
        var names: [String]
        var digest: String
        var mediaType: String
        /// The transport string that selects this entry: by its first name, else by position.
        var reference: String
    }

    var schemaVersion = 1
    var source: String
    var entries: [Entry]

    /// Lists `entries` of the place `place` (written `sourceString` by the user).
    init(_ entries: [SourceEntry], of place: TransportReference, sourceString: String) {
        source = sourceString
        self.entries = entries.enumerated().map { position, entry in
            let selector = entry.names.first ?? "@\(position)"
            return Entry(
                names: entry.names, digest: entry.descriptor.digest.description,
                mediaType: entry.descriptor.mediaType.rawValue,
                reference: place.kind == .dir ? "dir:\(place.path)" : "\(place.kind.rawValue):\(place.path):\(selector)")
        }
    }

    /// Every name, in order, each once.
    var names: [String] {
        var seen = Set<String>()
        return entries.flatMap(\.names).filter { seen.insert($0).inserted }
    }

    /// The human form: one line per entry (digest, media type, names), then how to name one.
    var text: String {
        var out = "\(source) holds \(entries.count) image\(entries.count == 1 ? "" : "s"):\n"
        for entry in entries {
            out += "  \(entry.digest)  \(entry.names.isEmpty ? "(no name)" : entry.names.joined(separator: ", "))\n"
        }
        if let first = entries.first {
            out += "Name one to inspect it, e.g. ferry inspect \(first.reference)\n"
        }
        return out
    }
}

/// `ferry tags --json`.
struct TagListJSON: Encodable {
    var schemaVersion = 1
    var source: String
    /// For a registry: the repository (`HOST/REPO`).
    var repository: String?
    var tags: [String]
    /// For a layout or archive: its entries.
    var entries: [EntryListing.Entry]?
}
