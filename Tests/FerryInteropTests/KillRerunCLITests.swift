import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// The `ferry` binary stopped at many points — `SIGKILL`, `SIGINT`, `SIGTERM` — and run again:
/// the rerun succeeds, leaves no temporary file, and `ferry verify --strict` passes. Two processes
/// writing one layout at once keep both names.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"),
    .serialized)
struct KillRerunCLITests {
    /// A source big enough that a copy takes a while: 6 layers of about 2 MB (incompressible).
    /// Kept small, with few kill points, because the suite shares the machine with timing-
    /// sensitive registry tests.
    private func bigSource(_ dir: String) async throws -> TestImageBuilder.Summary {
        var builder = TestImageBuilder(seed: 1270)
        builder.addImage(tag: "big", layerCount: 6, layerSize: 2 << 20)
        builder.addImage(tag: "small", layerCount: 1, layerSize: 2048)
        return try await builder.write(to: dir + "/src")
    }

    /// Starts `ferry ARGS` without waiting for it.
    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(FerryCLI.path))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Every path under `root` (and next to it, for an archive) that looks like a temporary file
    /// or working directory of Ferry's.
    private func leftovers(in directory: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return all.filter { path in
            let name = (path as NSString).lastPathComponent
            return FileSystem.isTemporaryName(name) || name.contains(WorkDirectory.marker)
        }
    }

    private func expectVerified(_ place: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let verify = try await FerryCLI.run(["verify", "--strict", place])
        #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)", sourceLocation: sourceLocation)
    }

    /// Where a kill-test copy writes, and how `verify` names it.
    private func destination(_ transport: String, in work: String) -> (copy: String, verify: String) {
        switch transport {
        case "oci": return ("oci:\(work)/dst:t", "oci:\(work)/dst")
        case "dir": return ("dir:\(work)/dst", "dir:\(work)/dst")
        default: return ("\(transport):\(work)/dst.tar:t", "\(transport):\(work)/dst.tar")
        }
    }

    /// Config and layers of `image` already landed under their names in a directory destination.
    private func landed(_ image: TestImageBuilder.ImageSummary, transport: String, in work: String) -> Int {
        let folder = transport == "oci" ? work + "/dst/blobs/sha256/" : work + "/dst/"
        return ([image.configDigest] + image.layerDigests).filter { FileManager.default.fileExists(atPath: folder + $0.encoded) }.count
    }

    @Test(arguments: ["oci", "dir", "oci-archive", "docker-archive"])
    func killedCopiesRerunCleanly(_ transport: String) async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await bigSource(dir)
            let image = try #require(summary["big"]?.images.first)
            let delays: [UInt64] = [10, 60, 200]
            for (i, delay) in delays.enumerated() {
                let work = dir + "/run\(i)"
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
                let place = destination(transport, in: work)
                // Killed twice at the same point, then run to the end.
                for _ in 0..<2 {
                    let process = try start(["copy", "-q", "oci:\(dir)/src:big", place.copy])
                    try await Task.sleep(nanoseconds: delay * 1_000_000)
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
                let before = transport == "oci" || transport == "dir" ? landed(image, transport: transport, in: work) : 0
                let rerun = try await FerryCLI.run(["copy", "oci:\(dir)/src:big", place.copy])
                #expect(rerun.exitCode == 0, "kill after \(delay) ms: \(rerun.stderr)")
                // What landed before the kill is not moved again.
                #expect(rerun.stdout.contains(", \(before) already present"), "kill after \(delay) ms: \(before) blobs had landed: \(rerun.stdout)")
                #expect(leftovers(in: work).isEmpty, "kill after \(delay) ms: \(leftovers(in: work))")
                try await expectVerified(place.verify)
            }
        }
    }

    /// Archive sources, read in one pass (gzip-wrapped) or by offset (plain): killed into an
    /// `oci:` layout and rerun. Their layers are recompressed on the way, so only cleanliness and
    /// the result are checked, not which blobs were skipped.
    @Test(arguments: ["docker-archive:src.tar.gz", "docker-archive:src.tar", "oci-archive:src.tar"])
    func killedArchiveSourceCopiesRerunCleanly(_ kindAndFile: String) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await bigSource(dir)
            let source = kindAndFile.replacingOccurrences(of: ":", with: ":\(dir)/") + ":big"
            let made = try await FerryCLI.run(["copy", "-q", "--no-sync", "oci:\(dir)/src:big", source])
            try #require(made.exitCode == 0, "\(made.stderr)")
            for (i, delay) in [UInt64(20), 150].enumerated() {
                let work = dir + "/run\(i)"
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
                for _ in 0..<2 {
                    let process = try start(["copy", "-q", source, "oci:\(work)/dst:t"])
                    try await Task.sleep(nanoseconds: delay * 1_000_000)
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
                let rerun = try await FerryCLI.run(["copy", "-q", source, "oci:\(work)/dst:t"])
                #expect(rerun.exitCode == 0, "kill after \(delay) ms: \(rerun.stderr)")
                #expect(leftovers(in: work).isEmpty, "kill after \(delay) ms: \(leftovers(in: work))")
                try await expectVerified("oci:\(work)/dst")
            }
        }
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func interruptedCopyStopsWithAMessageAndRerunContinues(_ signal: Int32) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await bigSource(dir)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(FerryCLI.path))
            process.arguments = ["copy", "-q", "oci:\(dir)/src:big", "oci:\(dir)/dst:t"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(nanoseconds: 150_000_000)
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if process.terminationStatus != 0 {
                // Ended by the signal itself once stopped cleanly (a shell shows 128 + signal).
                #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signal, "\(message)")
                #expect(message.contains("run the same command again to continue"), "\(message)")
                #expect(!message.contains("error"), "\(message)")
                #expect(leftovers(in: dir + "/dst").isEmpty, "a clean stop removes its temporary files: \(leftovers(in: dir + "/dst"))")
            }
            let rerun = try await FerryCLI.run(["copy", "-q", "oci:\(dir)/src:big", "oci:\(dir)/dst:t"])
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            try await expectVerified("oci:\(dir)/dst")
        }
    }

    @Test func twoProcessesWritingOneLayoutKeepBothNames() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await bigSource(dir)
            for round in 0..<6 {
                let layout = "\(dir)/layout\(round)"
                let seed = try await FerryCLI.run(["copy", "-q", "--no-sync", "oci:\(dir)/src:small", "oci:\(layout):seed"])
                #expect(seed.exitCode == 0, "\(seed.stderr)")
                async let big = FerryCLI.run(["copy", "-q", "--no-sync", "oci:\(dir)/src:big", "oci:\(layout):b"])
                try await Task.sleep(nanoseconds: UInt64(round) * 20_000_000)
                async let small = FerryCLI.run(["copy", "-q", "--no-sync", "oci:\(dir)/src:small", "oci:\(layout):a"])
                let (first, second) = try await (big, small)
                #expect(first.exitCode == 0 && second.exitCode == 0, "\(first.stderr)\(second.stderr)")
                let names = try await OCILayoutSource(path: layout).entries().flatMap(\.names)
                #expect(Set(names) == ["seed", "a", "b"], "round \(round): \(names)")
            }
        }
    }
}
