import FerrySpec

/// One thing `verify` found wrong, with where it is.
public struct VerificationProblem: Sendable, Codable, Equatable {
    /// Whether the problem makes the image invalid.
    public enum Severity: String, Sendable, Codable {
        /// The image is invalid.
        case error
        /// Suspicious or unusual, but valid (an error under `--strict`).
        case warning
        /// Worth knowing, not wrong: something the specs allow, such as an index entry the
        /// source does not hold (a warning under `--strict`).
        case note
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

    /// Error, warning or note.
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

    mutating func note(_ code: VerificationCode, _ message: String, at location: VerificationProblem.Location) {
        all.append(VerificationProblem(.note, code, message, at: location))
    }

    mutating func append(contentsOf other: ProblemList) { all += other.all }

    mutating func append(_ problem: VerificationProblem) { all.append(problem) }

    var hasErrors: Bool { all.contains { $0.severity == .error } }
}

extension ProblemList {
    /// An index entry the source does not hold: a note (a sparse index), worded alike for every transport.
    mutating func indexChildAbsent(_ descriptor: Descriptor, at location: VerificationProblem.Location) {
        let what = descriptor.platform.map { "the \($0) manifest" } ?? "this \(descriptor.mediaType)"
        note(
            .indexChildAbsent,
            "the index names \(what), which the source does not hold (a sparse index, as containerd exports write); what it holds is checked", at: location)
    }

    /// A digest whose algorithm Ferry cannot compute, so `what` is not checked: an error when the
    /// image-spec does not register the algorithm (`sha1`), a warning when it does (`blake3`).
    mutating func uncomputable(_ digest: Digest, what: String, at location: VerificationProblem.Location) {
        if digest.isRegistered {
            warning(.digestUnverifiable, "digest algorithm \"\(digest.algorithm)\" cannot be computed; the \(what) is not checked", at: location)
        } else {
            error(
                .digestAlgorithmUnregistered,
                "digest algorithm \"\(digest.algorithm)\" is not registered by the image-spec (only sha256, sha512 and blake3 are); the \(what) cannot be checked",
                at: location)
        }
    }
}
