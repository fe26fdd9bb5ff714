import FerrySpec

/// An error while moving bytes: a digest or size mismatch, a truncated or corrupt stream, a C
/// library failure, a file that could not be read or written.
///
/// `message` names what and where (file, member, digest) and, for C libraries, carries the
/// library's own message.
public struct StreamError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// Content whose digest is not the one expected.
        public static let digestMismatch = Code("digestMismatch")
        /// Content longer or shorter than its declared size.
        public static let sizeMismatch = Code("sizeMismatch")
        /// Compressed or archived data that is corrupt or ends early.
        public static let corruptData = Code("corruptData")
        /// A file or directory operation failed.
        public static let io = Code("io")
        /// Writing a file failed (a full disk, a file-size limit, no permission, a directory
        /// that cannot be made): only destinations write, so this is the destination's failure.
        public static let writeFailed = Code("writeFailed")
        /// A C library reported an error it was not expected to.
        public static let library = Code("library")
        /// Input that is valid but not supported here (unknown digest algorithm, unknown compression).
        public static let unsupported = Code("unsupported")
        /// A path that would leave the directory it belongs to.
        public static let unsafePath = Code("unsafePath")
        /// Something that should exist does not.
        public static let notFound = Code("notFound")
        public var description: String { name }
    }

    /// What kind of problem this is.
    public let code: Code
    /// A sentence naming what was wrong and where.
    public let message: String
    /// What went wrong as values: expected and actual digest and size, when known.
    public let facts: FailureFacts

    /// Creates an error; `facts` carries the digests and sizes a mismatch compared.
    public init(_ code: Code, _ message: String, facts: FailureFacts = FailureFacts()) {
        self.code = code
        self.message = message
        self.facts = facts
    }

    public var description: String { message }
}

extension StreamError: FerryFailure {
    public var codeName: String { "stream." + code.description }
}
