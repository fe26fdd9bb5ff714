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

    /// The text above USAGE is written so that the 80-column wrapping only fills paragraphs: a
    /// line longer than 80 columns (unwrapped, on a wide terminal) is a paragraph of its own. A
    /// long line broken by hand — an example, a table row, a sentence cut mid-way — would wrap
    /// into a stray fragment at the start of the next line.
    @Test(arguments: [
        [], ["copy"], ["inspect"], ["digest"], ["verify"], ["tags"], ["catalog"], ["referrers"], ["delete"], ["login"], ["logout"], ["sync"], ["inventory"],
    ])
    func wrappingLeavesNoStrayFragments(command: [String]) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "1000"
        let result = try await ExternalTool.run(try #require(FerryCLI.path), command + ["--help"], environment: environment)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.hasPrefix("USAGE:") }.map(String.init)
        let broken = zip(lines, lines.dropFirst()).filter { $0.0.count > 80 && !$0.1.isEmpty }.map(\.0)
        #expect(broken.isEmpty, "long lines continued on the next line in ferry \(command.joined()) --help:\n\(broken.joined(separator: "\n"))")
    }
}
