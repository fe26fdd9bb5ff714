import Foundation
import FerryTestSupport
import Testing

/// Shell completion: the generated scripts complete option values and places.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct CompletionCLITests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func scriptsCompleteOptionValues(shell: String) async throws {
        let result = try await FerryCLI.run(["--generate-completion-script", shell])
        #expect(result.exitCode == 0, "\(result.stderr)")
        for value in ["v2s2", "zstd:fast", "docker25", "linux/arm64", "plain"] {
            #expect(result.stdout.contains(value), "\(shell) script does not complete \(value)")
        }
    }

    @Test func placesCompleteTransportsThenPaths() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/layout-a", withIntermediateDirectories: true)
            let ferry = try #require(FerryCLI.path)
            // What the bash script runs: ---completion SUBCOMMAND -- ARG CWORD CURSOR WORDS...
            let transports = try await ExternalTool.run(
                ferry, ["---completion", "copy", "--", "positional@0", "2", "4", "ferry", "copy", "dock"], currentDirectory: dir)
            #expect(transports.stdout.split(separator: "\n") == ["docker-archive:", "docker://"], "\(transports.stderr)")
            let paths = try await ExternalTool.run(
                ferry, ["---completion", "copy", "--", "positional@1", "3", "6", "ferry", "copy", "x", "oci:la"], currentDirectory: dir)
            #expect(paths.stdout.split(separator: "\n") == ["oci:layout-a"], "\(paths.stderr)")
        }
    }
}
