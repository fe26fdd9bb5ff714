import Foundation
import FerryTestSupport
import Testing

/// The built `ferry` against the hostile registry: what a registry controls reaches the terminal
/// escaped, secrets never reach it, and `login` warns before a password may travel unprotected.
@Suite(
    .enabled(if: ExternalTool.find("python3") != nil && SharedFixtures.builtFerry != nil, "python3 or the ferry binary missing (swift build)"),
    .timeLimit(.minutes(2)))
struct HostileRegistryCLITests {
    static var ferry: String? { SharedFixtures.builtFerry }

    /// An environment without the machine's proxies or credential files.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent", "DOCKER_CONFIG": "/nonexistent"]
        environment.merge(extra) { $1 }
        return environment
    }

    /// No raw control character but newline in `text`.
    static func expectNoControlCharacters(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let raw = text.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || (0x7f...0x9f).contains($0.value)) }
        #expect(raw.isEmpty, "\(what) holds raw control characters \(raw.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    }

    @Test func tagNamesAndRegistryMessagesAreEscaped() async throws {
        try await withHostileRegistry("control-chars") { h in
            let ferry = try #require(Self.ferry)
            let creds = "\(h.user):\(h.password)"
            let tags = try await ExternalTool.run(ferry, ["tags", "--creds", creds, "docker://\(h.host)/hostile"], environment: Self.environment())
            #expect(tags.exitCode == 0, "\(tags.stderr)")
            Self.expectNoControlCharacters(tags.stdout, "ferry tags")
            let lines = tags.stdout.split(separator: "\n")
            #expect(lines == ["plain", #"\u001b[31mred\u001b[0m"#, #"a\u000db"#, #"x\u000ay"#, #"\u009b2J"#])

            let inspect = try await ExternalTool.run(ferry, ["inspect", "--creds", creds, "docker://\(h.host)/hostile:gone"], environment: Self.environment())
            #expect(inspect.exitCode != 0)
            Self.expectNoControlCharacters(inspect.stderr, "the error")
            #expect(inspect.stderr.contains(#"\u001b]0;pwned\u0007"#), "\(inspect.stderr)")
            #expect(inspect.stderr.split(separator: "\n").count == 1, "one error line: \(inspect.stderr)")
            for output in [tags.stdout, tags.stderr, inspect.stdout, inspect.stderr] {
                #expect(!output.contains(h.password))
            }
        }
    }

    @Test func deeplyNestedJSONIsNamed() async throws {
        try await withHostileRegistry("deep-json") { h in
            let ferry = try #require(Self.ferry)
            let inspect = try await ExternalTool.run(
                ferry, ["inspect", "--creds", "\(h.user):\(h.password)", "docker://\(h.host)/hostile:deep"], environment: Self.environment())
            #expect(inspect.exitCode == 1)
            #expect(inspect.stderr.contains("nested too deeply"), "\(inspect.stderr)")
        }
    }

    @Test func loginWarnsBeforeSendingAPasswordWithoutVerifiedTLS() async throws {
        try await withHostileRegistry("tags-link-foreign") { h in
            let ferry = try #require(Self.ferry)
            // A non-loopback host, reached through the sink as a proxy (it answers 404: no
            // registry there), so nothing leaves the machine.
            let proxied = Self.environment(["http_proxy": "http://\(h.sinkHost)", "https_proxy": "http://\(h.sinkHost)"])
            let insecure = try await ExternalTool.run(
                ferry, ["login", "--tls-verify=false", "-u", "me", "--password-stdin", "registry.invalid"],
                stdin: Array("hunter2-secret".utf8), environment: proxied)
            #expect(insecure.stderr.contains("warning: --tls-verify=false"), "\(insecure.stderr)")
            #expect(!insecure.stderr.contains("hunter2-secret") && !insecure.stdout.contains("hunter2-secret"))

            // A loopback registry: no warning.
            try await withTemporaryDirectory { dir in
                let loopback = try await ExternalTool.run(
                    ferry, ["login", "--tls-verify=false", "-u", h.user, "--password-stdin", h.host],
                    stdin: Array(h.password.utf8), environment: Self.environment(["DOCKER_CONFIG": dir]))
                #expect(!loopback.stderr.contains("warning"), "\(loopback.stderr)")
                #expect(loopback.exitCode == 0, "\(loopback.stderr)")
            }
        }
    }
}
