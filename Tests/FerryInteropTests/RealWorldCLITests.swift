import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// Issue 13 as a user meets it: the `ferry` command on what other tools really write.
@Suite(.enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"))
struct RealWorldCLITests {
    /// oras-go's copy of a `ctr images export` (a sparse Docker manifest list, 1 of 11 held).
    static var containerdExport: String? { SharedFixtures.interopPath("oci-archive/oras-hello-world-containerd-export.tar") }

    @Test(.enabled(if: containerdExport != nil, "shared/interop fixtures not found"))
    func containerdExportInspectsVerifiesAndCopies() async throws {
        let archive = try #require(Self.containerdExport)
        let inspected = try await FerryCLI.run(["inspect", "oci-archive:\(archive)"])
        #expect(inspected.exitCode == 0, "\(inspected.stderr)")
        #expect(inspected.stdout.contains("Not held:") && inspected.stdout.contains("linux/arm64/v8"))
        let verified = try await FerryCLI.run(["verify", "oci-archive:\(archive)"])
        #expect(verified.exitCode == 0, "\(verified.stdout)")
        #expect(verified.stdout.contains("10 notes"))
        // Read as a docker-archive (its manifest.json), the same ten platforms are noted.
        let asDockerArchive = try await FerryCLI.run(["verify", "docker-archive:\(archive)"])
        #expect(asDockerArchive.exitCode == 0 && asDockerArchive.stdout.contains("10 notes"), "\(asDockerArchive.stdout)")
        let strict = try await FerryCLI.run(["verify", "--strict", "oci-archive:\(archive)"])
        #expect(strict.exitCode == 0, "\(strict.stdout)")
        #expect(strict.stdout.contains("10 warnings"))
        try await withTemporaryDirectory { dir in
            let copied = try await FerryCLI.run(["copy", "-q", "oci-archive:\(archive)", "oci:\(dir)/out"])
            #expect(copied.exitCode == 0, "\(copied.stderr)")
            #expect(copied.stderr.contains("does not hold") && copied.stderr.contains("linux/s390x"))
            // The Docker manifest list is kept verbatim in the OCI layout, and the copy says so.
            #expect(copied.stderr.contains("kept as they are in the OCI layout") && copied.stderr.contains("--format oci"))
            let converted = try await FerryCLI.run(["copy", "-q", "--format", "oci", "oci-archive:\(archive)", "oci:\(dir)/converted"])
            #expect(converted.exitCode == 0, "\(converted.stderr)")
            #expect(!converted.stderr.contains("kept as they are"))
            #expect(try await FerryCLI.run(["verify", "oci:\(dir)/converted"]).exitCode == 0)
            let again = try await FerryCLI.run(["verify", "oci:\(dir)/out"])
            #expect(again.exitCode == 0, "\(again.stdout)")
            let selected = try await FerryCLI.run(["digest", "oci:\(dir)/out:latest"])
            #expect(selected.stdout.hasPrefix("sha256:faa03e786c97"))
        }
    }

    @Test(.enabled(if: SharedFixtures.testImagesDirectory != nil, "TestImages not found"))
    func ferrysOwnSignedSchema1InDirVerifies() async throws {
        let images = try #require(SharedFixtures.testImagesDirectory)
        try await withTemporaryDirectory { dir in
            let copied = try await FerryCLI.run(["copy", "-q", "--format", "v2s1", "oci:\(images)/hello.oci:1.0", "dir:\(dir)/s1"])
            #expect(copied.exitCode == 0, "\(copied.stderr)")
            let verified = try await FerryCLI.run(["verify", "dir:\(dir)/s1"])
            #expect(verified.exitCode == 0, "\(verified.stdout)")
            let digest = try await FerryCLI.run(["digest", "dir:\(dir)/s1"])
            #expect(verified.stdout.contains(digest.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    @Test(.enabled(if: SharedFixtures.testImagesDirectory != nil, "TestImages not found"))
    func aBareTagIntoADockerArchiveSaysTheImageIsUntagged() async throws {
        let images = try #require(SharedFixtures.testImagesDirectory)
        try await withTemporaryDirectory { dir in
            let copied = try await FerryCLI.run(["copy", "-q", "oci:\(images)/hello.oci:1.0", "docker-archive:\(dir)/x.tar"])
            #expect(copied.exitCode == 0, "\(copied.stderr)")
            #expect(copied.stderr.contains("written untagged"), "\(copied.stderr)")
        }
    }
}
