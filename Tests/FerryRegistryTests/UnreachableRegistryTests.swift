import FerryRegistry
import FerrySpec
import FerryTestSupport
import Testing

/// A registry nothing answers for: one sentence that names host:port and what happened, never
/// SwiftNIO's own wording (issue 12, item 10).
struct UnreachableRegistryTests {
    @Test func refusedConnectionIsOneSentence() async throws {
        let port = try closedLoopbackPort()
        let options = RegistryOptions(useCredentialFiles: false, retry: RetryPolicy(maximumAttempts: 1))
        let error = await #expect(throws: RegistryError.self) {
            try await withRegistryClient("127.0.0.1:\(port)", options: options) { client in try await client.ping() }
        }
        #expect(error?.code == .connection)
        #expect(error?.message == "cannot reach registry 127.0.0.1:\(port): connection refused (nothing listens on that port), over http and https")
    }

    @Test(.enabled(if: SharedFixtures.ferryBinary != nil, "FERRY_BIN not set (run Scripts/test)"))
    func refusedConnectionInTheCLI() async throws {
        let ferry = try #require(SharedFixtures.ferryBinary)
        let port = try closedLoopbackPort()
        try await withTemporaryDirectory { dir in
            for args in [["copy", "-q", "docker://127.0.0.1:\(port)/x:1", "oci:\(dir)/out:x"], ["verify", "docker://127.0.0.1:\(port)/x:1"]] {
                let result = try await ExternalTool.run(ferry, args)
                #expect(result.exitCode == 3, "unreachable source: \(args[0])")
                // copy says it on stderr, verify in its report on stdout: once either way.
                let output = result.stdout + result.stderr
                let lines = output.split(separator: "\n").filter { $0.contains("cannot reach registry") }
                #expect(lines.count == 1, "\(args[0]): \(output)")
                let line = try #require(lines.first, "\(output)")
                #expect(
                    line.hasSuffix("cannot reach registry 127.0.0.1:\(port): connection refused (nothing listens on that port), over http and https"),
                    "\(args[0]): \(line)")
                for internals in ["errno", "error set", "NIO", "IOError"] {
                    #expect(!output.contains(internals), "\(args[0]): \(output)")
                }
                #expect(output.filter { $0 == "(" }.count == output.filter { $0 == ")" }.count, "\(output)")
            }
        }
    }
}
