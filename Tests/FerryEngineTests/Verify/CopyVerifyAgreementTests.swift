import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Copy and verify read one image the same way (issue 12, item 7): whatever copy refuses, verify
/// reports as an error, and the reverse. Each row mutates a one-image layout; the image is then
/// verified and copied to an OCI layout and to a docker-archive, and all three must agree.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct CopyVerifyAgreementTests {
    /// A mutation of the layout at a path, given what the builder wrote there.
    typealias Mutation = @Sendable (LayoutSurgery, TestImageBuilder.ImageSummary) throws -> Void

    /// Rows: (what the mutation does, whether the result is still a valid image, the mutation).
    static let rows: [(String, Bool, Mutation)] = [
        ("intact", true, { _, _ in }),
        (
            "config history entry is a number", false,
            { layout, image in
                try layout.editConfig(of: image, tag: "t") { config in
                    var history = config["history"] as! [Any]
                    history[0] = 5
                    config["history"] = history
                }
            }
        ),
        (
            "config history has a number appended", false,
            { layout, image in
                try layout.editConfig(of: image, tag: "t") { config in config["history"] = (config["history"] as! [Any]) + [5] }
            }
        ),
        (
            "config history has one entry too few", false,
            { layout, image in
                try layout.editConfig(of: image, tag: "t") { config in config["history"] = Array((config["history"] as! [Any]).dropFirst()) }
            }
        ),
        (
            "config history marks every entry empty_layer", false,
            { layout, image in
                try layout.editConfig(of: image, tag: "t") { config in
                    config["history"] = (config["history"] as! [[String: Any]]).map { entry in
                        var entry = entry
                        entry["empty_layer"] = true
                        return entry
                    }
                }
            }
        ),
        (
            "config without history", true,
            { layout, image in
                try layout.editConfig(of: image, tag: "t") { config in config["history"] = nil }
            }
        ),
        (
            "config os is a number", false,
            { layout, image in
                try layout.editConfig(of: image, tag: "t") { config in config["os"] = 7 }
            }
        ),
        (
            "config diff_ids one short", false,
            { layout, image in
                try layout.editConfig(of: image, tag: "t") { config in
                    var rootfs = config["rootfs"] as! [String: Any]
                    rootfs["diff_ids"] = Array((rootfs["diff_ids"] as! [Any]).dropLast())
                    config["rootfs"] = rootfs
                }
            }
        ),
        (
            "config is not JSON", false,
            { layout, image in
                try layout.replaceConfig(of: image, tag: "t", with: Array("{not json".utf8))
            }
        ),
        // Found by the copy-verify fuzz target (Tests/FuzzCases/copy-verify/): JSONDecoder passed
        // the byte on, verify's parser refused it.
        (
            "config has a byte that is not UTF-8 inside a string", false,
            { layout, image in
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(image.configDigest))))
                let at = try #require(bytes.indices.first { Array(bytes[$0...].prefix(7)) == Array(#""linux""#.utf8) })
                bytes.insert(0xFF, at: at + 3)
                try layout.replaceConfig(of: image, tag: "t", with: bytes)
            }
        ),
        (
            "md5 layer digest, blob missing", false,
            { layout, image in
                try editLayer(layout, image, digest: "md5:" + String(repeating: "0", count: 32))
            }
        ),
        (
            "sha256+b64 layer digest, blob missing", false,
            { layout, image in
                try editLayer(layout, image, digest: "sha256+b64:" + String(repeating: "A", count: 43))
            }
        ),
        (
            "sha512 layer digest, blob missing", false,
            { layout, image in
                try editLayer(layout, image, digest: "sha512:" + String(repeating: "0", count: 128))
            }
        ),
        ("layer blob missing", false, { layout, image in try layout.remove(image.layerDigests[1]) }),
        ("layer blob corrupt", false, { layout, image in try layout.flipByte(of: image.layerDigests[0]) }),
        (
            "schema 1 label over a schema 2 body", false,
            { layout, _ in
                try layout.editFirstIndexEntry { $0["mediaType"] = "application/vnd.docker.distribution.manifest.v1+json" }
            }
        ),
        (
            "signed schema 1 label over a schema 2 body", false,
            { layout, _ in
                try layout.editFirstIndexEntry { $0["mediaType"] = "application/vnd.docker.distribution.manifest.v1+prettyjws" }
            }
        ),
        (
            "index label over a manifest body", false,
            { layout, _ in
                try layout.editFirstIndexEntry { $0["mediaType"] = "application/vnd.oci.image.index.v1+json" }
            }
        ),
        (
            "index.json lists no image", false,
            { layout, _ in
                try layout.writeIndex(bytes: Array(#"{"schemaVersion":2,"manifests":[]}"#.utf8))
            }
        ),
        // Found by the copy-verify fuzz target (Tests/FuzzCases/copy-verify/): the layout source
        // read a missing `manifests` as none, and copy --all copied nothing, exit 0.
        (
            "index.json has no manifests array", false,
            { layout, _ in
                try layout.writeIndex(bytes: Array(#"{"schemaVersion":2,"manifest":[]}"#.utf8))
            }
        ),
        (
            "index.json manifests is an object", false,
            { layout, _ in
                try layout.writeIndex(bytes: Array(#"{"schemaVersion":2,"manifests":{}}"#.utf8))
            }
        ),
        (
            "manifest schemaVersion 1", false,
            { layout, image in
                try layout.rewriteManifest(image.manifestDigest, tag: "t") { $0["schemaVersion"] = 1 }
            }
        ),
        // Found by the copy-verify fuzz target (Tests/FuzzCases/copy-verify/): a layer media type
        // with a character RFC 6838 does not allow; verify refused it, copy carried it.
        (
            "layer mediaType is not type/subtype", false,
            { layout, image in
                try layout.rewriteManifest(image.manifestDigest, tag: "t") { manifest in
                    var layers = manifest["layers"] as! [[String: Any]]
                    layers[0]["mediaType"] = "application/vnd.oci.image.laye`.v1.tar+gzip"
                    manifest["layers"] = layers
                }
            }
        ),
        // Found by the copy-verify fuzz target too: the manifest's own mediaType field names
        // another version than its descriptor; verify refused it, copy read it as the descriptor
        // said. Both now read it as the descriptor says (verify warns), as real layouts need
        // (SharedInteropFacts, ggcr's index-mixed-mediatypes).
        (
            "manifest mediaType field disagrees with its descriptor", true,
            { layout, image in
                try layout.rewriteManifest(image.manifestDigest, tag: "t") { $0["mediaType"] = "application/vnd.oci.image.manifest.v2+json" }
            }
        ),
        // An OCI manifest labelled Docker schema 2 in index.json: read as Docker, it names an
        // OCI config, which schema 2 does not allow. verify refused it; copy carried it.
        (
            "index entry labels the OCI manifest as Docker schema 2", false,
            { layout, _ in
                try layout.editFirstIndexEntry { $0["mediaType"] = MediaType.dockerManifest.rawValue }
            }
        ),
        (
            "Docker manifest names an OCI zstd layer", false,
            { layout, image in
                _ = try layout.rewriteManifest(image.manifestDigest, tag: "t") { manifest in
                    manifest["mediaType"] = MediaType.dockerManifest.rawValue
                    var config = manifest["config"] as! [String: Any]
                    config["mediaType"] = MediaType.dockerConfig.rawValue
                    manifest["config"] = config
                    var layers = manifest["layers"] as! [[String: Any]]
                    layers[0]["mediaType"] = MediaType.ociLayerZstd.rawValue
                    manifest["layers"] = layers
                }
                try layout.editFirstIndexEntry { $0["mediaType"] = MediaType.dockerManifest.rawValue }
            }
        ),
        // Found by the copy-verify fuzz target: a raw control character inside a string, which
        // JSON does not allow; verify refused the manifest, copy's decoder read it.
        (
            "manifest holds an unescaped control character in a string", false,
            { layout, image in
                let bytes = try layout.bytes(of: image.manifestDigest)
                try layout.replaceManifest(tag: "t", with: Array(#"{"annotations":{"note":"a"#.utf8) + [0x01] + Array(#"b"},"#.utf8) + bytes.dropFirst())
            }
        ),
        (
            "layer artifactType is not type/subtype", false,
            { layout, image in
                try layout.rewriteManifest(image.manifestDigest, tag: "t") { manifest in
                    var layers = manifest["layers"] as! [[String: Any]]
                    layers[0]["artifactType"] = "not a media type"
                    manifest["layers"] = layers
                }
            }
        ),
    ]

    /// Rows on an image whose layers are plain tars, so that each layer's digest is its DiffID.
    static let uncompressedRows: [(String, Bool, Mutation)] = [
        ("uncompressed layers, intact", true, { _, _ in }),
        // Found by the copy-verify fuzz target (Tests/FuzzCases/copy-verify/): one hex digit of
        // a DiffID changed; verify decompressed and refused, copy to oci: carried the layer as it was.
        (
            "uncompressed layers, config diff_ids[0] names another digest", false,
            { layout, image in
                try layout.setDiffID(0, to: "sha256:" + String(repeating: "1", count: 64), of: image, tag: "t")
            }
        ),
    ]

    /// Rows only a copy with `--check-layers` agrees on with verify, which inflates and walks
    /// every layer; a copy without it checks digests and sizes only, as `verify --fast` does.
    static let contentRows: [(String, Bool, compressed: Bool, Mutation)] = [
        (
            "gzip layers, config diff_ids[0] names another digest", false, true,
            { layout, image in
                try layout.setDiffID(0, to: "sha256:" + String(repeating: "1", count: 64), of: image, tag: "t")
            }
        ),
        (
            "uncompressed layer with a member that climbs out of the root", false, false,
            { layout, image in
                try replaceFirstLayer(layout, image, with: tar([("../escape", Array("out".utf8))]))
            }
        ),
        (
            "uncompressed layer with a hard link to a member not seen", false, false,
            { layout, image in
                try replaceFirstLayer(layout, image, with: tar([("a", []), ("b", [])], hardLinkLast: "nowhere"))
            }
        ),
        (
            "uncompressed layer that is a tar of plain members (control)", true, false,
            { layout, image in
                try replaceFirstLayer(layout, image, with: tar([("etc/hello", Array("hi".utf8))]))
            }
        ),
    ]

    @Test(arguments: contentRows.indices)
    func aCheckedCopyAgreesWithVerifyOnLayerContent(_ row: Int) async throws {
        let (label, valid, compressed, mutate) = Self.contentRows[row]
        try await judge((label, valid, mutate), seed: 1270 + UInt64(row), compressed: compressed, checkLayers: true)
    }

    /// Without `--check-layers` a copy checks digests and sizes and carries a layer as it is,
    /// never inflating or walking it (as skopeo and crane): it takes these images into `oci:`
    /// as `verify --fast` does — the reason the option exists.
    @Test(arguments: contentRows.indices)
    func anUncheckedCopyCarriesTheLayerAsVerifyFastDoes(_ row: Int) async throws {
        let (label, valid, compressed, mutate) = Self.contentRows[row]
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 1280 + UInt64(row))
            builder.addImage(tag: "t", layerCount: 2, compressed: compressed)
            let summary = try await builder.write(to: dir + "/src")
            try mutate(LayoutSurgery(dir + "/src"), try #require(summary["t"]?.images.first))
            let reference = try TransportReference(parsing: "oci:\(dir)/src:t")
            let fast = await Verifier(reference: reference, options: VerifyOptions(mode: .fast)).run()
            #expect(fast.errors == 0, "\(label): \(fast.problems)")
            _ = try await CopyOperation(
                source: try reference.openSource(), destination: try TransportReference(parsing: "oci:\(dir)/out:t").openDestination(),
                selector: reference.selector
            ).run()
            let full = await Verifier(reference: try TransportReference(parsing: "oci:\(dir)/out:t")).run()
            #expect((full.errors == 0) == valid, "\(label): the copy carried the layer as it was, and verify sees it there: \(full.problems)")
        }
    }

    @Test(arguments: rows.indices, [false, true])
    func copyAndVerifyAgree(_ row: Int, checkLayers: Bool) async throws {
        try await judge(Self.rows[row], seed: 1200 + UInt64(row), compressed: true, checkLayers: checkLayers)
    }

    @Test(arguments: uncompressedRows.indices, [false, true])
    func copyAndVerifyAgreeOnUncompressedLayers(_ row: Int, checkLayers: Bool) async throws {
        try await judge(Self.uncompressedRows[row], seed: 1260 + UInt64(row), compressed: false, checkLayers: checkLayers)
    }

    /// Writes a one-image layout, mutates it, then verifies it and copies it to an OCI layout and
    /// to a docker-archive (with `--check-layers` or without): all three must agree, and agree
    /// with `valid`.
    func judge(_ row: (String, Bool, Mutation), seed: UInt64, compressed: Bool, checkLayers: Bool = false) async throws {
        var options = CopyOptions()
        options.checkLayers = checkLayers
        let (label, valid, mutate) = row
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: seed)
            builder.addImage(tag: "t", layerCount: 2, compressed: compressed)
            let summary = try await builder.write(to: dir + "/src")
            try mutate(LayoutSurgery(dir + "/src"), try #require(summary["t"]?.images.first))
            // Rows about index.json name no image; they are copied as named (the only one) and all.
            let selector = label.hasPrefix("index.json") ? "" : ":t"

            let report = await Verifier(reference: try TransportReference(parsing: "oci:\(dir)/src\(selector)")).run()
            let verified = report.errors == 0
            var outcomes: [String: String] = ["verify": verified ? "accepted" : "refused: \(report.problems.first { $0.severity == .error }?.message ?? "?")"]
            for destination in ["oci:\(dir)/out:t", "docker-archive:\(dir)/out.tar:ferry/agree:t"] {
                do {
                    let source = try TransportReference(parsing: "oci:\(dir)/src\(selector)")
                    _ = try await CopyOperation(
                        source: try source.openSource(), destination: try TransportReference(parsing: destination).openDestination(),
                        selector: source.selector, options: options
                    ).run()
                    outcomes[destination] = "accepted"
                } catch {
                    outcomes[destination] = "refused: \(error)"
                }
            }
            if selector.isEmpty {
                do {
                    _ = try await CopyOperation(
                        source: try TransportReference(parsing: "oci:\(dir)/src").openSource(),
                        destination: try TransportReference(parsing: "oci:\(dir)/out-all").openDestination(), selector: .all, options: options
                    ).run()
                    outcomes["oci: --all"] = "accepted"
                } catch {
                    outcomes["oci: --all"] = "refused: \(error)"
                }
            }
            let accepted = outcomes.values.filter { $0 == "accepted" }.count
            #expect(accepted == 0 || accepted == outcomes.count, "\(label): copy and verify disagree: \(outcomes)")
            #expect(verified == valid, "\(label): \(outcomes)")
        }
    }

    /// Rows: `manifest.json` of the bundled docker-archive replaced by these bytes (nothing in it
    /// to copy), with whether the archive is still valid.
    @Test(
        .enabled(if: SharedFixtures.testImagesDirectory != nil, "TestImages/ not found"),
        arguments: [
            ("as bundled", nil, true),
            ("empty file", "", false),
            ("an empty array", "[]", false),
            ("null", "null", false),
            ("an item without Config", #"[{"RepoTags":["a:b"],"Layers":[]}]"#, false),
        ] as [(String, String?, Bool)])
    func dockerArchiveManifestJSON(_ label: String, _ replacement: String?, _ valid: Bool) async throws {
        let bundled = try #require(SharedFixtures.testImagesDirectory) + "/hello.docker.tar"
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/x", withIntermediateDirectories: true)
            try await ExternalTool.runChecked("tar", ["-xf", bundled, "-C", dir + "/x"])
            if let replacement { try Data(replacement.utf8).write(to: URL(fileURLWithPath: dir + "/x/manifest.json")) }
            let members = try FileManager.default.contentsOfDirectory(atPath: dir + "/x").sorted()
            try await ExternalTool.runChecked("tar", ["-cf", dir + "/in.tar", "-C", dir + "/x"] + members)

            let report = await Verifier(reference: try TransportReference(parsing: "docker-archive:\(dir)/in.tar")).run()
            var copied = true
            do {
                _ = try await CopyOperation(
                    source: try TransportReference(parsing: "docker-archive:\(dir)/in.tar").openSource(),
                    destination: try TransportReference(parsing: "oci:\(dir)/out:t").openDestination()
                ).run()
            } catch {
                copied = false
            }
            #expect((report.errors == 0) == copied, "\(label): verify \(report.problems.map(\.message)), copy \(copied ? "accepted" : "refused")")
            #expect(copied == valid, "\(label)")
        }
    }

    /// A ustar archive of regular files (and, with `hardLinkLast`, a last member that is a hard
    /// link to that name), with its end-of-archive marker.
    static func tar(_ files: [(String, [UInt8])], hardLinkLast target: String? = nil) -> [UInt8] {
        func header(_ name: String, size: Int, type: UInt8, link: String = "") -> [UInt8] {
            var block = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int) { for (i, byte) in text.utf8.enumerated() { block[offset + i] = byte } }
            put(name, at: 0)
            put("0000644", at: 100)
            put("0000000", at: 108)
            put("0000000", at: 116)
            put(String(repeating: "0", count: 11 - String(size, radix: 8).count) + String(size, radix: 8), at: 124)
            put("00000000000", at: 136)
            block[156] = type
            put(link, at: 157)
            put("ustar", at: 257)
            put("00", at: 263)
            for i in 148..<156 { block[i] = 0x20 }
            let sum = block.reduce(0) { $0 + Int($1) }
            put(String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8), at: 148)
            block[154] = 0
            return block
        }
        var out: [UInt8] = []
        for (index, (name, data)) in files.enumerated() {
            if let target, index == files.count - 1 {
                out += header(name, size: 0, type: UInt8(ascii: "1"), link: target)
                continue
            }
            out += header(name, size: data.count, type: UInt8(ascii: "0"))
            out += data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    /// Stores `bytes` as the image's first layer, an uncompressed one, with the config's DiffID
    /// to match (its digest), and points the manifest at both.
    static func replaceFirstLayer(_ layout: LayoutSurgery, _ image: TestImageBuilder.ImageSummary, with bytes: [UInt8]) throws {
        let digest = try DigestHasher.digest(bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: layout.blobPath(digest)))
        try layout.setDiffID(0, to: digest.description, of: image, tag: "t")
        try layout.rewriteManifest(try currentManifest(layout), tag: "t") { manifest in
            var layers = manifest["layers"] as! [[String: Any]]
            layers[0]["digest"] = digest.description
            layers[0]["size"] = bytes.count
            layers[0]["mediaType"] = "application/vnd.oci.image.layer.v1.tar"
            manifest["layers"] = layers
        }
    }

    /// The digest of the manifest `index.json` names first (after an edit moved it).
    static func currentManifest(_ layout: LayoutSurgery) throws -> Digest {
        let manifests = try layout.index()["manifests"] as! [[String: Any]]
        return try Digest(parsing: manifests[0]["digest"] as! String)
    }

    /// Points the image's last layer at `digest` (a blob the layout does not hold).
    static func editLayer(_ layout: LayoutSurgery, _ image: TestImageBuilder.ImageSummary, digest: String) throws {
        try layout.rewriteManifest(image.manifestDigest, tag: "t") { manifest in
            var layers = manifest["layers"] as! [[String: Any]]
            layers[layers.count - 1]["digest"] = digest
            manifest["layers"] = layers
        }
    }
}
