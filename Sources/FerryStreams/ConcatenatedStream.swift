/// One stream, then another: `first` to its end, then the stream `openRest` opens — called only
/// once `first` is exhausted, so the second source (a network request) is not started early.
public final class ConcatenatedStream: ByteStream {
    private var first: (any ByteStream)?
    private var rest: (any ByteStream)?
    private var openRest: (@Sendable () async throws -> any ByteStream)?

    public init(_ first: any ByteStream, then openRest: @escaping @Sendable () async throws -> any ByteStream) {
        self.first = first
        self.openRest = openRest
    }

    public func next() async throws -> [UInt8]? {
        if let stream = first {
            if let chunk = try await stream.next() { return chunk }
            first = nil
        }
        if let open = openRest {
            openRest = nil
            rest = try await open()
        }
        return try await rest?.next()
    }
}
