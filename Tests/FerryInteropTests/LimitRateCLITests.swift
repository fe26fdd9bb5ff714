import Foundation
import FerryTestSupport
import Testing

/// `--limit-rate` is wired through: 3 MB read at 1 MiB/s cannot take less than the bytes beyond
/// the one-second burst allow (a lower bound only: a loaded machine makes it slower, never faster).
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct LimitRateCLITests {
    @Test(arguments: ["copy", "sync"])
    func readsNoFasterThanTheRate(_ command: String) async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 1701)
            builder.addImage(tag: "big", layerCount: 2, layerSize: 1_500_000, compressed: false)
            _ = try await builder.write(to: dir + "/src")
            let arguments =
                command == "copy"
                ? ["copy", "-q", "--no-sync", "--limit-rate", "1MiB", "oci:\(dir)/src:big", "oci:\(dir)/out:big"]
                : ["sync", "-q", "--no-sync", "--limit-rate", "1MiB", "oci:\(dir)/src", "oci:\(dir)/out"]
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await FerryCLI.run(arguments)
            let elapsed = clock.now - start
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(elapsed >= .milliseconds(1500), "3 MB at 1 MiB/s took \(elapsed)")
            let invalid = try await FerryCLI.run([command, "--limit-rate", "10", "oci:\(dir)/src", "oci:\(dir)/x"])
            #expect(invalid.exitCode == 2 && invalid.stderr.contains("--limit-rate"), "\(invalid.stderr)")
        }
    }
}
