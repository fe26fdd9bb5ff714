import Foundation
import FerryTestSupport
import Testing

/// What Scripts/install puts in a prefix (Scripts/test runs it into its own directory and sets
/// FERRY_INSTALL_PREFIX): a working binary, a man page generated from the command definitions
/// that documents every subcommand, and completions for bash, zsh and fish.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FERRY_INSTALL_PREFIX"] != nil, "FERRY_INSTALL_PREFIX not set (run Scripts/test)"))
struct InstallCLITests {
    let prefix = ProcessInfo.processInfo.environment["FERRY_INSTALL_PREFIX"] ?? ""

    /// The subcommands as the installed binary lists them in its help.
    private func subcommands() async throws -> [String] {
        let help = try await ExternalTool.run(prefix + "/bin/ferry", ["--help"])
        try #require(help.succeeded, "\(help.stderr)")
        let section = try #require(help.stdout.components(separatedBy: "SUBCOMMANDS:").last)
        return section.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let first = words.first, first.allSatisfy({ $0.isLowercase }) else { return nil }
            return String(first)
        }
    }

    @Test func theManPageDocumentsEverySubcommand() async throws {
        let names = try await subcommands()
        #expect(names.count >= 11, "\(names)")
        let page = try String(contentsOfFile: prefix + "/share/man/man1/ferry.1", encoding: .utf8)
        #expect(page.contains(".Dt FERRY 1"))
        for name in names {
            #expect(page.contains(".It Em \(name)\n"), "the man page has no section for \(name)")
        }
        // Options of a subcommand are there too, with their help.
        #expect(page.contains("authfile"))
        #expect(page.contains("digestfile"))
        if ExternalTool.find("man") != nil {
            let rendered = try await ExternalTool.run(
                "man", ["-l", prefix + "/share/man/man1/ferry.1"],
                environment: ["MANWIDTH": "80", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "MANPAGER": "cat", "PAGER": "cat"])
            #expect(rendered.succeeded, "\(rendered.stderr)")
            #expect(rendered.stdout.contains("FERRY(1)"))
        }
    }

    @Test func theBinaryAndCompletionsAreInstalled() async throws {
        let version = try await ExternalTool.run(prefix + "/bin/ferry", ["--version"])
        #expect(version.succeeded && !version.stdout.isEmpty)
        for file in ["share/bash-completion/completions/ferry", "share/zsh/site-functions/_ferry", "share/fish/vendor_completions.d/ferry.fish"] {
            let text = try String(contentsOfFile: prefix + "/" + file, encoding: .utf8)
            #expect(text.contains("copy") && text.contains("inspect"), "\(file)")
        }
    }
}
