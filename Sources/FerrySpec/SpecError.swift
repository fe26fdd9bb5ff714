/// An error in a document or value Ferry was given: a digest outside the grammar, JSON that is not
/// the document it claims to be, a reference that does not parse.
///
/// `message` names what was wrong and where; `code` lets callers branch without string matching.
public struct SpecError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case invalidDigest, invalidMediaType, invalidDocument, invalidReference, invalidPlatform, documentTooLarge, unsupported
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }
        /// A digest string outside the grammar, or with the wrong length or case for its algorithm.
        public static let invalidDigest = Code(.invalidDigest)
        /// A media type string outside RFC 6838's grammar.
        public static let invalidMediaType = Code(.invalidMediaType)
        /// JSON that is malformed or misses a required field.
        public static let invalidDocument = Code(.invalidDocument)
        /// A reference or name outside the docker reference grammar.
        public static let invalidReference = Code(.invalidReference)
        /// A platform string that is not `os/arch[/variant]`.
        public static let invalidPlatform = Code(.invalidPlatform)
        /// A document above the size Ferry accepts.
        public static let documentTooLarge = Code(.documentTooLarge)
        /// A valid input that this operation cannot handle (for example a conversion that would lose data).
        public static let unsupported = Code(.unsupported)
        public var description: String { kind.rawValue }
    }

    /// What kind of problem this is.
    public let code: Code
    /// A sentence naming what was wrong and where.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
