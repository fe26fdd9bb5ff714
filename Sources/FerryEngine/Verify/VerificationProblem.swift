/// One thing `verify` found wrong, with where it is.
public struct VerificationProblem: Sendable, Codable, Equatable {
    /// Whether the problem makes the image invalid.
    public enum Severity: String, Sendable, Codable {
        /// The image is invalid.
        case error
        /// Suspicious or unusual, but valid (an error under `--strict`).
        case warning
    }

    /// Where a problem is. Every field is optional; JSON leaves out the absent ones.
    public struct Location: Sendable, Codable, Equatable {
        /// The top-level entry (its `ref.name`, else `@N`) the problem was found under.
        public var image: String?
        /// The digest of the blob or document (as written in the descriptor, even if invalid).
        public var blob: String?
        /// A file of the layout (`index.json`, `oci-layout`, `blobs/sha256/…`).
        public var file: String?
        /// A member of a layer's tar.
        public var member: String?

        /// Creates a location.
        public init(image: String? = nil, blob: String? = nil, file: String? = nil, member: String? = nil) {
            self.image = image
            self.blob = blob
            self.file = file
            self.member = member
        }
    }

    /// Error or warning.
    public var severity: Severity
    /// A stable identifier such as `blob-digest-mismatch` (see ``VerificationCode``).
    public var code: VerificationCode
    /// A sentence saying what is wrong.
    public var message: String
    /// Where.
    public var location: Location

    /// Creates a problem.
    public init(_ severity: Severity, _ code: VerificationCode, _ message: String, at location: Location) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
    }
}

/// Problems gathered in order as a check runs; checks never stop at the first.
struct ProblemList: Sendable {
    private(set) var all: [VerificationProblem] = []

    mutating func error(_ code: VerificationCode, _ message: String, at location: VerificationProblem.Location) {
        all.append(VerificationProblem(.error, code, message, at: location))
    }

    mutating func warning(_ code: VerificationCode, _ message: String, at location: VerificationProblem.Location) {
        all.append(VerificationProblem(.warning, code, message, at: location))
    }

    mutating func append(contentsOf other: ProblemList) { all += other.all }

    var hasErrors: Bool { all.contains { $0.severity == .error } }
}
