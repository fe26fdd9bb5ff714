import FerrySpec

/// An error talking to a registry: an HTTP status with the registry's own error code and message,
/// a broken connection, a TLS failure, a document that does not match its digest.
///
/// `message` names the method and URL and, when the registry sent one, its error code and message
/// (distribution's `{"errors":[{"code","message"}]}` body, formats.md §8.5), so a user can act.
public struct RegistryError: Error, Sendable, CustomStringConvertible, RetryClassifiable {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The registry answered with an unexpected HTTP status.
        public static let httpStatus = Code("httpStatus")
        /// The thing asked for does not exist (404: manifest, blob, repository, upload).
        public static let notFound = Code("notFound")
        /// Credentials are missing or wrong (401), or the registry refused the action (403).
        public static let unauthorized = Code("unauthorized")
        /// The connection failed or broke (refused, reset, timed out, TLS failure).
        public static let connection = Code("connection")
        /// A manifest whose bytes do not match its digest, or a body that breaks a size limit.
        public static let invalidResponse = Code("invalidResponse")
        /// A reference, URL or argument that cannot be used.
        public static let invalidArgument = Code("invalidArgument")
        /// A credentials file or helper that could not be read.
        public static let credentials = Code("credentials")
        public var description: String { name }
    }

    /// One entry of a registry's JSON error body.
    public struct Detail: Sendable, Hashable {
        /// The registry's code, such as `MANIFEST_UNKNOWN` or `DENIED`.
        public var code: String
        /// The registry's message.
        public var message: String
    }

    /// What kind of problem this is.
    public let code: Code
    /// A sentence naming what was wrong and where.
    public let message: String
    /// The request method, when the error came from a request.
    public let method: String?
    /// The request URL, when the error came from a request.
    public let url: String?
    /// The HTTP status, when the registry answered.
    public let status: Int?
    /// The registry's decoded error entries (empty when the body held none).
    public let details: [Detail]
    /// The wait the registry asked for with `Retry-After`, when it did.
    public let retryAfter: Duration?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, method: String? = nil, url: String? = nil, status: Int? = nil, details: [Detail] = [], retryAfter: Duration? = nil
    ) {
        self.code = code
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.details = details
        self.retryAfter = retryAfter
    }

    /// Whether another try may succeed (``RetryRule``): a broken connection, or an answer whose
    /// status the rule calls transient.
    public var isTransient: Bool {
        if code == .connection { return true }
        return status.map(RetryRule.isTransient(status:)) ?? false
    }

    /// Whether the registry said this is the named code (such as `BLOB_UNKNOWN`).
    public func has(_ registryCode: String) -> Bool {
        details.contains { $0.code == registryCode }
    }

    public var description: String { message }
}

extension RegistryError: FerryFailure {
    public var codeName: String { "registry." + code.description }
}
