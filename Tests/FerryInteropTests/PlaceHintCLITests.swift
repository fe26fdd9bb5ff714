import Foundation
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Errors that use what is on disk: a place written without a transport, or with one that does
/// not read what is there, is examined and the message says what it is and how to write it.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct PlaceHintCLITests {
    /// `dir/layout` (an OCI layout), `dir/oci.tar` (an oci-archive) and `dir/docker.tar` (a
    /// legacy docker-archive), each holding image `v1`.
    private func places(_ dir: String) async throws {
        var builder = TestImageBuilder(seed: 611)
        builder.addImage(tag: "v1", layerCount: 1, layerSize: 1024)
        _ = try await builder.write(to: dir + "/layout")
        for (transport, file) in [("oci-archive", "oci.tar"), ("docker-archive", "docker.tar")] {
            let made = try await FerryCLI.run(["copy", "--quiet", "--no-sync", "oci:\(dir)/layout:v1", "\(transport):\(dir)/\(file):v1"])
            try #require(made.exitCode == 0, "\(made.stderr)")
        }
    }

    @Test(arguments: [
        // No transport at all.
        (["inspect", "{dir}/layout"], "{dir}/layout is an OCI layout (a directory): write oci:{dir}/layout"),
        (["digest", "{dir}/docker.tar"], "{dir}/docker.tar is a docker save archive (a tar): write docker-archive:{dir}/docker.tar"),
        // The wrong transport for what is there.
        (["inspect", "oci:{dir}/oci.tar:v1"], "{dir}/oci.tar is an OCI layout archive (a tar), not what oci: reads: write oci-archive:{dir}/oci.tar:v1"),
        (["digest", "docker-archive:{dir}/layout"], "{dir}/layout is an OCI layout (a directory), not what docker-archive: reads: write oci:{dir}/layout"),
        (
            ["inspect", "docker-archive:{dir}/oci.tar"],
            "{dir}/oci.tar is an OCI layout archive (a tar), not what docker-archive: reads: write oci-archive:{dir}/oci.tar"
        ),
        (
            ["copy", "oci-archive:{dir}/docker.tar", "oci:{dir}/out"],
            "{dir}/docker.tar is a docker save archive (a tar), not what oci-archive: reads: write docker-archive:{dir}/docker.tar"
        ),
        (["tags", "oci:{dir}/docker.tar"], "{dir}/docker.tar is a docker save archive (a tar), not what oci: reads: write docker-archive:{dir}/docker.tar"),
    ])
    func theMessageNamesWhatIsThereAndTheRightSpelling(arguments: [String], message: String) async throws {
        try await withTemporaryDirectory { dir in
            try await places(dir)
            let result = try await FerryCLI.run(arguments.map { $0.replacingOccurrences(of: "{dir}", with: dir) })
            #expect(result.exitCode == 2, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains(message.replacingOccurrences(of: "{dir}", with: dir)), "stderr: \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }

    @Test(arguments: [
        ("oci-achive:x.tar", "did you mean oci-archive:x.tar?"),
        ("docker-arhive:x.tar", "did you mean docker-archive:x.tar?"),
        ("OCI:./x", "did you mean oci:./x?"),
        ("dokcer://localhost:5000/a", "did you mean docker://localhost:5000/a?"),
    ])
    func aMisspeltTransportGetsADidYouMean(place: String, suggestion: String) async throws {
        let result = try await FerryCLI.run(["inspect", place])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains(suggestion), "stderr: \(result.stderr)")
    }
}

/// Usage errors: one style (`ferry: error: …`), the subcommand's own usage, "did you mean" for a
/// misspelt subcommand; exit 2, nothing on standard output.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct UsageErrorCLITests {
    @Test(arguments: [
        (["cpoy", "a", "b"], "ferry: error: unknown command \"cpoy\"; did you mean \"ferry copy\"?", "Usage: ferry <subcommand>"),
        (["inpsect", "oci:x"], "did you mean \"ferry inspect\"?", "Usage: ferry <subcommand>"),
        (["copy", "oci:x"], "ferry: error: Missing expected argument '<destination>'", "Usage: ferry copy [<options>] <source> <destination>"),
        // Found after parsing (in run): still the subcommand's usage, not the top-level one.
        (["tags", "--page-size", "0", "oci:x"], "ferry: error: --page-size must be at least 1", "Usage: ferry tags [<options>] <place>"),
        (["copy", "oci-achive:x", "oci:y"], "ferry: error: unknown transport \"oci-achive\"", "Usage: ferry copy [<options>] <source> <destination>"),
    ])
    func usageErrorsReadAlike(arguments: [String], message: String, usage: String) async throws {
        let result = try await FerryCLI.run(arguments)
        #expect(result.exitCode == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("ferry: error: "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stderr.contains(usage), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Error: "))
    }
}
