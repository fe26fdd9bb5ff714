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
        ("config history entry is a number", false, { layout, image in
            try editConfig(layout, image) { config in
                var history = config["history"] as! [Any]
                history[0] = 5
                config["history"] = history
            }
        }),
        ("config history has a number appended", false, { layout, image in
            try editConfig(layout, image) { config in config["history"] = (config["history"] as! [Any]) + [5] }
        }),
        ("config history has one entry too few", false, { layout, image in
            try editConfig(layout, image) { config in config["history"] = Array((config["history"] as! [Any]).dropFirst()) }
        }),
        ("config history marks every entry empty_layer", false, { layout, image in
            try editConfig(layout, image) { config in
                config["history"] = (config["history"] as! [[String: Any]]).map { entry in
                    var entry = entry
                    entry["empty_layer"] = true
                    return entry
                }
            }
        }),
        ("config without history", true, { layout, image in
            try editConfig(layout, image) { config in config["history"] = nil }
        }),
        ("config os is a number", false, { layout, image in
            try editConfig(layout, image) { config in config["os"] = 7 }
        }),
        ("config diff_ids one short", false, { layout, image in
            try editConfig(layout, image) { config in
                var rootfs = config["rootfs"] as! [String: Any]
                rootfs["diff_ids"] = Array((rootfs["diff_ids"] as! [Any]).dropLast())
                config["rootfs"] = rootfs
            }
        }),
        ("config is not JSON", false, { layout, image in
            try editConfigBytes(layout, image, Array("{not json".utf8))
        }),
        // Found by the copy-verify fuzz target (Tests/FuzzCases/copy-verify/): JSONDecoder passed
        // the byte on, verify's parser refused it.
        ("config has a byte that is not UTF-8 inside a string", false, { layout, image in
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(image.configDigest))))
            let at = try #require(bytes.indices.first { Array(bytes[$0...].prefix(7)) == Array(#""linux""#.utf8) })
            bytes.insert(0xFF, at: at + 3)
            try editConfigBytes(layout, image, bytes)
        }),
        ("md5 layer digest, blob missing", false, { layout, image in
            try editLayer(layout, image, digest: "md5:" + String(repeating: "0", count: 32))
        }),
        ("sha256+b64 layer digest, blob missing", false, { layout, image in
            try editLayer(layout, image, digest: "sha256+b64:" + String(repeating: "A", count: 43))
        }),
        ("sha512 layer digest, blob missing", false, { layout, image in
            try editLayer(layout, image, digest: "sha512:" + String(repeating: "0", count: 128))
        }),
        ("layer blob missing", false, { layout, image in try layout.remove(image.layerDigests[1]) }),
        ("layer blob corrupt", false, { layout, image in try layout.flipByte(of: image.layerDigests[0]) }),
        ("schema 1 label over a schema 2 body", false, { layout, _ in
            try layout.editFirstIndexEntry { $0["mediaType"] = "application/vnd.docker.distribution.manifest.v1+json" }
        }),
        ("signed schema 1 label over a schema 2 body", false, { layout, _ in
            try layout.editFirstIndexEntry { $0["mediaType"] = "application/vnd.docker.distribution.manifest.v1+prettyjws" }
        }),
        ("index label over a manifest body", false, { layout, _ in
            try layout.editFirstIndexEntry { $0["mediaType"] = "application/vnd.oci.image.index.v1+json" }
        }),
        ("index.json lists no image", false, { layout, _ in
            try layout.writeIndex(bytes: Array(#"{"schemaVersion":2,"manifests":[]}"#.utf8))
        }),
        // Found by the copy-verify fuzz target (Tests/FuzzCases/copy-verify/): the layout source
        // read a missing `manifests` as none, and copy --all copied nothing, exit 0.
        ("index.json has no manifests array", false, { layout, _ in
            try layout.writeIndex(bytes: Array(#"{"schemaVersion":2,"manifest":[]}"#.utf8))
        }),
        ("index.json manifests is an object", false, { layout, _ in
            try layout.writeIndex(bytes: Array(#"{"schemaVersion":2,"manifests":{}}"#.utf8))
        }),
        ("manifest schemaVersion 1", false, { layout, image in
            try layout.rewriteManifest(image.manifestDigest, tag: "t") { $0["schemaVersion"] = 1 }
        }),
    ]

    /// Rows on an image whose layers are plain tars, so that each layer's digest is its DiffID.
    static let uncompressedRows: [(String, Bool, Mutation)] = [
        ("uncompressed layers, intact", true, { _, _ in }),
        // Found by the copy-verify fuzz target (Tests/FuzzCases/copy-verify/): one hex digit of
        // a DiffID changed; verify decompressed and refused, copy to oci: carried the layer as it was.
        ("uncompressed layers, config diff_ids[0] names another digest", false, { layout, image in
            try editConfig(layout, image) { config in
                var rootfs = config["rootfs"] as! [String: Any]
                var diffIDs = rootfs["diff_ids"] as! [String]
                diffIDs[0] = "sha256:" + String(repeating: "1", count: 64)
                rootfs["diff_ids"] = diffIDs
                config["rootfs"] = rootfs
            }
        }),
    ]

    /// Known and not fixed: a gzip layer copied as it is to `oci:` is not decompressed, so its
    /// DiffID is not checked (verify decompresses and refuses). Checking it would cost a
    /// decompression of every layer on every copy; recorded here so that the day copy checks it,
    /// this test fails and the row moves to `rows`.
    @Test func gzipLayerWithAnotherDiffIDIsAKnownDisagreement() async throws {
        await withKnownIssue("copy to oci: does not decompress a gzip layer copied as it is, so it cannot see a wrong DiffID") {
            try await judge(("gzip layers, config diff_ids[0] names another digest", false, { layout, image in
                try Self.editConfig(layout, image) { config in
                    var rootfs = config["rootfs"] as! [String: Any]
                    var diffIDs = rootfs["diff_ids"] as! [String]
                    diffIDs[0] = "sha256:" + String(repeating: "1", count: 64)
                    rootfs["diff_ids"] = diffIDs
                    config["rootfs"] = rootfs
                }
            }), seed: 1270, compressed: true)
        }
    }

    @Test(arguments: rows.indices)
    func copyAndVerifyAgree(_ row: Int) async throws {
        try await judge(Self.rows[row], seed: 1200 + UInt64(row), compressed: true)
    }

    @Test(arguments: uncompressedRows.indices)
    func copyAndVerifyAgreeOnUncompressedLayers(_ row: Int) async throws {
        try await judge(Self.uncompressedRows[row], seed: 1260 + UInt64(row), compressed: false)
    }

    /// Writes a one-image layout, mutates it, then verifies it and copies it to an OCI layout and
    /// to a docker-archive: all three must agree, and agree with `valid`.
    func judge(_ row: (String, Bool, Mutation), seed: UInt64, compressed: Bool) async throws {
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
                        selector: source.selector
                    ).run()
                    outcomes[destination] = "accepted"
                } catch {
                    outcomes[destination] = "refused: \(error)"
                }
            }
            if selector.isEmpty {
                do {
                    _ = try await CopyOperation(source: try TransportReference(parsing: "oci:\(dir)/src").openSource(),
                                                destination: try TransportReference(parsing: "oci:\(dir)/out-all").openDestination(), selector: .all).run()
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
    @Test(.enabled(if: SharedFixtures.testImagesDirectory != nil, "TestImages/ not found"), arguments: [
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
                _ = try await CopyOperation(source: try TransportReference(parsing: "docker-archive:\(dir)/in.tar").openSource(),
                                            destination: try TransportReference(parsing: "oci:\(dir)/out:t").openDestination()).run()
            } catch {
                copied = false
            }
            #expect((report.errors == 0) == copied, "\(label): verify \(report.problems.map(\.message)), copy \(copied ? "accepted" : "refused")")
            #expect(copied == valid, "\(label)")
        }
    }

    /// Rewrites the image's config with `edit` and points its manifest at the new config.
    static func editConfig(_ layout: LayoutSurgery, _ image: TestImageBuilder.ImageSummary, _ edit: (inout [String: Any]) -> Void) throws {
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout.blobPath(image.configDigest)))) as! [String: Any]
        edit(&config)
        try editConfigBytes(layout, image, [UInt8](try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])))
    }

    /// Stores `bytes` as the image's config and points its manifest at it.
    static func editConfigBytes(_ layout: LayoutSurgery, _ image: TestImageBuilder.ImageSummary, _ bytes: [UInt8]) throws {
        let digest = try DigestHasher.digest(bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: layout.blobPath(digest)))
        try layout.rewriteManifest(image.manifestDigest, tag: "t") { manifest in
            var config = manifest["config"] as! [String: Any]
            config["digest"] = digest.description
            config["size"] = bytes.count
            manifest["config"] = config
        }
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
