import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// Round trips through the real tools, each started the way the issue reproduced it: containerd
/// with a scratch root, state and socket; podman with `--storage-driver vfs` and a scratch
/// `--root`; umoci rootless. Each test skips, with the reason, where its tool cannot run here.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: SharedFixtures.testImagesDirectory != nil, "TestImages not found"))
struct RealToolRoundTripTests {
    let images = SharedFixtures.testImagesDirectory ?? ""

    @discardableResult
    private func ferry(_ arguments: [String]) async throws -> ProcessResult {
        let result = try await FerryCLI.run(arguments)
        #expect(result.exitCode == 0, "ferry \(arguments.joined(separator: " ")): \(result.stderr)\(result.stdout)")
        return result
    }

    @Test(.enabled(if: ScratchContainerd.unavailableReason == nil, "\(ScratchContainerd.unavailableReason ?? "")"))
    func containerdExportOfOnePlatformIsASparseIndexFerryCopies() async throws {
        try await withTemporaryDirectory { dir in
            try await withScratchContainerd(in: dir) { containerd in
                let name = "docker.io/ferry/hello:multi"
                try await ferry(["copy", "-q", "oci:\(images)/hello.oci:multi", "oci-archive:\(dir)/multi.tar:\(name)"])
                try await containerd.ctr(["images", "import", "--all-platforms", "--no-unpack", dir + "/multi.tar"])
                #expect(try await containerd.ctr(["images", "ls", "-q"]).stdout.contains(name))
                try await containerd.ctr(["images", "export", "--platform", "linux/amd64", dir + "/export.tar", name])

                // ctr's export: the whole index, one platform's blobs.
                let verified = try await ferry(["verify", "oci-archive:\(dir)/export.tar"])
                #expect(verified.stdout.contains("index-child-absent") && verified.stdout.contains("linux/arm64"))
                #expect(try await FerryCLI.run(["verify", "--strict", "oci-archive:\(dir)/export.tar"]).exitCode == 0)
                let copied = try await ferry(["copy", "oci-archive:\(dir)/export.tar", "oci:\(dir)/layout"])
                #expect(copied.stderr.contains("does not hold") && copied.stderr.contains("linux/arm64"))
                let source = try await ferry(["digest", "oci:\(images)/hello.oci:multi"]).stdout
                #expect(try await ferry(["digest", "oci:\(dir)/layout:multi"]).stdout == source)
                let index = try String(contentsOfFile: dir + "/layout/index.json", encoding: .utf8)
                #expect(index.contains(#""io.containerd.image.name":"\#(name)""#), "\(index)")
                try await ferry(["verify", "oci:\(dir)/layout"])

                // Back into containerd through a docker-archive: the full name survives.
                try await ferry(["copy", "-q", "--platform", "linux/amd64", "oci:\(dir)/layout:multi", "docker-archive:\(dir)/amd64.tar"])
                try await containerd.ctr(["images", "rm", name])
                try await containerd.ctr(["images", "import", "--no-unpack", dir + "/amd64.tar"])
                #expect(try await containerd.ctr(["images", "ls", "-q"]).stdout.contains(name))
            }
        }
    }

    @Test(.enabled(if: ScratchPodman.unavailableReason == nil, "\(ScratchPodman.unavailableReason ?? "")"))
    func podmanLoadsFerrysArchivesAndFerryReadsPodmansSaves() async throws {
        try await withTemporaryDirectory { dir in
            let podman = try ScratchPodman(in: dir)
            defer { podman.remove() }
            try await ferry(["copy", "-q", "oci:\(images)/hello.oci:1.0", "docker-archive:\(dir)/ferry.tar:ferry/hello:1.0"])
            try await podman.run(["load", "-i", dir + "/ferry.tar"])
            try await ferry(["copy", "-q", "oci:\(images)/hello.oci:1.0", "oci-archive:\(dir)/ferry-oci.tar:1.0"])
            try await podman.run(["load", "-i", dir + "/ferry-oci.tar"])
            #expect(try await podman.run(["images", "--format", "{{.Repository}}:{{.Tag}}"]).stdout.contains("ferry/hello:1.0"))
            for format in ["docker-archive", "oci-archive"] {
                try await podman.run(["save", "--format", format, "-o", "\(dir)/podman-\(format).tar", "ferry/hello:1.0"])
                try await ferry(["verify", "\(format):\(dir)/podman-\(format).tar"])
                try await ferry(["copy", "-q", "\(format):\(dir)/podman-\(format).tar", "oci:\(dir)/from-\(format):1.0"])
                try await ferry(["verify", "oci:\(dir)/from-\(format)"])
            }
        }
    }

    /// README: a Docker schema 2 manifest kept verbatim in an OCI layout is refused by skopeo 1.9
    /// and umoci 0.4.7; `--format oci` makes it readable to both.
    @Test(.enabled(if: ExternalTool.skopeoAvailable && ExternalTool.find("umoci") != nil, "skopeo or umoci not installed (Scripts/setup)"))
    func dockerManifestsKeptInALayoutAreRefusedBySkopeoAndUmociUntilConverted() async throws {
        try await withTemporaryDirectory { dir in
            try await ferry(["copy", "-q", "--format", "v2s2", "oci:\(images)/hello.oci:1.0", "oci:\(dir)/docker:1.0"])
            let kept = try await ferry(["copy", "oci:\(dir)/docker:1.0", "oci:\(dir)/kept:1.0"])
            #expect(kept.stderr.contains("--format oci"), "\(kept.stderr)")
            #expect(try await ExternalTool.run("skopeo", ["inspect", "--raw", "oci:\(dir)/kept:1.0"]).succeeded == false)
            #expect(try await ExternalTool.run("umoci", ["unpack", "--rootless", "--image", "\(dir)/kept:1.0", dir + "/b1"]).succeeded == false)
            try await ferry(["copy", "-q", "--format", "oci", "oci:\(dir)/docker:1.0", "oci:\(dir)/converted:1.0"])
            try await ExternalTool.runChecked("skopeo", ["inspect", "--raw", "oci:\(dir)/converted:1.0"])
            try await ExternalTool.runChecked("umoci", ["unpack", "--rootless", "--image", "\(dir)/converted:1.0", dir + "/b2"])
        }
    }

    /// `undocker` (PyPI) reads only `repositories` and the legacy `<id>/json` parent chain.
    @Test(.enabled(if: ExternalTool.find("undocker") != nil, "undocker not installed (pip install undocker)"))
    func undockerExtractsFerrysLegacyArchive() async throws {
        try await withTemporaryDirectory { dir in
            try await ferry(["copy", "-q", "oci:\(images)/hello.oci:1.0", "docker-archive:\(dir)/hello.tar:ferry/hello:1.0"])
            let archive = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/hello.tar")))
            let layers = try await ExternalTool.runChecked("undocker", ["--layers"], stdin: archive).stdout
            #expect(layers.split(separator: "\n").count == 2, "\(layers)")
            try await ExternalTool.runChecked("undocker", ["-o", dir + "/rootfs"], stdin: archive)
            #expect(FileManager.default.fileExists(atPath: dir + "/rootfs/usr/bin/hello"))
        }
    }

    /// README: skopeo 1.9 and podman 4.3 cannot read a gzip-wrapped docker-archive, but read a
    /// zstd-wrapped one.
    @Test(.enabled(if: ScratchPodman.unavailableReason == nil && ExternalTool.skopeoAvailable, "\(ScratchPodman.unavailableReason ?? "skopeo not installed")"))
    func podmanAndSkopeoReadZstdButNotGzipWrappedDockerArchives() async throws {
        try await withTemporaryDirectory { dir in
            let podman = try ScratchPodman(in: dir)
            defer { podman.remove() }
            for (suffix, readable) in [("tar.gz", false), ("tar.zst", true)] {
                let archive = "\(dir)/hello.\(suffix)"
                try await ferry(["copy", "-q", "oci:\(images)/hello.oci:1.0", "docker-archive:\(archive):ferry/hello:1.0"])
                let skopeo = try await ExternalTool.run("skopeo", ["inspect", "--raw", "docker-archive:" + archive])
                #expect(skopeo.succeeded == readable, "skopeo on \(suffix): \(skopeo.stderr)")
                let loaded = try? await podman.run(["load", "-i", archive])
                #expect((loaded != nil) == readable, "podman load of \(suffix)")
            }
        }
    }

    @Test(.enabled(if: ExternalTool.find("umoci") != nil, "umoci not installed (Scripts/setup)"))
    func umociInsertLayersVerifyWithAWarningAndUnpack() async throws {
        try await withTemporaryDirectory { dir in
            try await ferry(["copy", "-q", "oci:\(images)/hello.oci:1.0", "oci:\(dir)/layout:1.0"])
            try "hi\n".write(toFile: dir + "/file.txt", atomically: true, encoding: .utf8)
            try await ExternalTool.runChecked("umoci", ["insert", "--rootless", "--image", "\(dir)/layout:1.0", dir + "/file.txt", "/file.txt"])
            let verified = try await ferry(["verify", "oci:\(dir)/layout:1.0"])
            #expect(verified.stdout.contains("right after the last member's data"), "\(verified.stdout)")
            try await ferry(["copy", "-q", "oci:\(dir)/layout:1.0", "oci:\(dir)/copy:1.0"])
            try await ExternalTool.runChecked("umoci", ["unpack", "--rootless", "--image", "\(dir)/copy:1.0", dir + "/bundle"])
            #expect(FileManager.default.fileExists(atPath: dir + "/bundle/rootfs/file.txt"))
        }
    }
}
