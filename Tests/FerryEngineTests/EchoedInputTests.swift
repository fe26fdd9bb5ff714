import Foundation
import FerryEngine
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Input echoed in a message is quoted, escaped and cut to a sane length (issue 12, item 10).
@Suite struct EchoedInputTests {
    private static let long = String(repeating: "x", count: 5000)

    @Test(arguments: ["bogus\(long):y", "oci:/tmp/x:@\(long)", "oci:/tmp/x:-\(long)", "docker://\(long.uppercased())/a", "nope\u{1b}[31m"])
    func transportStringErrorsStayShort(_ input: String) {
        do {
            _ = try TransportReference(parsing: input)
            Issue.record("parsed \(input.prefix(40))")
        } catch {
            #expect(error.message.count < 600, "\(error.message.count) characters")
            #expect(!error.message.contains("\u{1b}"))
        }
    }

    @Test func aMissingImageNameIsCut() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 1298)
            builder.addImage(tag: "v1", layerCount: 0)
            _ = try await builder.write(to: dir + "/src")
            do {
                _ = try await OCILayoutSource(path: dir + "/src").entry(matching: .name(Self.long))
                Issue.record("found an image named \(Self.long.prefix(10))…")
            } catch let error as TransportError {
                #expect(error.message.count < 400 + dir.count, "\(error.message.count) characters")
                #expect(error.message.contains("…"))
            }
        }
    }

    @Test func echoQuotesEscapesAndCuts() {
        #expect(Echo.quoted("a\u{7}b") == "\"a\\u{7}b\"")
        #expect(Echo.quoted(Self.long, limit: 10) == "\"xxxxxxxxxx…\"")
    }
}
