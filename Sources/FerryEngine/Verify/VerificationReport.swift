/// What `verify` found in one source: the images it walked, how much it read, and every problem,
/// in a stable order (layout, documents in walk order, blobs in walk order, configs, inventory).
///
/// Encoded as JSON this is the `ferry verify --json` schema, documented in `docs/verify-report.md`;
/// fields are only ever added, never renamed or removed.
public struct VerificationReport: Sendable, Codable, Equatable {
    /// The overall outcome.
    public enum Status: String, Sendable, Codable {
        /// No errors (warnings allowed).
        case valid
        /// At least one error.
        case invalid
        /// The source could not be opened or read at all.
        case unreadable
    }

    /// How deep the check went.
    public enum Mode: String, Sendable, Codable {
        /// Digests, sizes and documents only.
        case fast
        /// Also decompresses every layer: DiffIDs and tar member checks.
        case full
    }

    /// A top-level entry that was verified.
    public struct Image: Sendable, Codable, Equatable {
        /// How problems name it: its `ref.name`, else `@N`.
        public var name: String
        /// The digest of its manifest or index.
        public var digest: String
        /// The media type its descriptor gives.
        public var mediaType: String
    }

    /// The source as given (`oci:/path`).
    public var source: String
    /// How deep the check went.
    public var mode: Mode
    /// The outcome.
    public var status: Status
    /// The top-level entries verified, in the layout's order.
    public var images: [Image]
    /// Distinct blobs (documents, configs, layers, others) whose bytes were checked.
    public var blobsChecked: Int
    /// Bytes of those blobs (as stored, compressed).
    public var bytesChecked: Int64
    /// How many problems are errors.
    public var errors: Int
    /// How many problems are warnings.
    public var warnings: Int
    /// How many problems are notes (allowed by the specs, worth knowing).
    public var notes: Int
    /// Every problem found.
    public var problems: [VerificationProblem]

    /// Builds a report, deriving counts and status from `problems`.
    public init(source: String, mode: Mode, images: [Image], blobsChecked: Int, bytesChecked: Int64, problems: [VerificationProblem], unreadable: Bool = false)
    {
        self.source = source
        self.mode = mode
        self.images = images
        self.blobsChecked = blobsChecked
        self.bytesChecked = bytesChecked
        self.problems = problems
        errors = problems.filter { $0.severity == .error }.count
        notes = problems.filter { $0.severity == .note }.count
        warnings = problems.count - errors - notes
        status = unreadable ? .unreadable : (errors == 0 ? .valid : .invalid)
    }

    /// The same report with every warning made an error and every note a warning (`--strict`).
    public func treatingWarningsAsErrors() -> VerificationReport {
        let strict = problems.map { problem -> VerificationProblem in
            var p = problem
            p.severity = problem.severity == .note ? .warning : .error
            return p
        }
        return VerificationReport(
            source: source, mode: mode, images: images, blobsChecked: blobsChecked,
            bytesChecked: bytesChecked, problems: strict, unreadable: status == .unreadable)
    }
}
