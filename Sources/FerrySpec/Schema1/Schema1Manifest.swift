/// A Docker image manifest, schema version 1 (formats.md §6.1), read from its signed payload.
///
/// Decoding validates what docker and containers/image validate: `fsLayers` and `history` have
/// the same length, every `v1Compatibility` is JSON with a lowercase 64-hex `id`, each `parent`
/// is the next entry's `id` and the last has none, and no id reappears except as consecutive
/// duplicates, which are dropped from both arrays. Layers are **top first**.
public struct Schema1Manifest: Sendable, Hashable {
    /// The repository name (may be empty).
    public var name: String
    /// The tag (may be empty).
    public var tag: String
    /// The CPU architecture.
    public var architecture: String
    /// Layer digests (`blobSum`), top layer first, duplicates removed.
    public var fsLayers: [Digest]
    /// The `v1Compatibility` strings, same order and length as ``fsLayers``.
    public var history: [String]
    /// The parsed ``history`` entries.
    public var v1Compatibility: [V1Compatibility]

    /// Creates a manifest from parts (used when converting from schema 2).
    public init(name: String, tag: String, architecture: String, fsLayers: [Digest], history: [String], v1Compatibility: [V1Compatibility]) {
        self.name = name
        self.tag = tag
        self.architecture = architecture
        self.fsLayers = fsLayers
        self.history = history
        self.v1Compatibility = v1Compatibility
    }

    /// Decodes and validates a manifest from its payload (see ``Schema1Envelope``; for an
    /// unsigned manifest, the whole document).
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `context` and the entry at fault.
    public init(decoding payload: [UInt8], context: String) throws(SpecError) {
        struct Wire: Decodable {
            var schemaVersion: Int
            var name: String?
            var tag: String?
            var architecture: String?
            var fsLayers: [Layer]?
            var history: [History]?
            struct Layer: Decodable { var blobSum: Digest }
            struct History: Decodable { var v1Compatibility: String }
        }
        let wire: Wire = try JSONDocument.decode(Wire.self, from: payload, context: context)
        guard wire.schemaVersion == 1 else {
            throw SpecError(.invalidDocument, "\(context): schemaVersion is \(wire.schemaVersion), expected 1")
        }
        var layers = (wire.fsLayers ?? []).map(\.blobSum)
        var history = (wire.history ?? []).map(\.v1Compatibility)
        guard layers.count == history.count else {
            throw SpecError(.invalidDocument, "\(context): \(layers.count) fsLayers but \(history.count) history entries; they must pair up")
        }
        guard !layers.isEmpty else {
            throw SpecError(.invalidDocument, "\(context): no fsLayers")
        }
        var parsed: [V1Compatibility] = []
        for (i, text) in history.enumerated() {
            let entry: V1Compatibility = try JSONDocument.decode(
                V1Compatibility.self, from: Array(text.utf8), context: "\(context): history[\(i)].v1Compatibility")
            guard V1Compatibility.isValidID(entry.id) else {
                throw SpecError(.invalidDocument, "\(context): history[\(i)].v1Compatibility id \"\(entry.id.prefix(80))\" is not 64 lowercase hex characters")
            }
            parsed.append(entry)
        }
        if let base = parsed.last?.parent, !base.isEmpty {
            throw SpecError(.invalidDocument, "\(context): the base entry history[\(parsed.count - 1)] has parent \(base); the base has none")
        }
        var seen = Set<String>()
        for (i, entry) in parsed.enumerated() {
            if i > 0 && parsed[i - 1].id == entry.id { continue }
            guard seen.insert(entry.id).inserted else {
                throw SpecError(.invalidDocument, "\(context): id \(entry.id) appears again at history[\(i)]")
            }
        }
        // Backwards, so that earlier indexes stay valid while duplicates are removed.
        for i in stride(from: parsed.count - 2, through: 0, by: -1) {
            if parsed[i].id == parsed[i + 1].id {
                parsed.remove(at: i)
                layers.remove(at: i)
                history.remove(at: i)
            } else if (parsed[i].parent ?? "") != parsed[i + 1].id {
                throw SpecError(
                    .invalidDocument,
                    "\(context): history[\(i)] has parent \(parsed[i].parent.map { $0.isEmpty ? "(none)" : $0 } ?? "(none)"), expected the next entry's id \(parsed[i + 1].id)"
                )
            }
        }
        self.name = wire.name ?? ""
        self.tag = wire.tag ?? ""
        self.architecture = wire.architecture ?? ""
        self.fsLayers = layers
        self.history = history
        self.v1Compatibility = parsed
    }

    /// The unsigned document: `name`, `tag`, `architecture`, `fsLayers`, `history`,
    /// `schemaVersion`, compact, in the field order docker and containers/image write.
    public func encodedPayload() -> [UInt8] {
        var out = Array("{\"name\":".utf8) + GoJSON.quoted(name)
        out += Array(",\"tag\":".utf8) + GoJSON.quoted(tag)
        out += Array(",\"architecture\":".utf8) + GoJSON.quoted(architecture)
        out += Array(",\"fsLayers\":[".utf8)
        for (i, layer) in fsLayers.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"blobSum\":".utf8) + GoJSON.quoted(layer.description) + [UInt8(ascii: "}")]
        }
        out += Array("],\"history\":[".utf8)
        for (i, entry) in history.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"v1Compatibility\":".utf8) + GoJSON.quoted(entry) + [UInt8(ascii: "}")]
        }
        out += Array("],\"schemaVersion\":1}".utf8)
        return out
    }
}
