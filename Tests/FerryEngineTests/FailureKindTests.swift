import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Testing

/// The one rule from an error to the exit status and the sentence a user reads
/// (``FailureKind``), over every room's error type.
@Suite struct FailureKindTests {
    /// One row: an error, which side a registry error came from, and the exit status expected.
    struct Row: Sendable, CustomTestStringConvertible {
        var error: any Error & Sendable
        var side: FailureKind.RegistrySide
        var kind: FailureKind
        var testDescription: String { "\(error) (\(side)) → \(kind)" }
    }

    static let rows: [Row] = [
        Row(error: TransportError(.invalidArgument, "t"), side: .source, kind: .usage),
        Row(error: TransportError(.unreadable, "t"), side: .source, kind: .sourceUnreadable),
        Row(error: TransportError(.notFound, "t"), side: .source, kind: .invalidInput),
        Row(error: TransportError(.invalidInput, "t"), side: .source, kind: .invalidInput),
        Row(error: StreamError(.writeFailed, "s"), side: .source, kind: .destinationUnwritable),
        Row(error: StreamError(.io, "s"), side: .source, kind: .sourceUnreadable),
        Row(error: StreamError(.notFound, "s"), side: .source, kind: .sourceUnreadable),
        Row(error: StreamError(.digestMismatch, "s"), side: .source, kind: .invalidInput),
        Row(error: StreamError(.corruptData, "s"), side: .source, kind: .invalidInput),
        Row(error: SpecError(.invalidDocument, "p"), side: .source, kind: .invalidInput),
        Row(error: EngineError(.unsupported, "e"), side: .source, kind: .invalidInput),
        Row(error: RegistryError(.invalidArgument, "r"), side: .source, kind: .usage),
        Row(error: RegistryError(.notFound, "r", status: 404), side: .source, kind: .invalidInput),
        Row(error: RegistryError(.notFound, "r", status: 404), side: .destination, kind: .destinationUnwritable),
        Row(error: RegistryError(.invalidResponse, "r"), side: .source, kind: .invalidInput),
        Row(error: RegistryError(.connection, "r"), side: .source, kind: .sourceUnreadable),
        Row(error: RegistryError(.connection, "r"), side: .destination, kind: .destinationUnwritable),
        Row(error: RegistryError(.unauthorized, "r", status: 401), side: .source, kind: .sourceUnreadable),
        Row(error: RegistryError(.unauthorized, "r", status: 403), side: .destination, kind: .destinationUnwritable),
        Row(error: RegistryError(.httpStatus, "r", status: 500), side: .source, kind: .sourceUnreadable),
        Row(error: CancellationError(), side: .source, kind: .invalidInput),
    ]

    @Test(arguments: rows)
    func exitStatusOfEveryError(row: Row) {
        #expect(FailureKind(row.error, registrySide: row.side) == row.kind)
    }

    @Test(arguments: [
        (FailureKind.invalidInput, Int32(1)), (.usage, 2), (.sourceUnreadable, 3), (.destinationUnwritable, 4),
    ])
    func exitStatusOfEveryKind(kind: FailureKind, status: Int32) {
        #expect(kind.exitStatus == status)
    }

    /// Every room's error reads as its own message, through the one protocol.
    @Test(arguments: [
        (TransportError(.notFound, "no such image") as any Error & Sendable, "transport.notFound"),
        (StreamError(.io, "cannot read x"), "stream.io"),
        (SpecError(.invalidDigest, "bad digest"), "spec.invalidDigest"),
        (EngineError(.incomplete, "half done"), "engine.incomplete"),
        (RegistryError(.notFound, "GET /v2/x: 404", status: 404), "registry.notFound"),
    ])
    func messageAndCodeOfEveryRoom(error: any Error & Sendable, codeName: String) throws {
        let failure = try #require(error as? any FerryFailure)
        #expect(failure.codeName == codeName)
        #expect(FailureKind.message(for: error) == failure.message)
        #expect(failure.description == failure.message)
    }

    @Test func cancellationReadsAsCancelled() {
        #expect(FailureKind.message(for: CancellationError()) == "cancelled")
    }

    /// A digest mismatch carries both digests and sizes as fields, not only in its message.
    @Test func digestMismatchCarriesItsFacts() async throws {
        let bytes: [UInt8] = Array("hello".utf8)
        let wrong = try Digest(parsing: "sha256:" + String(repeating: "0", count: 64))
        let descriptor = Descriptor(mediaType: .ociLayer, digest: wrong, size: Int64(bytes.count))
        let stream = try VerifyingStream(MemoryByteStream(bytes), expected: descriptor, context: "test blob")
        let error = await #expect(throws: StreamError.self) {
            while try await stream.next() != nil {}
        }
        #expect(error?.code == .digestMismatch)
        #expect(error?.facts.expectedDigest == wrong)
        #expect(error?.facts.actualDigest == (try DigestHasher.digest(bytes)))
        #expect(error?.facts.expectedSize == 5 && error?.facts.actualSize == 5)
    }
}
