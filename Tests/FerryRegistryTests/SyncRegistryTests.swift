import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// `ferry sync` against the real docker-registry: the tag set skopeo sync resolves from the same
/// YAML, registry → layout → bundle → registry with every manifest digest kept, skopeo reading
/// single images out of the layout and the bundle, each blob once, and a rerun that moves nothing.
@Suite(
    .needs(.registry),
    .enabled(
        if: SharedFixtures.builtFerry != nil && ExternalTool.skopeoAvailable && ExternalTool.gzipAvailable,
        "ferry, skopeo or gzip missing"),
    .timeLimit(.minutes(3)))
struct SyncRegistryTests {
    let registry = SharedFixtures.testRegistry ?? ""
    var ferry: String { SharedFixtures.builtFerry ?? "" }

    /// Two repositories: `a` with tags 1.0 and 1.1 (one image), 2.0.0, 2.1.0-rc1, latest and
    /// nightly-1 (a second image, and an index); `b` with 1.0 (the first image again) and 3.0.
    func seed(_ dir: String, seed: UInt64) async throws -> (a: String, b: String, digests: [String: Digest]) {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "one", layerCount: 2, layerSize: 6000)
        builder.addImage(tag: "two", layerCount: 2, layerSize: 5000)
        builder.addIndex(tag: "multi", platforms: twoPlatforms, layerCount: 1, layerSize: 3000)
        builder.addImage(tag: "three", layerCount: 1, layerSize: 4000)
        let summary = try await builder.write(to: dir + "/seed")
        let a = SharedFixtures.uniqueRepository("sync-a")
        let b = SharedFixtures.uniqueRepository("sync-b")
        let tags: [(String, String, String)] = [
            (a, "1.0", "one"), (a, "1.1", "one"), (a, "2.0.0", "two"), (a, "2.1.0-rc1", "two"), (a, "latest", "multi"),
            (a, "nightly-1", "two"), (b, "1.0", "one"), (b, "3.0", "three"),
        ]
        var digests: [String: Digest] = [:]
        for (repository, tag, name) in tags {
            try await push(layout: dir + "/seed", name: name, to: registry, repository: repository, tag: tag)
            digests["\(repository):\(tag)"] = try #require(summary[name]?.digest)
        }
        return (a, b, digests)
    }

    func yaml(_ a: String, _ b: String) -> String {
        """
        \(registry):
          tls-verify: false
          images:
            \(a): ["1.0", "latest"]
          images-by-tag-regex:
            \(b): ^[0-9]
          images-by-semver:
            \(a): ">= 2.0"
        """
    }

    /// `ferry sync --json` and its decoded report.
    func sync(_ arguments: [String]) async throws -> (images: [[String: Any]], totals: [String: Any]) {
        let result = try await ExternalTool.run(ferry, ["sync", "--json", "--no-sync"] + arguments)
        #expect(result.exitCode == 0, "ferry sync \(arguments): \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(object["schemaVersion"] as? Int == 1)
        return (object["images"] as? [[String: Any]] ?? [], object["totals"] as? [String: Any] ?? [:])
    }

    @Test func resolvesTheTagsSkopeoSyncResolves() async throws {
        try await withTemporaryDirectory { dir in
            let (a, b, _) = try await seed(dir, seed: 1401)
            // Debian's skopeo 1.9 has no images-by-semver (it ignores the key without a word), so
            // the comparison uses the keys it knows; semver is checked on its own below.
            let skopeoYAML = yaml(a, b).split(separator: "\n").prefix(6).joined(separator: "\n") + "\n"
            try skopeoYAML.write(toFile: dir + "/set.yaml", atomically: true, encoding: .utf8)
            try yaml(a, b).write(toFile: dir + "/full.yaml", atomically: true, encoding: .utf8)
            // skopeo sync to a directory: one folder per image, named by the repository's last
            // path component and the tag.
            let skopeo = try ExternalTool.require("skopeo")
            try await ExternalTool.runChecked(skopeo, ["sync", "--src", "yaml", "--dest", "dir", dir + "/set.yaml", dir + "/skopeo"])
            var skopeoImages = Set<String>()
            let enumerator = FileManager.default.enumerator(atPath: dir + "/skopeo")
            while let path = enumerator?.nextObject() as? String {
                if path.hasSuffix("/manifest.json") { skopeoImages.insert(String(path.dropLast("/manifest.json".count))) }
            }
            func resolved(_ file: String) async throws -> Set<String> {
                let (images, _) = try await sync(["--dry-run", "--images", dir + "/" + file, "oci:\(dir)/plan"])
                #expect(images.allSatisfy { $0["status"] as? String == "planned" })
                return Set(images.compactMap { ($0["source"] as? String)?.replacingOccurrences(of: "docker://\(registry)/", with: "") })
            }
            let ferryImages = try await resolved("set.yaml")
            #expect(Set(ferryImages.map { String($0.split(separator: "/").last ?? "") }) == skopeoImages)
            #expect(ferryImages == ["\(a):1.0", "\(a):latest", "\(b):1.0", "\(b):3.0"])
            // With images-by-semver ">= 2.0": 2.0.0, not the prerelease 2.1.0-rc1 (as Masterminds).
            #expect(try await resolved("full.yaml") == ferryImages.union(["\(a):2.0.0"]))
            #expect(!FileManager.default.fileExists(atPath: dir + "/plan"), "--dry-run wrote the layout")
        }
    }

    @Test func registryToLayoutToBundleToRegistryKeepsEveryDigest() async throws {
        try await withTemporaryDirectory { dir in
            let (a, b, digests) = try await seed(dir, seed: 1402)
            try yaml(a, b).write(toFile: dir + "/set.yaml", atomically: true, encoding: .utf8)

            // Registry → one layout: each unique blob written once.
            let (toLayout, totals) = try await sync(["--images", dir + "/set.yaml", "oci:\(dir)/layout"])
            #expect(toLayout.count == 5 && toLayout.allSatisfy { $0["status"] as? String == "copied" })
            let blobBytes = try FileManager.default.contentsOfDirectory(atPath: dir + "/layout/blobs/sha256").reduce(Int64(0)) { sum, name in
                let size = (try FileManager.default.attributesOfItem(atPath: dir + "/layout/blobs/sha256/" + name)[.size] as? NSNumber)?.int64Value ?? 0
                return sum + size
            }
            let written = try #require(totals["bytesCopied"] as? Int64 ?? (totals["bytesCopied"] as? Int).map(Int64.init))
            let unique = try #require(totals["uniqueBytes"] as? Int64 ?? (totals["uniqueBytes"] as? Int).map(Int64.init))
            #expect(written == unique, "bytes written \(written) != unique blob bytes \(unique)")
            #expect(blobBytes >= unique && blobBytes < unique + 64 * 1024, "layout blobs \(blobBytes) bytes; unique blobs \(unique) + documents")

            // skopeo takes a single image out of the layout by its full name.
            let skopeo = try ExternalTool.require("skopeo")
            let name = "\(registry)/\(a):2.0.0"
            let raw = try await ExternalTool.runChecked(skopeo, ["inspect", "--raw", "oci:\(dir)/layout:\(name)"]).stdout
            #expect(try DigestHasher.digest(Array(raw.utf8)) == digests["\(a):2.0.0"])

            // A rerun with nothing new moves nothing.
            let (again, againTotals) = try await sync(["--images", dir + "/set.yaml", "oci:\(dir)/layout"])
            #expect(again.allSatisfy { $0["status"] as? String == "up-to-date" })
            #expect(againTotals["blobsCopied"] as? Int == 0)

            // Layout → bundle → another place in the registry.
            _ = try await sync(["oci:\(dir)/layout", "oci-archive:\(dir)/bundle.tar"])
            let rawFromBundle = try await ExternalTool.runChecked(skopeo, ["inspect", "--raw", "oci-archive:\(dir)/bundle.tar:\(registry)/\(b):3.0"]).stdout
            #expect(try DigestHasher.digest(Array(rawFromBundle.utf8)) == digests["\(b):3.0"])
            #expect(!FileManager.default.fileExists(atPath: dir + "/.bundle.tar.ferry-sync"), "the staging layout stayed")
            // A run killed after packing but before the staging layout was removed leaves it
            // beside a whole bundle: the rerun finds every image there and removes the leftover.
            try FileManager.default.copyItem(atPath: dir + "/layout", toPath: dir + "/.bundle.tar.ferry-sync")
            let (packedAgain, _) = try await sync(["oci:\(dir)/layout", "oci-archive:\(dir)/bundle.tar"])
            #expect(packedAgain.allSatisfy { $0["status"] as? String == "up-to-date" })
            #expect(!FileManager.default.fileExists(atPath: dir + "/.bundle.tar.ferry-sync"), "a leftover staging layout stayed beside a whole bundle")
            let prefix = SharedFixtures.uniqueRepository("sync-back")
            let (back, _) = try await sync(["oci-archive:\(dir)/bundle.tar", "docker://\(registry)/\(prefix)"])
            #expect(back.count == 5 && back.allSatisfy { $0["status"] as? String == "copied" })
            try await withRegistryClient(registry, options: plainOptions) { client in
                for key in ["\(a):1.0", "\(a):latest", "\(a):2.0.0", "\(b):1.0", "\(b):3.0"] {
                    let parts = key.split(separator: ":")
                    let descriptor = try await client.manifestDescriptor("\(prefix)/\(parts[0])", .tag(String(parts[1])))
                    #expect(descriptor?.digest == digests[key], "\(key) came back as \(String(describing: descriptor?.digest))")
                }
            }
            // The way back again: every image up to date.
            let (backAgain, _) = try await sync(["oci-archive:\(dir)/bundle.tar", "docker://\(registry)/\(prefix)"])
            #expect(backAgain.allSatisfy { $0["status"] as? String == "up-to-date" })
        }
    }

    @Test func aRegistryDestinationMountsSharedBlobs() async throws {
        try await withTemporaryDirectory { dir in
            let (a, b, _) = try await seed(dir, seed: 1403)
            try yaml(a, b).write(toFile: dir + "/set.yaml", atomically: true, encoding: .utf8)
            let prefix = SharedFixtures.uniqueRepository("sync-mirror")
            let (images, totals) = try await sync(["--images", dir + "/set.yaml", "docker://\(registry)/\(prefix)"])
            #expect(images.count == 5 && images.allSatisfy { $0["status"] as? String == "copied" })
            // a:1.0 and b:1.0 are one image in two repositories: its blobs are uploaded once and
            // mounted into the other repository.
            #expect(totals["blobsCopied"] as? Int == totals["uniqueBlobs"] as? Int)
            let skopeo = try ExternalTool.require("skopeo")
            try await ExternalTool.runChecked(skopeo, ["inspect", "--tls-verify=false", "docker://\(registry)/\(prefix)/\(b):1.0"])
        }
    }

    /// Two prefixes of one registry in one sync (two destinations on one host, behind the
    /// recording proxy): each blob's bytes are uploaded once, and the other prefix's repository
    /// mounts it.
    @Test func twoPrefixesOfOneRegistryUploadEachBlobOnce() async throws {
        try await withTemporaryDirectory { dir in
            let (a, b, digests) = try await seed(dir, seed: 1405)
            try yaml(a, b).write(toFile: dir + "/set.yaml", atomically: true, encoding: .utf8)
            try await withFaultProxy(upstream: registry, faults: []) { proxy in
                let first = SharedFixtures.uniqueRepository("sync-p1")
                let second = SharedFixtures.uniqueRepository("sync-p2")
                let (images, totals) = try await sync(["--images", dir + "/set.yaml", "docker://\(proxy.host)/\(first)", "docker://\(proxy.host)/\(second)"])
                #expect(images.count == 10 && images.allSatisfy { $0["status"] as? String == "copied" }, "\(images)")
                // Uploads that completed, by digest: each blob's bytes went up once.
                var uploads: [String: Int] = [:]
                for line in proxy.log() where line.hasPrefix("PUT ") && line.contains("/blobs/uploads/") {
                    guard let digest = line.range(of: "digest=").map({ line[$0.upperBound...].prefix { $0 != " " && $0 != "&" } }) else { continue }
                    uploads[String(digest).removingPercentEncoding ?? String(digest), default: 0] += 1
                }
                // (The totals count each destination's unique blobs.)
                #expect(uploads.count * 2 == totals["uniqueBlobs"] as? Int, "\(uploads) \(totals)")
                let twice = uploads.filter { $0.value > 1 }
                #expect(twice.isEmpty, "blobs uploaded more than once: \(twice)")
                #expect(proxy.log().contains { $0.hasPrefix("POST ") && $0.contains("mount=") && $0.contains("status=201") }, "no mount")
                try await withRegistryClient(registry, options: plainOptions) { client in
                    for prefix in [first, second] {
                        let descriptor = try await client.manifestDescriptor("\(prefix)/\(a)", .tag("1.0"))
                        #expect(descriptor?.digest == digests["\(a):1.0"], "\(prefix)")
                    }
                }
            }
        }
    }

    /// Three destinations at once — a registry, a layout and a bundle — from a registry behind the
    /// recording proxy: every blob and every manifest is read from the source once, and each
    /// destination ends with every image.
    @Test func oneReadFeedsEveryDestination() async throws {
        try await withTemporaryDirectory { dir in
            let (a, b, digests) = try await seed(dir, seed: 1404)
            try await withFaultProxy(upstream: registry, faults: []) { proxy in
                try yaml(a, b).replacingOccurrences(of: "\(registry):", with: "\(proxy.host):").write(
                    toFile: dir + "/set.yaml", atomically: true, encoding: .utf8)
                let prefix = SharedFixtures.uniqueRepository("sync-fan")
                let (images, totals) = try await sync([
                    "--images", dir + "/set.yaml", "docker://\(registry)/\(prefix)", "oci:\(dir)/layout", "oci-archive:\(dir)/bundle.tar",
                ])
                #expect(images.count == 15 && images.allSatisfy { $0["status"] as? String == "copied" }, "\(images)")
                #expect(totals["blobsCopied"] as? Int == totals["uniqueBlobs"] as? Int)

                // What was read from the source: each blob and each manifest digest once.
                var reads: [String: Int] = [:]
                for line in proxy.log() where line.hasPrefix("GET /v2/") {
                    let path = line.split(separator: " ")[1]
                    guard let marker = path.range(of: "/blobs/") ?? path.range(of: "/manifests/") else { continue }
                    let kind = path.contains("/blobs/") ? "blob" : "manifest"
                    reads["\(kind) \(path[marker.upperBound...])", default: 0] += 1
                }
                #expect(reads.keys.contains { $0.hasPrefix("blob ") }, "\(proxy.log())")
                let readTwice = reads.filter { $0.key.hasPrefix("blob ") && $0.value > 1 }
                #expect(readTwice.isEmpty, "blobs read more than once from the source: \(readTwice)")
                let manifestsTwice = reads.filter { $0.key.hasPrefix("manifest sha256:") && $0.value > 1 }
                #expect(manifestsTwice.isEmpty, "manifests read more than once by digest: \(manifestsTwice)")
                // A manifest read by its tag is not read again by its digest.
                let alsoByDigest = Set(digests.values).filter { reads["manifest \($0)"] != nil }
                #expect(alsoByDigest.isEmpty, "read by tag, then again by digest: \(alsoByDigest)")

                // Each destination holds every image.
                let skopeo = try ExternalTool.require("skopeo")
                for key in ["\(a):1.0", "\(a):latest", "\(b):3.0"] {
                    let parts = key.split(separator: ":").map(String.init)
                    let name = "\(proxy.host)/\(key)"
                    let fromLayout = try await ExternalTool.runChecked(skopeo, ["inspect", "--raw", "oci:\(dir)/layout:\(name)"]).stdout
                    #expect(try DigestHasher.digest(Array(fromLayout.utf8)) == digests[key])
                    let fromBundle = try await ExternalTool.runChecked(skopeo, ["inspect", "--raw", "oci-archive:\(dir)/bundle.tar:\(name)"]).stdout
                    #expect(try DigestHasher.digest(Array(fromBundle.utf8)) == digests[key])
                    try await withRegistryClient(registry, options: plainOptions) { client in
                        let descriptor = try await client.manifestDescriptor("\(prefix)/\(parts[0])", .tag(parts[1]))
                        #expect(descriptor?.digest == digests[key], "\(key) in the registry")
                    }
                }
                let verify = try await ExternalTool.run(ferry, ["verify", "oci:\(dir)/layout"])
                #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
            }
        }
    }
}
