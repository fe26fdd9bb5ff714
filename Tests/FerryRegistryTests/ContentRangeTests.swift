@testable import FerryRegistry
import Testing

/// How a resumed blob download reads a 206 answer's `Content-Range` and decides whether it
/// continues the blob where the broken body stopped.
struct ContentRangeTests {
    @Test(
        arguments: [
            ("bytes 100-199/200", ContentRange?.some(.init(first: 100, last: 199, completeLength: 200))),
            ("bytes 0-0/1", .init(first: 0, last: 0, completeLength: 1)),
            ("bytes 5-9/*", .init(first: 5, last: 9, completeLength: nil)),
            ("  bytes   7-8/9 ", .init(first: 7, last: 8, completeLength: 9)),
            ("BYTES 1-2/3", .init(first: 1, last: 2, completeLength: 3)),
            ("bytes */200", nil),
            ("bytes=100-199/200", nil),
            ("bytes 100-/200", nil),
            ("bytes -5/200", nil),
            ("bytes 200-100/300", nil),
            ("bytes 100-200/200", nil),
            ("bytes +1-2/3", nil),
            ("bytes 1-2/-3", nil),
            ("bytes 1-99999999999999999999/*", nil),
            ("items 1-2/3", nil),
            ("bytes 1-2", nil),
            ("", nil),
        ] as [(String, ContentRange?)])
    func parses(_ header: String, _ expected: ContentRange?) {
        #expect(ContentRange(header) == expected, "\(header)")
    }

    /// Rows: header, the byte asked for, the blob's length when known, whether it is accepted.
    @Test(
        arguments: [
            ("bytes 800-999/1000", 800, 1000, true),
            ("bytes 800-999/*", 800, 1000, true),
            ("bytes 800-999/1000", 800, nil, true),
            ("bytes 0-999/1000", 800, 1000, false),
            ("bytes 801-999/1000", 800, 1000, false),
            ("bytes 800-1999/2000", 800, 1000, false),
            ("nonsense", 800, 1000, false),
            (nil, 800, 1000, false),
        ] as [(String?, Int64, Int64?, Bool)])
    func resumedAnswerContinuesTheBlob(_ header: String?, _ asked: Int64, _ total: Int64?, _ accepted: Bool) {
        let problem = ResumingBlobStream.mismatch(header.flatMap(ContentRange.init), header: header, asked: asked, total: total)
        #expect((problem == nil) == accepted, "\(String(describing: header)): \(problem ?? "accepted")")
    }
}
