import FerrySpec

/// An error of the engine's own: an image graph that cannot be copied as asked.
///
/// Errors from sources, destinations and streams pass through unchanged; this type covers what
/// only the engine can see (a cycle of indexes, a conversion the destination needs but the source
/// cannot give).
public struct EngineError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The manifest graph is malformed (too deep, cyclic, a document that does not decode).
        public static let invalidGraph = Code("invalidGraph")
        /// The copy needs something the options forbid or the formats cannot express.
        public static let unsupported = Code("unsupported")
        /// Blobs the image needs are not in the source.
        public static let incomplete = Code("incomplete")
        /// A signature is missing or does not verify and the options require one.
        public static let badSignature = Code("badSignature")
        /// An image-set file (``ImageSetParser``) that cannot be read as one.
        public static let invalidImageSet = Code("invalidImageSet")
        /// Some images of a sync failed (``SyncReport``).
        public static let partialSync = Code("partialSync")
        public var description: String { name }
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

extension EngineError: FerryFailure {
    public var codeName: String { "engine." + code.description }
}
