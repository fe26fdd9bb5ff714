import Foundation
import FerryTestSupport
import Testing

/// Help text fits an 80-column terminal: every line of every help screen.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct HelpCLITests {
    @Test(arguments: [[], ["copy"], ["inspect"], ["digest"], ["verify"], ["tags"], ["catalog"], ["referrers"], ["delete"], ["login"], ["logout"], ["sync"]])
    func helpFitsEightyColumns(command: [String]) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "80"
        let result = try await ExternalTool.run(try #require(FerryCLI.path), command + ["--help"], environment: environment)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let long = result.stdout.split(separator: "\n").filter { $0.count > 80 }
        #expect(long.isEmpty, "lines over 80 columns in ferry \(command.joined()) --help:\n\(long.joined(separator: "\n"))")
    }
}
