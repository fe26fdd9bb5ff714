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
