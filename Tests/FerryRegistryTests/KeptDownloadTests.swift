import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// A copy from a registry into an OCI layout killed (SIGKILL) part-way through a large layer
/// keeps what arrived (`blobs/sha256/.ENCODED.partial`), and the rerun asks the registry only for
/// the rest (`Range`), checked through the fault proxy's log: for `copy` and `sync`, with a
/// kept file corrupted on disk (read again whole), and from a registry that ignores `Range`.
@Suite(
    .needs(.registry),
    .enabled(if: SharedFixtures.builtFerry != nil && ExternalTool.find("python3") != nil, "ferry or python3 missing"),
    .timeLimit(.minutes(3)))
struct KeptDownloadTests {
    let registry = SharedFixtures.testRegistry ?? ""
    var ferry: String { SharedFixtures.builtFerry ?? "" }

    /// Pushes image `v1`, one layer of about 6 MB; returns its repository, layer digest and size.
    func seed(_ dir: String, seed: UInt64) async throws -> (repository: String, layer: Digest, size: Int) {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 1, layerSize: 6_000_000)
        builder.addImage(tag: "small", layerCount: 1, layerSize: 4096)
        let summary = try await builder.write(to: dir + "/src")
        let repository = SharedFixtures.uniqueRepository("kept")
        try await push(layout: dir + "/src", name: "v1", to: registry, repository: repository, tag: "v1")
        try await push(layout: dir + "/src", name: "small", to: registry, repository: repository, tag: "small")
        let image = try #require(summary["v1"]?.images.first)
        return (repository, try #require(image.layerDigests.first), try #require(image.layerSizes.first))
    }

    /// Runs ferry with `arguments`, SIGKILLs it once `file` holds at least `bytes` bytes, and
    /// returns the file's size after the kill.
    func killed(_ arguments: [String], once file: String, holds bytes: Int64) async throws -> Int64 {
        try await runKilled(ferry, arguments, at: .once({ Self.size(file) >= bytes }, limit: .seconds(60)))
        return Self.size(file)
    }

    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
    }

    /// The proxy's log lines for GETs of `layer`.
    static func gets(_ proxy: FaultProxy, _ layer: Digest) -> [String] {
        proxy.log().filter { $0.hasPrefix("GET ") && $0.contains("/blobs/\(layer) ") }
    }

    @Test(arguments: ["copy", "sync"])
    func killedDownloadIsContinuedWithRange(_ command: String) async throws {
        try await withTemporaryDirectory { dir in
            let (repository, layer, size) = try await seed(dir, seed: command == "copy" ? 2101 : 2102)
            try await withFaultProxy(upstream: registry, faults: []) { proxy in
                let layout = dir + "/layout"
                let source = "docker://\(proxy.host)/\(repository):v1"
                let arguments =
                    command == "copy"
                    ? ["copy", "-q", "--src-tls-verify=false", source, "oci:\(layout):v1"]
                    : ["sync", "-q", "--src-tls-verify=false", source, "oci:\(layout)"]
                // The layout already holds an image, so verify can read it after the kill.
                let first = try await ExternalTool.run(
                    ferry, ["copy", "-q", "--src-tls-verify=false", "docker://\(proxy.host)/\(repository):small", "oci:\(layout):small"])
                #expect(first.exitCode == 0, "\(first.stderr)")
                let partial = "\(layout)/blobs/sha256/.\(layer.encoded).partial"
                let kept = try await killed(
                    [arguments[0], "--limit-rate", "1MiB"] + arguments.dropFirst(), once: partial, holds: 2_000_000)
                #expect(kept >= 2_000_000 && kept < Int64(size), "kept \(kept) of \(size) bytes")
                #expect(!FileManager.default.fileExists(atPath: "\(layout)/blobs/sha256/\(layer.encoded)"))

                // verify names the kept download; --strict fails on it.
                let report = try await ExternalTool.run(ferry, ["verify", "--json", "oci:\(layout)"])
                #expect(report.exitCode == 0 && report.stdout.contains("blob-partial-download"), "\(report.stdout)")
                let strict = try await ExternalTool.run(ferry, ["verify", "--strict", "oci:\(layout)"])
                #expect(strict.exitCode == 1, "\(strict.stdout)")

                let before = Self.gets(proxy, layer).count
                let rerun = try await ExternalTool.run(ferry, arguments)
                #expect(rerun.exitCode == 0, "\(rerun.stderr)")
                // One GET, for the bytes the kill left out, answered 206 with exactly those.
                let resumed = Array(Self.gets(proxy, layer).dropFirst(before))
                #expect(resumed.count == 1, "\(resumed)")
                #expect(resumed.first?.contains("range=bytes=\(kept)- status=206 bytes=\(Int64(size) - kept)") == true, "\(resumed)")
                let verified = try await ExternalTool.run(ferry, ["verify", "--strict", "oci:\(layout)"])
                #expect(verified.exitCode == 0, "\(verified.stdout)")
                #expect(!FileManager.default.fileExists(atPath: partial))
            }
        }
    }

    /// Kept files planted by hand (no kill): the whole blob (the run ended between the last byte
    /// and the rename) needs no read at all; half of it, a read of the other half.
    @Test(arguments: [1.0, 0.5])
    func plantedKeptDownloadIsUsed(_ fraction: Double) async throws {
        try await withTemporaryDirectory { dir in
            let (repository, layer, size) = try await seed(dir, seed: 2105)
            try await withFaultProxy(upstream: registry, faults: []) { proxy in
                let layout = dir + "/layout"
                let first = try await ExternalTool.run(
                    ferry, ["copy", "-q", "--src-tls-verify=false", "docker://\(proxy.host)/\(repository):small", "oci:\(layout):small"])
                #expect(first.exitCode == 0, "\(first.stderr)")
                let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/src/blobs/sha256/\(layer.encoded)"))
                let kept = Int(Double(size) * fraction)
                try bytes.prefix(kept).write(to: URL(fileURLWithPath: "\(layout)/blobs/sha256/.\(layer.encoded).partial"))
                let rerun = try await ExternalTool.run(
                    ferry, ["copy", "-q", "--src-tls-verify=false", "docker://\(proxy.host)/\(repository):v1", "oci:\(layout):v1"])
                #expect(rerun.exitCode == 0, "\(rerun.stderr)")
                let reads = Self.gets(proxy, layer)
                if kept == size {
                    #expect(reads.isEmpty, "\(reads)")
                } else {
                    #expect(reads.count == 1 && reads.first?.contains("range=bytes=\(kept)- status=206 bytes=\(size - kept)") == true, "\(reads)")
                }
                let verified = try await ExternalTool.run(ferry, ["verify", "--strict", "oci:\(layout)"])
                #expect(verified.exitCode == 0, "\(verified.stdout)")
            }
        }
    }

    @Test func corruptKeptDownloadIsReadAgainWhole() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, layer, size) = try await seed(dir, seed: 2103)
            try await withFaultProxy(upstream: registry, faults: []) { proxy in
                let layout = dir + "/layout"
                let arguments = ["copy", "-q", "--src-tls-verify=false", "docker://\(proxy.host)/\(repository):v1", "oci:\(layout):v1"]
                let partial = "\(layout)/blobs/sha256/.\(layer.encoded).partial"
                let kept = try await killed([arguments[0], "--limit-rate", "1MiB"] + arguments.dropFirst(), once: partial, holds: 1_500_000)
                #expect(kept >= 1_500_000, "kept \(kept)")
                // One byte in the middle of what was kept turns to another (as a crash of the
                // machine, not the process, can leave a file).
                let handle = try #require(FileHandle(forUpdatingAtPath: partial))
                try handle.seek(toOffset: 1000)
                let byte = try #require(try handle.read(upToCount: 1)?.first)
                try handle.seek(toOffset: 1000)
                try handle.write(contentsOf: [byte ^ 0xFF])
                try handle.close()

                let before = Self.gets(proxy, layer).count
                let rerun = try await ExternalTool.run(ferry, arguments)
                #expect(rerun.exitCode == 0, "\(rerun.stderr)")
                // The rest, which then failed the digest check with the kept part; then the whole.
                let reads = Array(Self.gets(proxy, layer).dropFirst(before))
                #expect(reads.count == 2, "\(reads)")
                #expect(reads.first?.contains("range=bytes=\(kept)- status=206") == true, "\(reads)")
                #expect(reads.last?.contains("range=- status=200 bytes=\(size)") == true, "\(reads)")
                let verified = try await ExternalTool.run(ferry, ["verify", "--strict", "oci:\(layout)"])
                #expect(verified.exitCode == 0, "\(verified.stdout)")
            }
        }
    }

    @Test func registryIgnoringRangeIsReadWholeAndTheKeptBytesSkipped() async throws {
        try await withTemporaryDirectory { dir in
            let (repository, layer, size) = try await seed(dir, seed: 2104)
            let layout = dir + "/layout"
            let partial = "\(layout)/blobs/sha256/.\(layer.encoded).partial"
            let kept = try await killed(
                ["copy", "-q", "--limit-rate", "1MiB", "--src-tls-verify=false", "docker://\(registry)/\(repository):v1", "oci:\(layout):v1"],
                once: partial, holds: 1_500_000)
            #expect(kept >= 1_500_000, "kept \(kept)")
            try await withFaultProxy(upstream: registry, faults: ["--ignore-range"]) { proxy in
                let rerun = try await ExternalTool.run(
                    ferry, ["copy", "-q", "--src-tls-verify=false", "docker://\(proxy.host)/\(repository):v1", "oci:\(layout):v1"])
                #expect(rerun.exitCode == 0, "\(rerun.stderr)")
                let reads = Self.gets(proxy, layer)
                #expect(reads.count == 1 && reads.first?.contains("status=200 bytes=\(size)") == true, "\(reads)")
            }
            let verified = try await ExternalTool.run(ferry, ["verify", "--strict", "oci:\(layout)"])
            #expect(verified.exitCode == 0, "\(verified.stdout)")
        }
    }
}
