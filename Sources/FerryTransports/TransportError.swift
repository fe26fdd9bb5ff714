import FerrySpec

/// An error in naming or opening a place images live: a malformed transport string, an image
/// that is not there, a layout that is not a layout.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The transport string or option is malformed.
        public static let invalidArgument = Code("invalidArgument")
        /// The image or blob is not there (the place itself could be read).
        public static let notFound = Code("notFound")
        /// The place itself cannot be opened or read: no such file or directory.
        public static let unreadable = Code("unreadable")
        /// Several images match where one was wanted.
        public static let ambiguous = Code("ambiguous")
        /// The input is not what it claims to be (not a layout, an unsafe entry).
        public static let invalidInput = Code("invalidInput")
        /// The destination cannot take what it was given.
        public static let unsupported = Code("unsupported")
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

extension TransportError: FerryFailure {
    public var codeName: String { "transport." + code.description }
}
