import Foundation

/// JSON for the files Ferry writes beside images — inventories, delta records, parts manifests:
/// compact, keys sorted (the same content gives the same bytes), decoded with a size bound.
enum BundleJSON {
    /// The largest such file read (an inventory of ~400 000 blobs).
    static let maximumSize = 64 << 20

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard bytes.count <= maximumSize else {
            throw SpecError(.documentTooLarge, "\(bytes.count) bytes is over the \(maximumSize)-byte limit")
        }
        if let nesting = JSONNesting.complaint(bytes) { throw SpecError(.invalidDocument, nesting) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw SpecError(.invalidDocument, JSONDocument.describe(error))
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [0x0A]
    }
}

/// A file Ferry writes beside images (an inventory, a delta record, a parts manifest), known by
/// its media type and schema version: one rule reads them all.
protocol VersionedBundleFile: Codable {
    static var mediaType: String { get }
    static var currentSchemaVersion: Int { get }
    /// What it is, for messages (`a Ferry inventory`).
    static var what: String { get }
    var mediaType: String { get }
    var schemaVersion: Int { get }
}

extension VersionedBundleFile {
    /// Decodes the file, refusing another media type or a version this code does not read.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `context`.
    static func decodeChecked(_ bytes: [UInt8], context: String) throws(SpecError) -> Self {
        let value: Self
        do {
            value = try BundleJSON.decode(Self.self, from: bytes)
        } catch {
            throw SpecError(.invalidDocument, "\(context): not \(what) (\(error))")
        }
        guard value.mediaType == mediaType, value.schemaVersion == currentSchemaVersion else {
            throw SpecError(
                .invalidDocument,
                "\(context): version \(value.schemaVersion) of \(Echo.quoted(value.mediaType)); this Ferry reads version \(currentSchemaVersion) of \(mediaType) (a newer Ferry may read it)"
            )
        }
        return value
    }
}
