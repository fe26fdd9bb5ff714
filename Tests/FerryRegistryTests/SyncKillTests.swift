import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// `ferry sync` killed (SIGKILL) at many points into each kind of destination, then run again:
/// every rerun ends complete and verified, and moves no layer that had landed before the kill.
@Suite(
    .needs(.registry),
    .enabled(
        if: SharedFixtures.builtFerry != nil && ExternalTool.gzipAvailable,
        "ferry or gzip missing"),
    .timeLimit(.minutes(5)))
struct SyncKillTests {
    let registry = SharedFixtures.testRegistry ?? ""
    var ferry: String { SharedFixtures.builtFerry ?? "" }

    /// Six images of two ~1.5 MB layers each in one repository, and the image-set file naming them.
    func seed(_ dir: String, seed: UInt64) async throws -> (set: String, digests: [String: Digest]) {
        var builder = TestImageBuilder(seed: seed)
        for n in 1...6 { builder.addImage(tag: "v\(n)", layerCount: 2, layerSize: 1_500_000) }
        let summary = try await builder.write(to: dir + "/seed")
        let repository = SharedFixtures.uniqueRepository("sync-kill")
        var digests: [String: Digest] = [:]
        for n in 1...6 {
            try await push(layout: dir + "/seed", name: "v\(n)", to: registry, repository: repository, tag: "v\(n)")
            digests["v\(n)"] = try #require(summary["v\(n)"]?.digest)
        }
        let set = dir + "/set.yaml"
        try "\(registry):\n  tls-verify: false\n  images:\n    \(repository): []\n".write(toFile: set, atomically: true, encoding: .utf8)
        return (set, digests)
    }

    /// Runs `ferry sync ARGS`, SIGKILLs it after `delay` (if still running), and waits for it.
    func killed(_ arguments: [String], after delay: Duration) async throws {
        try await runKilled(ferry, ["sync", "-q"] + arguments, at: .after(delay))
    }

    /// `ferry sync --json ARGS` to its end: the totals.
    func completed(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await ExternalTool.run(ferry, ["sync", "--json"] + arguments)
        #expect(result.exitCode == 0, "rerun of ferry sync \(arguments): \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return object?["totals"] as? [String: Any] ?? [:]
    }

    /// Sizes of the files in `dir/blobs/sha256` larger than 64 KiB (layers, not documents).
    func landedLayers(_ layout: String) -> Int64 {
        let blobs = layout + "/blobs/sha256"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: blobs)) ?? []
        return names.filter { !$0.hasPrefix(".") }.reduce(Int64(0)) { sum, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: blobs + "/" + name)[.size] as? NSNumber)?.int64Value ?? 0
            return size > 64 * 1024 ? sum + size : sum
        }
    }

    static func int64(_ value: Any?) -> Int64 { (value as? Int64) ?? (value as? Int).map(Int64.init) ?? -1 }

    static let delays: [Duration] = [
        .milliseconds(30), .milliseconds(80), .milliseconds(150), .milliseconds(250), .milliseconds(400), .milliseconds(600), .milliseconds(900),
        .milliseconds(1300),
    ]

    @Test func killedLayoutSyncsFinishOnRerun() async throws {
        try await withTemporaryDirectory { dir in
            let (set, digests) = try await seed(dir, seed: 1501)
            for (n, delay) in Self.delays.enumerated() {
                let layout = "\(dir)/layout-\(n)"
                try await killed(["--images", set, "oci:\(layout)"], after: delay)
                let before = landedLayers(layout)
                let totals = try await completed(["--images", set, "oci:\(layout)"])
                // The rerun wrote only the layers that had not landed.
                // (A run that finished before the kill leaves nothing to do: every image is up to date.)
                #expect(
                    Self.int64(totals["bytesCopied"]) <= max(0, Self.int64(totals["uniqueBytes"]) - before),
                    "kill at \(delay): \(totals), \(before) bytes had landed")
                let verify = try await ExternalTool.run(ferry, ["verify", "--strict", "oci:\(layout)"])
                #expect(verify.exitCode == 0, "kill at \(delay): \(verify.stdout)")
                let entries = try await OCILayoutSource(path: layout).entries()
                #expect(Set(entries.map(\.descriptor.digest)) == Set(digests.values), "kill at \(delay)")
            }
        }
    }

    @Test func killedBundleSyncsFinishOnRerun() async throws {
        try await withTemporaryDirectory { dir in
            let (set, digests) = try await seed(dir, seed: 1502)
            for (n, delay) in Self.delays.enumerated() {
                let bundle = "\(dir)/bundle-\(n).tar"
                try await killed(["--images", set, "oci-archive:\(bundle)"], after: delay)
                let staged = landedLayers("\(dir)/.bundle-\(n).tar.ferry-sync")
                let totals = try await completed(["--images", set, "oci-archive:\(bundle)"])
                if !FileManager.default.fileExists(atPath: bundle) || staged > 0 {
                    #expect(
                        Self.int64(totals["bytesCopied"]) <= max(0, Self.int64(totals["uniqueBytes"]) - staged),
                        "kill at \(delay): \(totals), \(staged) bytes were staged")
                }
                #expect(!FileManager.default.fileExists(atPath: "\(dir)/.bundle-\(n).tar.ferry-sync"), "kill at \(delay): the staging layout stayed")
                let verify = try await ExternalTool.run(ferry, ["verify", "oci-archive:\(bundle)"])
                #expect(verify.exitCode == 0, "kill at \(delay): \(verify.stdout)")
                let entries = try await OCIArchiveSource(path: bundle).entries()
                #expect(Set(entries.map(\.descriptor.digest)) == Set(digests.values), "kill at \(delay)")
            }
        }
    }

    @Test func killedRegistrySyncsFinishOnRerun() async throws {
        try await withTemporaryDirectory { dir in
            let (set, digests) = try await seed(dir, seed: 1503)
            for (n, delay) in Self.delays.enumerated() {
                let prefix = SharedFixtures.uniqueRepository("sync-kill-\(n)")
                try await killed(["--images", set, "docker://\(registry)/\(prefix)"], after: delay)
                let totals = try await completed(["--images", set, "docker://\(registry)/\(prefix)"])
                #expect(Self.int64(totals["images"]) == 6, "kill at \(delay): \(totals)")
                try await withRegistryClient(registry, options: plainOptions) { client in
                    let repositories = try await client.catalog().filter { $0.hasPrefix(prefix + "/") }
                    #expect(repositories.count == 1, "kill at \(delay): \(repositories)")
                    for (tag, digest) in digests {
                        let found = try await client.manifestDescriptor(try #require(repositories.first), .tag(tag))
                        #expect(found?.digest == digest, "kill at \(delay): \(tag)")
                    }
                }
            }
        }
    }
}
