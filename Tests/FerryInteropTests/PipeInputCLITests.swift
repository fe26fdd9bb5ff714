import Foundation
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// `docker save app | ferry copy docker-archive:- …`: standard input is a pipe, which can be read
/// only once, so this passes only if the copy reads the archive in one pass.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: SharedFixtures.testImagesDirectory != nil, "no TestImages"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct PipeInputCLITests {
    private var hello: String { SharedFixtures.testImagesDirectory! + "/hello.docker.tar" }

    /// Runs `ferry ARGS` with `command`'s output piped to its standard input.
    private func piped(_ command: String, _ arguments: [String]) async throws -> ProcessResult {
        let ferry = try #require(FerryCLI.path)
        return try await ExternalTool.run("sh", ["-c", "\(command) | \"$0\" \"$@\"", ferry] + arguments)
    }

    @Test(arguments: ["cat", "gzip -c"])
    func aPipedArchiveCopiesLikeTheFile(feeder: String) async throws {
        try await withTemporaryDirectory { dir in
            let result = try await piped("\(feeder) \"\(hello)\"", ["copy", "--quiet", "docker-archive:-", "oci:\(dir)/piped:hello"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let reference = try await FerryCLI.run(["copy", "--quiet", "docker-archive:\(hello)", "oci:\(dir)/file:hello"])
            #expect(reference.exitCode == 0, "\(reference.stderr)")
            let piped = try await OCILayoutSource(path: dir + "/piped").entry(matching: .name("hello"))
            let file = try await OCILayoutSource(path: dir + "/file").entry(matching: .name("hello"))
            #expect(piped.descriptor == file.descriptor)
            let verified = try await FerryCLI.run(["verify", "oci:\(dir)/piped"])
            #expect(verified.exitCode == 0, "\(verified.stdout)")
        }
    }

    @Test func verifyingAPipeSaysWhyItCannot() async throws {
        let result = try await piped("cat \"\(hello)\"", ["verify", "docker-archive:-"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("docker-archive:- is a pipe, which verify would need to read twice"))
    }
}
