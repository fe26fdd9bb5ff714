/// What every Ferry error is, whichever room raised it (``SpecError``, and in the rooms above:
/// `StreamError`, `RegistryError`, `TransportError`, `EngineError`): a code to branch on, a
/// sentence for the user, the error that caused it, and what went wrong as facts.
///
/// Throw sites keep their own error types, each with the codes of its room; callers that do not
/// care which room failed — the CLI's exit code and error line, `verify`'s problems, `sync`'s
/// report — read any of them through this protocol (and FerryEngine's `FailureKind` decides
/// the exit status from it, in one place).
public protocol FerryFailure: Error, Sendable, CustomStringConvertible {
    /// The room and code, such as `stream.digestMismatch` or `registry.notFound`.
    var codeName: String { get }
    /// A sentence naming what was wrong and where.
    var message: String { get }
    /// The error that caused this one, when there was one.
    var underlying: (any Error)? { get }
    /// What went wrong as values (digests, sizes, offsets), when the thrower knew them.
    var facts: FailureFacts { get }
}

extension FerryFailure {
    public var underlying: (any Error)? { nil }
    public var facts: FailureFacts { FailureFacts() }
}

/// The facts of a failure as fields, so that a caller compares digests and sizes instead of
/// reading them out of a message. Every field is `nil` when the thrower did not know it.
public struct FailureFacts: Sendable, Hashable {
    /// The digest the content should have had.
    public var expectedDigest: Digest?
    /// The digest the content had.
    public var actualDigest: Digest?
    /// The size the content should have had, in bytes.
    public var expectedSize: Int64?
    /// The size the content had (or, when cut short, the bytes that arrived).
    public var actualSize: Int64?
    /// Where in a stream or file the failure happened, in bytes from its start.
    public var offset: Int64?

    /// Facts with the given fields known.
    public init(
        expectedDigest: Digest? = nil, actualDigest: Digest? = nil, expectedSize: Int64? = nil,
        actualSize: Int64? = nil, offset: Int64? = nil
    ) {
        self.expectedDigest = expectedDigest
        self.actualDigest = actualDigest
        self.expectedSize = expectedSize
        self.actualSize = actualSize
        self.offset = offset
    }

    /// Whether no fact is known.
    public var isEmpty: Bool { self == FailureFacts() }
}

extension SpecError: FerryFailure {
    public var codeName: String { "spec." + code.description }
}
