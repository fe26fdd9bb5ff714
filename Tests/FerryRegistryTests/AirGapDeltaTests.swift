import Foundation
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// The air-gap update cycle against the real docker-registry: an inventory of the far registry,
/// a delta bundle that carries only the new layers, its import (with a cross-repository mount),
/// the refusal when a relied-on blob is missing, a previous bundle as `--have`, and bundles split
/// into parts that import like the one-file bundle and name a damaged part.
@Suite(
    .needs(.registry),
    .enabled(
        if: SharedFixtures.builtFerry != nil && ExternalTool.skopeoAvailable && ExternalTool.gzipAvailable,
        "ferry, skopeo or gzip missing"),
    .timeLimit(.minutes(3)))
struct AirGapDeltaTests {
    let registry = SharedFixtures.testRegistry ?? ""
    var ferry: String { SharedFixtures.builtFerry ?? "" }

    /// The near registry: `app:1.0` (a three-layer base plus one layer) and `tool:1.0`; after
    /// ``update(_:)``, also `app:2.0` and `other:1.0` (the base plus a new layer).
    struct Near {
        var app: String
        var tool: String
        var other: String
        var summary: TestImageBuilder.Summary
        var layout: String

        func layers(_ name: String) -> [Digest] { summary.tags.first { $0.tag == name }?.summary.images.first?.layerDigests ?? [] }
        func layerSizes(_ name: String) -> [Int] { summary.tags.first { $0.tag == name }?.summary.images.first?.layerSizes ?? [] }
        func digest(_ name: String) -> Digest? { summary.tags.first { $0.tag == name }?.summary.digest }
    }

    func seed(_ dir: String, seed: UInt64) async throws -> Near {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "app1", layerCount: 4, layerSize: 20_000)
        builder.addImage(tag: "tool", layerCount: 1, layerSize: 8_000)
        builder.addImage(tag: "app2", on: "app1", extraLayerCount: 1, layerSize: 30_000)
        let summary = try await builder.write(to: dir + "/near")
        let near = Near(
            app: SharedFixtures.uniqueRepository("app"), tool: SharedFixtures.uniqueRepository("tool"),
            other: SharedFixtures.uniqueRepository("other"), summary: summary, layout: dir + "/near")
        try await push(layout: near.layout, name: "app1", to: registry, repository: near.app, tag: "1.0")
        try await push(layout: near.layout, name: "tool", to: registry, repository: near.tool, tag: "1.0")
        return near
    }

    func update(_ near: Near) async throws {
        try await push(layout: near.layout, name: "app2", to: registry, repository: near.app, tag: "2.0")
        try await push(layout: near.layout, name: "app2", to: registry, repository: near.other, tag: "1.0")
    }

    func writeSet(_ path: String, _ references: [String]) throws {
        try (references.map { "\(registry)/\($0)" }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// `ferry ARGS`, checked; its standard output.
    @discardableResult
    func run(_ arguments: [String], exit expected: Int32 = 0) async throws -> ProcessResult {
        let result = try await ExternalTool.run(ferry, arguments)
        #expect(result.exitCode == expected, "ferry \(arguments.joined(separator: " ")): exit \(result.exitCode): \(result.stderr)")
        return result
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    /// The blob digests a bundle file carries (its `blobs/sha256/` members) and their sizes.
    func carried(_ bundle: String) async throws -> [Digest: Int64] {
        let listing = try await ExternalTool.runChecked("tar", ["-tvf", bundle]).stdout
        var result: [Digest: Int64] = [:]
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, let name = fields.last, name.hasPrefix("blobs/sha256/"), name.count > 20,
                let digest = try? Digest(parsing: "sha256:" + name.dropFirst("blobs/sha256/".count))
            else { continue }
            result[digest] = Int64(fields[2]) ?? -1
        }
        return result
    }

    func manifestDigest(_ repository: String, _ tag: String) async throws -> Digest? {
        try await withRegistryClient(registry, options: plainOptions) { client in
            try await client.manifestDescriptor(repository, .tag(tag))?.digest
        }
    }

    @Test func aSecondShipmentCarriesOnlyTheNewLayers() async throws {
        try await withTemporaryDirectory { dir in
            let near = try await seed(dir, seed: 1501)
            let far = SharedFixtures.uniqueRepository("far")
            try writeSet(dir + "/set1.txt", ["\(near.app):1.0", "\(near.tool):1.0"])
            try await run(["sync", "-q", "--no-sync", "--images", dir + "/set1.txt", "oci-archive:\(dir)/full1.tar"])
            try await run(["sync", "-q", "--no-sync", "oci-archive:\(dir)/full1.tar", "docker://\(registry)/\(far)"])

            // The far side's inventory: what its registry holds, read from the catalog.
            try await run(["inventory", "-q", "docker://\(registry)/\(far)", "-o", dir + "/far.json"])
            let inventory = try Inventory.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/far.json"))), context: "far.json")
            #expect(Set(inventory.images.compactMap(\.repository)) == ["\(far)/\(near.app)", "\(far)/\(near.tool)"])
            #expect(Set(near.layers("app1") + near.layers("tool")).isSubset(of: Set(inventory.blobs.map(\.digest))))
            #expect(!String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir + "/far.json")), as: UTF8.self).contains("password"))
            // Narrowed to an image set's repositories, where sync put them under the prefix.
            try writeSet(dir + "/tool-only.txt", ["\(near.tool):1.0"])
            try await run(["inventory", "-q", "--images", dir + "/tool-only.txt", "docker://\(registry)/\(far)", "-o", dir + "/tool.json"])
            let narrowed = try Inventory.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/tool.json"))), context: "tool.json")
            #expect(Set(narrowed.images.compactMap(\.repository)) == ["\(far)/\(near.tool)"])

            // The update: app:2.0 and other:1.0, both the base plus one new layer.
            try await update(near)
            try writeSet(dir + "/set2.txt", ["\(near.app):1.0", "\(near.app):2.0", "\(near.tool):1.0", "\(near.other):1.0"])
            let made = try json(
                try await run(["sync", "--json", "--no-sync", "--images", dir + "/set2.txt", "--have", dir + "/far.json", "oci-archive:\(dir)/delta.tar"])
                    .stdout)
            let newLayer = try #require(near.layers("app2").last)
            let newLayerSize = try #require(near.layerSizes("app2").last)
            let allLayers = Set(near.layers("app1") + near.layers("app2") + near.layers("tool"))
            let carried = try await carried(dir + "/delta.tar")
            // Of the layers, only the new one travels; every manifest and config does.
            #expect(Set(carried.keys).intersection(allLayers) == [newLayer])
            for name in ["app1", "app2", "tool"] { #expect(carried[try #require(near.digest(name))] != nil, "\(name)'s manifest is not in the bundle") }
            let layerBytes = carried.filter { allLayers.contains($0.key) }.values.reduce(0, +)
            #expect(layerBytes == Int64(newLayerSize))
            let totals = try #require(made["totals"] as? [String: Any])
            #expect(totals["blobsLeftOut"] as? Int == allLayers.count - 1)

            // Imported into the far registry: the same manifest digests; other:1.0's base layers are
            // mounted from the repository the inventory named.
            let imported = try json(try await run(["sync", "--json", "--no-sync", "oci-archive:\(dir)/delta.tar", "docker://\(registry)/\(far)"]).stdout)
            let statuses = (imported["images"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
            #expect(statuses.sorted() == ["copied", "copied", "up-to-date", "up-to-date"])
            #expect(try await manifestDigest("\(far)/\(near.app)", "2.0") == near.digest("app2"))
            #expect(try await manifestDigest("\(far)/\(near.other)", "1.0") == near.digest("app2"))
            #expect(try await manifestDigest("\(far)/\(near.app)", "1.0") == near.digest("app1"))
            let importTotals = try #require(imported["totals"] as? [String: Any])
            #expect(
                importTotals["bytesCopied"] as? Int ?? 0 < 40_000,
                "the import uploaded \(importTotals["bytesCopied"] ?? 0) bytes; the base layers should have been mounted")

            // An earlier bundle as --have gives the same delta.
            try await run(["sync", "-q", "--no-sync", "--images", dir + "/set2.txt", "--have", dir + "/full1.tar", "oci-archive:\(dir)/delta2.tar"])
            #expect(Set(try await self.carried(dir + "/delta2.tar").keys) == Set(carried.keys))

            // That delta (its record names no repository to mount from) into a registry without
            // the base: refused, listing the missing layers, no manifest written.
            let empty = SharedFixtures.uniqueRepository("empty")
            let refused = try await run(["sync", "--no-sync", "oci-archive:\(dir)/delta2.tar", "docker://\(registry)/\(empty)"], exit: 1)
            #expect(refused.stderr.contains("delta bundle"))
            for layer in near.layers("app1") { #expect(refused.stderr.contains(layer.description), "\(layer) not listed: \(refused.stderr)") }
            #expect(try await manifestDigest("\(empty)/\(near.app)", "2.0") == nil)
            #expect(try await manifestDigest("\(empty)/\(near.tool)", "1.0") == nil)
            // Into an OCI layout, the same check against the layout's blobs.
            try await run(["sync", "--no-sync", "oci-archive:\(dir)/delta2.tar", "oci:\(dir)/empty-layout"], exit: 1)
            #expect(!FileManager.default.fileExists(atPath: dir + "/empty-layout/index.json"))

            // verify: valid, the left-out layers noted, not missing.
            let verified = try json(try await run(["verify", "--json", "oci-archive:\(dir)/delta.tar"]).stdout)
            let problems = (verified["reports"] as? [[String: Any]])?.first?["problems"] as? [[String: Any]] ?? []
            #expect(problems.filter { $0["code"] as? String == "blob-relied-on" }.count >= allLayers.count - 1)
            #expect(!problems.contains { $0["severity"] as? String == "error" })
        }
    }

    @Test(arguments: [4096, 16_384, 1 << 20])
    func splitBundlesImportLikeTheOneFileBundle(_ partSize: Int) async throws {
        try await withTemporaryDirectory { dir in
            let near = try await seed(dir, seed: 1502 + UInt64(partSize))
            try await update(near)
            try writeSet(dir + "/set.txt", ["\(near.app):1.0", "\(near.app):2.0", "\(near.tool):1.0"])
            try await run(["sync", "-q", "--no-sync", "--images", dir + "/set.txt", "oci-archive:\(dir)/one.tar"])
            let made = try json(
                try await run(["sync", "--json", "--no-sync", "--images", dir + "/set.txt", "--split-size", "\(partSize)", "oci-archive:\(dir)/parts.tar"])
                    .stdout)
            let parts = try #require(made["parts"] as? [[String: Any]])
            let names = parts.compactMap { $0["name"] as? String }
            #expect(names.first == "parts.tar.001")
            #expect(parts.allSatisfy { ($0["size"] as? Int ?? 0) <= partSize })
            // The parts joined are the one-file bundle, byte for byte.
            var joined = Data()
            for name in names { joined += try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) }
            #expect(joined == (try Data(contentsOf: URL(fileURLWithPath: dir + "/one.tar"))))
            try joined.write(to: URL(fileURLWithPath: dir + "/joined.tar"))
            let skopeo = try ExternalTool.require("skopeo")
            let raw = try await ExternalTool.runChecked(skopeo, ["inspect", "--raw", "oci-archive:\(dir)/joined.tar:\(registry)/\(near.app):2.0"]).stdout
            #expect(try DigestHasher.digest(Array(raw.utf8)) == near.digest("app2"))

            // Imported from the parts (named by the first part), with the same digests.
            let prefix = SharedFixtures.uniqueRepository("split")
            try await run(["sync", "-q", "--no-sync", "oci-archive:\(dir)/parts.tar.001", "docker://\(registry)/\(prefix)"])
            #expect(try await manifestDigest("\(prefix)/\(near.app)", "2.0") == near.digest("app2"))
            #expect(try await manifestDigest("\(prefix)/\(near.tool)", "1.0") == near.digest("tool"))
            try await run(["verify", "oci-archive:\(dir)/parts.tar.parts.json"])
        }
    }

    /// `… | ferry sync oci-archive:- docker://…`: the bundle on a pipe (plain and gzip) is read
    /// once, its blobs landing in the first image's repository and mounted into the others, and
    /// in every destination when there are several.
    @Test(arguments: ["cat", "gzip -1 -c"])
    func aBundleOnAPipeSyncsInOnePass(_ feeder: String) async throws {
        try await withTemporaryDirectory { dir in
            let near = try await seed(dir, seed: 1520 + UInt64(feeder.count))
            try await update(near)
            try writeSet(dir + "/set.txt", ["\(near.app):1.0", "\(near.app):2.0", "\(near.tool):1.0", "\(near.other):1.0"])
            try await run(["sync", "-q", "--no-sync", "--images", dir + "/set.txt", "oci-archive:\(dir)/b.tar"])
            let prefix = SharedFixtures.uniqueRepository("piped")
            let ferry = self.ferry
            let piped = try await ExternalTool.run(
                "sh", ["-c", "\(feeder) \"$1\" | \"$0\" sync --json --no-sync oci-archive:- \"$2\"", ferry, dir + "/b.tar", "docker://\(registry)/\(prefix)"])
            #expect(piped.exitCode == 0, "\(piped.stderr)")
            #expect(try await manifestDigest("\(prefix)/\(near.app)", "2.0") == near.digest("app2"))
            #expect(try await manifestDigest("\(prefix)/\(near.other)", "1.0") == near.digest("app2"))
            #expect(try await manifestDigest("\(prefix)/\(near.tool)", "1.0") == near.digest("tool"))
            // Into a layout too; and one pass feeds several destinations at once — two layouts
            // and another registry prefix — each ending whole.
            let toLayout = try await ExternalTool.run(
                "sh", ["-c", "\(feeder) \"$1\" | \"$0\" sync -q --no-sync oci-archive:- \"$2\"", ferry, dir + "/b.tar", "oci:\(dir)/layout"])
            #expect(toLayout.exitCode == 0, "\(toLayout.stderr)")
            try await run(["verify", "oci:\(dir)/layout"])
            let second = SharedFixtures.uniqueRepository("piped-two")
            let three = try await ExternalTool.run(
                "sh",
                [
                    "-c", "\(feeder) \"$1\" | \"$0\" sync -q --no-sync oci-archive:- oci:\"$2\"/x oci:\"$2\"/y \"$3\"", ferry, dir + "/b.tar", dir,
                    "docker://\(registry)/\(second)",
                ])
            #expect(three.exitCode == 0, "\(three.stderr)")
            try await run(["verify", "oci:\(dir)/x"])
            try await run(["verify", "oci:\(dir)/y"])
            #expect(try await manifestDigest("\(second)/\(near.app)", "2.0") == near.digest("app2"))
            #expect(try await manifestDigest("\(second)/\(near.tool)", "1.0") == near.digest("tool"))
        }
    }

    @Test func aDamagedPartIsNamedAndNothingIsWritten() async throws {
        try await withTemporaryDirectory { dir in
            let near = try await seed(dir, seed: 1510)
            try writeSet(dir + "/set.txt", ["\(near.app):1.0", "\(near.tool):1.0"])
            try await run(["sync", "-q", "--no-sync", "--images", dir + "/set.txt", "--split-size", "16KiB", "oci-archive:\(dir)/b.tar"])
            let part2 = dir + "/b.tar.002"
            let saved = try Data(contentsOf: URL(fileURLWithPath: part2))
            func expectRefused(_ part: String, _ why: String) async throws {
                let prefix = SharedFixtures.uniqueRepository("damaged")
                let result = try await run(["sync", "--no-sync", "oci-archive:\(dir)/b.tar.parts.json", "docker://\(registry)/\(prefix)"], exit: 1)
                #expect(result.stderr.contains(part) && result.stderr.contains(why), "\(result.stderr)")
                #expect(try await manifestDigest("\(prefix)/\(near.app)", "1.0") == nil)
                let verified = try await ExternalTool.run(ferry, ["verify", "oci-archive:\(dir)/b.tar"])
                #expect(verified.exitCode == 1 && verified.stdout.contains(part), "\(verified.stdout)")
            }
            try FileManager.default.removeItem(atPath: part2)
            try await expectRefused("b.tar.002", "missing")
            try saved.prefix(saved.count - 100).write(to: URL(fileURLWithPath: part2))
            try await expectRefused("b.tar.002", "truncated")
            var flipped = saved
            flipped[flipped.count / 2] ^= 0x01
            try flipped.write(to: URL(fileURLWithPath: part2))
            try await expectRefused("b.tar.002", "corrupt")
        }
    }
}
