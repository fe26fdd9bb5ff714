import FerrySpec

/// The `LayerSources` of a `manifest.json` item (formats.md §5.1): for some of the item's layers,
/// keyed by DiffID, the descriptor of the blob the layer came from. `docker save` lists foreign
/// (non-distributable) layers there, with their media type and URLs, so that `docker load` and a
/// later `docker push` keep referring to the URLs instead of uploading the bytes; Docker 25+ lists
/// every layer, with ordinary layer types.
///
/// Read leniently: an entry that is not a descriptor is kept as ``Entry/malformed(_:)`` (reported
/// only if it concerns one of the item's layers), and a value that is not a JSON object at all
/// counts as no entries (``unreadable`` says why). A valid archive is never refused for it.
struct DockerLayerSources: Sendable, Hashable {
    /// One value of the map.
    enum Entry: Sendable, Hashable {
        /// A descriptor, as written.
        case descriptor(Descriptor)
        /// A value that is not a descriptor, with the reason (`missing required field size`).
        case malformed(String)
    }

    /// The entries by key, as written (a DiffID such as `sha256:…`, or anything else).
    var entries: [String: Entry]
    /// Why the whole value was ignored, when it is not a JSON object (or `nil`).
    var unreadable: String?

    init(entries: [String: Entry] = [:], unreadable: String? = nil) {
        self.entries = entries
        self.unreadable = unreadable
    }

    /// The descriptors to write, by DiffID: the same map `docker save` writes.
    init(descriptors: [Digest: Descriptor]) {
        self.init(entries: Dictionary(uniqueKeysWithValues: descriptors.map { ($0.key.description, .descriptor($0.value)) }))
    }

    /// The entry for a layer, by its DiffID (keys that are not one of the item's DiffIDs are
    /// never looked at: Docker ignores them too).
    func entry(for diffID: Digest) -> Entry? { entries[diffID.description] }

    /// The descriptors only, for writing (malformed entries are never written).
    var descriptors: [String: Descriptor] {
        entries.compactMapValues { entry in
            if case .descriptor(let descriptor) = entry { return descriptor }
            return nil
        }
    }
}

extension DockerLayerSources.Entry: Decodable {
    /// Never throws: a value that is not a descriptor becomes ``malformed(_:)``.
    init(from decoder: any Decoder) throws {
        do {
            self = .descriptor(try Descriptor(from: decoder))
        } catch let error as DecodingError {
            self = .malformed(Self.describe(error, below: decoder.codingPath.count))
        } catch {
            self = .malformed("\(error)")
        }
    }
}

extension DockerLayerSources {
    /// Decodes the value of a `LayerSources` key without ever failing.
    static func decode<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, forKey key: Key) -> DockerLayerSources {
        guard container.contains(key), (try? container.decodeNil(forKey: key)) != true else { return DockerLayerSources() }
        do {
            return DockerLayerSources(entries: try container.decode([String: Entry].self, forKey: key))
        } catch let error as DecodingError {
            return DockerLayerSources(unreadable: Entry.describe(error, below: container.codingPath.count + 1))
        } catch {
            return DockerLayerSources(unreadable: "\(error)")
        }
    }
}

extension DockerLayerSources.Entry {
    /// A decoding error in a few words, with the field path inside the entry (`urls[0]`).
    /// - Parameter depth: how many coding-path components lead to the entry itself.
    static func describe(_ error: DecodingError, below depth: Int) -> String {
        func field(_ path: [any CodingKey]) -> String {
            let inside = path.dropFirst(depth).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return inside.isEmpty ? "the value" : String(inside.drop { $0 == "." })
        }
        func kind(_ type: Any.Type) -> String {
            let name = "\(type)"
            if name.hasPrefix("Dictionary") { return "a JSON object" }
            if name.hasPrefix("Array") { return "a JSON array" }
            if name == "String" { return "a string" }
            if name.hasPrefix("Int") { return "an integer" }
            return name
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing required field \(field(context.codingPath + [key]))"
        case .typeMismatch(let type, let context):
            return "\(field(context.codingPath)) is not \(kind(type))"
        case .valueNotFound(_, let context):
            return "\(field(context.codingPath)) is null"
        case .dataCorrupted(let context):
            return "\(field(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
