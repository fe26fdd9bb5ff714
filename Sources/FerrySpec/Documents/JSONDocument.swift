import Foundation

/// Any JSON value, decoded and thrown away.
public struct IgnoredValue: Decodable, Sendable {
    public init(from decoder: any Decoder) throws {}
}

/// JSON decoding with size limits and errors that say where.
public enum JSONDocument {
    /// Decodes `type` from `bytes`, refusing documents over ``DocumentLimits/maximumDocumentSize``.
    /// - Throws: ``SpecError`` naming `context` and the failing field path.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], context: String) throws(SpecError) -> T {
        guard bytes.count <= DocumentLimits.maximumDocumentSize else {
            throw SpecError(
                .documentTooLarge, "\(context): \(bytes.count) bytes is over the \(DocumentLimits.maximumDocumentSize)-byte limit for JSON documents")
        }
        // JSON is UTF-8 (RFC 8259 §8.1). The decoder would pass invalid bytes inside a string on
        // (verify's parser refuses them): one reading for copy and verify.
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SpecError(.invalidDocument, "\(context): not valid JSON (not UTF-8)")
        }
        // Nor would it refuse a raw control character inside a string (RFC 8259 §7: U+0000 to
        // U+001F must be escaped), which verify's parser refuses.
        if let offset = rawControlCharacterInString(bytes) {
            throw SpecError(
                .invalidDocument, "\(context): not valid JSON (an unescaped control character, byte \(bytes[offset]), inside a string at byte \(offset))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            if let nesting = JSONNesting.complaint(bytes) { throw SpecError(.invalidDocument, "\(context): \(nesting)") }
            throw SpecError(.invalidDocument, "\(context): \(describe(error))")
        } catch {
            if let nesting = JSONNesting.complaint(bytes) { throw SpecError(.invalidDocument, "\(context): \(nesting)") }
            throw SpecError(.invalidDocument, "\(context): not valid JSON (\(error))")
        }
    }

    /// Encodes a value with sorted keys and no escaped slashes: stable bytes for documents Ferry writes.
    public static func encode<T: Encodable>(_ value: T) throws(SpecError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw SpecError(.invalidDocument, "could not encode \(T.self): \(error)")
        }
    }

    /// What a JSON value of Swift type `type` is, in JSON's words: messages name `an object`,
    /// never `Dictionary<String, Any>`.
    static func jsonKind(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Dictionary<") || name.hasPrefix("[") && name.contains(":") { return "an object" }
        if name.hasPrefix("Array<") || name.hasPrefix("[") { return "an array" }
        switch name {
        case "String", "Substring": return "a string"
        case "Bool": return "true or false"
        case "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64", "Double", "Float", "Decimal":
            return "a number"
        default: return "another kind of value"
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let p = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "the top level" : String(p.drop(while: { $0 == "." }))
        }
        switch error {
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c):
            return "missing required field \(path(c.codingPath + [key]))"
        case .typeMismatch(let type, let c):
            return "\(path(c.codingPath)) has the wrong type (expected \(jsonKind(type)))"
        case .valueNotFound(let type, let c):
            return "\(path(c.codingPath)) is null (expected \(jsonKind(type)))"
        @unknown default:
            return "\(error)"
        }
    }

    /// The offset of the first byte below 0x20 inside a JSON string, or `nil`.
    static func rawControlCharacterInString(_ bytes: [UInt8]) -> Int? {
        var inString = false
        var escaped = false
        for (offset, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                } else if byte < 0x20 {
                    return offset
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            }
        }
        return nil
    }
}
