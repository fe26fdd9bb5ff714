import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

// Third-party OCI layouts and archives from ../shared/interop (see its SOURCES.md for where each
// comes from and what a correct reader concludes). Every expectation below cites that file.

private let interopMissing = "no ../shared/interop (set FERRY_SHARED_DIR)"

/// A fixture under `shared/interop`, opened with the transport its form needs.
struct InteropItem: Sendable, CustomTestStringConvertible {
    /// Path under `shared/interop`.
    var path: String
    var kind: TransportReference.Kind
    /// Per `index.json` entry, in order: its names (ref.name) and the start of its digest.
    var entries: [(names: [String], digest: String)]
    /// Files under `blobs/sha256` after copying every entry: every manifest, config and layer.
    var blobCount: Int

    var testDescription: String { path }

    func open() throws -> any ImageSource {
        let full = try #require(SharedFixtures.interopPath(path), "\(path) is absent")
        return try TransportReference(kind: kind, path: full).openSource()
    }
}

/// The items that are valid, whose every entry Ferry copies whole (every blob verified).
private let copyableItems: [InteropItem] = [
    // Layouts written by regctl / buildx: referrers, artifacts, fallback tags, a subject loop.
    InteropItem(
        path: "oci-layout/regclient-testrepo", kind: .oci,
        entries: [
            (["b1"], "119b4a63"), (["b2"], "87144634"), (["b3"], "caf692c7"),
            (["v1"], "7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa"),
            (["v2"], "dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e"),
            (["v3"], "6fe828b32b9b4572f32b16c1c0a4d675660b19ec207d010724309374252c2d6d"),
            (["a-docker"], "43089316"), (["a-docker-oci"], "d9104343"),
            (["sha256-7e87ffc91b9ceafa85be2777b16b1be10e4664fd4f3acc86e4295b97da5163ba"], "4351e6eb"),
            (["a1"], "0484e93c"),
            (["sha256-dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e"], "955b8a89"),
            (["a2"], "741132f9"),
            (["sha256-ee378b79279b57eb5ac1f3b892c9ad2a9be9d9ccabe1a29a9cbaed8cad182358"], "41d51f3b"),
            (["sha256-36ed7f4ec4545a40ca043f60d76653ef3d2a76f58a051c0f3a256aaab26fb847"], "98291b12"),
            (["sha256-6bed79d0800a0d3a1d0e0e8105a6a5f7f7758ce09e160a8f142574c418302467"], "7ee385b1"),
            (["a3"], "2a25aa50"), (["ai"], "df85221e"), (["a-example"], "90569397"),
            (["sha256-7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa.6fe828b32b9b4572.meta"], "6fe828b32b9b4572"),
            (["child"], "8e54c675"), (["loop"], "d69399e0"),
            (["sha256-8e54c6754f08d22f85c7552bb1951b228b8194d29b14a1639dbe50868da0273e"], "fdc0d905"),
            (["mirror"], "0514ce64"),
            (["sha256-0514ce64171e869a0b065fa1ce1b533e82808c9228d5b97ea6e3ef2e026d9aed"], "0514ce64"),
            // The two untagged v3 referrers.
            ([], "819ff456"), ([], "ad460bc3"),
        ], blobCount: 91),
    InteropItem(
        path: "oci-layout/regclient-external", kind: .oci,
        entries: [
            (["a3"], "30cc0c70"),
            (["sha256-dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e"], "70a9aadd"),
            (["a4"], "c46d3063"),
        ], blobCount: 6),
    // ORAS: an index, single-platform images, a non-JSON config, an empty index, a repeated layer.
    InteropItem(
        path: "oci-layout/orascli-zot-images", kind: .oci,
        entries: [
            (["linux-armv7"], "58efe73e"), (["nonjson-config"], "9d16f550"), (["foobar"], "fd6ed2f3"),
            (["linux-arm64"], "4f934600"), (["empty_index"], "b2a5fcfb"), (["multi"], "e2bfc9cc"),
            (["linux-amd64"], "9d84a571"),
        ], blobCount: 16),
    // A manifest without a mediaType field.
    InteropItem(
        path: "oci-layout/trivy-test_image_tag.oci", kind: .oci,
        entries: [
            (["0.0.1"], "afb744871f99e0ff8e6f253244836ed34c5d805fdb096d3a205ffaf5e9073cab")
        ], blobCount: 3),
    // Artifacts: the empty descriptor as config (with inline data) or as the only layer.
    InteropItem(path: "oci-layout/common-artifact-blobs-only", kind: .oci, entries: [(["v1.0"], "bcb1ab2c")], blobCount: 3),
    InteropItem(path: "oci-layout/common-artifact-no-blobs", kind: .oci, entries: [(["v1.0"], "46ad038e")], blobCount: 2),
    // BuildKit multi-platform with attestations; then the same re-packed by macOS bsdtar
    // (`./` prefixes, AppleDouble `._*` members, no annotations).
    InteropItem(
        path: "oci-archive/apple-scratch-buildkit-multiarch.tar", kind: .ociArchive,
        entries: [
            (["latest"], "e57082df327fc70281bcfc3f84053aa00f300c868034bb9cd7fbf9a9d6dc3bab")
        ], blobCount: 12),
    InteropItem(
        path: "oci-archive/apple-scratch_no_annotations-macos-bsdtar.tar", kind: .ociArchive,
        entries: [
            ([], "e57082df327fc70281bcfc3f84053aa00f300c868034bb9cd7fbf9a9d6dc3bab")
        ], blobCount: 12),
    // BuildKit: zero layers, index.json without mediaType.
    InteropItem(
        path: "oci-archive/common-buildkit-oci.tar", kind: .ociArchive,
        entries: [
            (["oci"], "7b9a5714cfff1338d3db0d7433fc2394b6ddb3cd17a43aa3f71ae52a47a3935a")
        ], blobCount: 2),
    // gzip-wrapped archives from 2018 skopeo: unnamed, named name:tag, and an uppercase name.
    InteropItem(
        path: "oci-archive/common-oci-unnamed.tar.gz", kind: .ociArchive,
        entries: [
            ([], "ff1abe159f09a5fed8fd9b648ab35196b521925b109df26a94d9cf06721ae5e4")
        ], blobCount: 3),
    InteropItem(
        path: "oci-archive/common-oci-name-only.tar.gz", kind: .ociArchive,
        entries: [
            (["pretty-empty:latest"], "ff1abe159f09a5fed8fd9b648ab35196b521925b109df26a94d9cf06721ae5e4")
        ], blobCount: 3),
    InteropItem(
        path: "broken/common-oci-non-docker-name.tar.gz", kind: .ociArchive,
        entries: [
            (["UPPERCASE-IS-INVALID"], "ff1abe159f09a5fed8fd9b648ab35196b521925b109df26a94d9cf06721ae5e4")
        ], blobCount: 3),
]

/// Copies every entry of `source` into a new layout under `dir` and returns it, re-opened.
private func copyAll(_ source: any ImageSource, into dir: String) async throws -> (CopyReport, OCILayoutSource) {
    let report = try await CopyOperation(
        source: source, destination: try OCILayoutDestination(path: dir + "/copy", durable: false),
        selector: .all
    ).run()
    return (report, try OCILayoutSource(path: dir + "/copy"))
}

/// Every file under `blobs/sha256` of a layout hashes to its own name; returns how many there are.
private func verifiedBlobCount(_ layout: String) throws -> Int {
    let directory = layout + "/blobs/sha256"
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    for name in names {
        let digest = try DigestHasher.digest([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
        #expect(digest.encoded == name, "blob \(name) holds \(digest)")
    }
    return names.count
}

/// The digest of the first entry named `name`.
private func digest(_ source: any ImageSource, _ name: String) async throws -> Digest {
    try await source.entry(matching: .name(name)).descriptor.digest
}

@Suite(.enabled(if: SharedFixtures.interopDirectory != nil, "\(interopMissing)"))
struct SharedInteropCopyTests {
    @Test(arguments: copyableItems)
    func entriesAreListedAndEveryBlobCopiesVerified(item: InteropItem) async throws {
        let source = try item.open()
        let entries = try await source.entries()
        #expect(entries.count == item.entries.count)
        for (entry, expected) in zip(entries, item.entries) {
            #expect(entry.names == expected.names)
            #expect(entry.descriptor.digest.encoded.hasPrefix(expected.digest), "\(entry.descriptor.digest) is not \(expected.digest)…")
        }
        try await withTemporaryDirectory { dir in
            let (report, copy) = try await copyAll(source, into: dir)
            #expect(report.entries.map(\.descriptor.digest) == entries.map(\.descriptor.digest))
            #expect(try verifiedBlobCount(dir + "/copy") == item.blobCount)
            // Names travel with their entries; the layout keeps one entry per name.
            for entry in entries {
                for name in entry.names {
                    #expect(try await digest(copy, name) == entry.descriptor.digest)
                }
            }
        }
    }
}

@Suite(.enabled(if: SharedFixtures.interopDirectory != nil, "\(interopMissing)"))
struct SharedInteropFacts {
    private func open(_ path: String) throws -> any ImageSource {
        let kind: TransportReference.Kind = path.hasPrefix("oci-layout/") || path.hasSuffix(".oci") ? .oci : .ociArchive
        return try InteropItem(path: path, kind: kind, entries: [], blobCount: 0).open()
    }

    // SOURCES.md, regclient-testrepo: base indexes b1…b3 have 4 platforms; v1 carries
    // unknown/unknown build attestations; `a3` has 3 titled layers; the `loop` index, whose
    // subject and child are the same manifest, is walked without looping.
    @Test func regclientTestrepoPlatformsArtifactsAndLoop() async throws {
        let inspector = Inspector(source: try open("oci-layout/regclient-testrepo"))
        for base in ["b1", "b2", "b3"] {
            let inspection = try await inspector.inspect(.name(base))
            #expect(inspection.platforms == ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6"], "\(base)")
        }
        let v1 = try await inspector.inspect(.name("v1"))
        #expect(v1.platforms?.filter { $0 != "unknown/unknown" }.count == 2)
        #expect(v1.platforms?.contains("unknown/unknown") == true)
        let v3 = try await inspector.inspect(.name("v3"))
        #expect(v3.platforms?.filter { $0 != "unknown/unknown" }.count == 4)
        let a3 = try await inspector.inspect(.name("a3"))
        #expect(a3.images.first?.layers.count == 3)
        let loop = try await inspector.inspect(.name("loop"))
        #expect(loop.images.map(\.digest) == [try await digest(inspector.source, "child")])
    }

    // SOURCES.md, cimage-delete_image_multiple_images: 7 refs, `latest` and `3.18.3` share an
    // index (linux/amd64 + linux/386); manifest `1.0.0` declares its config as 585 bytes but the
    // blob has 584. Its layers are placeholders (not tars, labelled gzip, stored plain): verify
    // reports every tag, and copy refuses every one as well: each image's config names DiffIDs
    // that are not its plain layers' digests (1.0.0 fails first on its config's size).
    @Test func cimageRefsShareDocumentsAndEveryTagIsRefused() async throws {
        let source = try open("oci-layout/cimage-delete_image_multiple_images")
        let entries = try await source.entries()
        #expect(entries.map(\.names) == [["latest"], ["3.18.3"], ["3"], ["3.18"], ["3.17.5"], ["3.16.7"], ["1.0.0"]])
        #expect(try await digest(source, "latest") == digest(source, "3.18.3"))
        #expect(try await digest(source, "latest").encoded.hasPrefix("a2f79832"))
        #expect(try await digest(source, "3") == digest(source, "3.18"))
        #expect(Set(entries.map(\.descriptor.digest)).count == 5)
        let latest = try await Inspector(source: source).inspect(.name("latest"))
        #expect(latest.platforms == ["linux/amd64", "linux/386"])

        try await withTemporaryDirectory { dir in
            for tag in ["latest", "3.18.3", "3", "3.18", "3.17.5", "3.16.7"] {
                let error = await #expect(throws: EngineError.self, "\(tag)") {
                    _ = try await CopyOperation(
                        source: source, destination: try OCILayoutDestination(path: dir + "/\(tag)", durable: false),
                        selector: .name(tag)
                    ).run()
                }
                #expect(error?.message.contains("rootfs.diff_ids") == true, "\(tag): \(String(describing: error))")
            }
            let error = await #expect(throws: StreamError.self) {
                _ = try await CopyOperation(
                    source: source, destination: try OCILayoutDestination(path: dir + "/bad", durable: false),
                    selector: .name("1.0.0")
                ).run()
            }
            #expect(error?.code == .sizeMismatch)
            #expect(error?.message.contains("sha256:913cf3a3") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: dir + "/bad/index.json"))
        }
    }

    // The same size mismatch must not slip through when 1.0.0 is copied together with 3.18,
    // whose descriptor of the same config is right: each descriptor is verified on its own.
    @Test func copyAllStillFlagsTheWrongConfigSizeOfTag100() async throws {
        let source = try open("oci-layout/cimage-delete_image_multiple_images")
        try await withTemporaryDirectory { dir in
            let error = await #expect(throws: StreamError.self) {
                _ = try await copyAll(source, into: dir)
            }
            #expect(error?.code == .sizeMismatch)
            #expect(error?.message.contains("sha256:913cf3a3") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: dir + "/copy/index.json"))
        }
    }

    // SOURCES.md, ggcr-test_index-mixed-mediatypes: `2` has the descriptor type
    // application/vnd.oci.descriptor.v1+json (ggcr validates it as a layer: Ferry carries it as
    // an opaque blob); `3` is a nested OCI index; `4` is a Docker manifest list
    // (sha256:2b29a2b8…) inside an OCI layout. `3` and `4` both hold image `1`.
    @Test func ggcrMixedMediaTypesAreListedAndTheDescriptorTypedEntryCopies() async throws {
        let source = try open("oci-layout/ggcr-test_index-mixed-mediatypes")
        let entries = try await source.entries()
        #expect(entries.map(\.names) == [["1"], ["2"], ["3"], ["4"]])
        #expect(entries.map(\.descriptor.mediaType) == [.ociManifest, .ociDescriptor, .ociIndex, .dockerManifestList])
        #expect(entries[3].descriptor.digest.encoded.hasPrefix("2b29a2b8"))
        let list = try await Inspector(source: source).rawDocument(.name("4"))
        #expect(list.mediaType == .dockerManifestList)
        try await withTemporaryDirectory { dir in
            let report = try await CopyOperation(
                source: source, destination: try OCILayoutDestination(path: dir + "/copy", durable: false),
                selector: .name("2")
            ).run()
            #expect(report.entries.first?.descriptor.digest == entries[1].descriptor.digest)
            #expect(report.blobsCopied == 1)
            #expect(try verifiedBlobCount(dir + "/copy") == 1)
        }
    }

    // SOURCES.md: image `1` (eebff607…) validates; its descriptor says OCI manifest while the
    // blob says Docker schema 2, and ggcr lets the descriptor win ("a strict reader may
    // additionally warn"). So `1`, and the indexes `3` and `4` that hold it, read and copy.
    @Test func ggcrManifestWhoseBlobSaysDockerIsReadAsItsDescriptorSays() async throws {
        let source = try open("oci-layout/ggcr-test_index-mixed-mediatypes")
        let inspection = try await Inspector(source: source).inspect(.name("1"))
        #expect(inspection.digest.encoded == "eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650")
        #expect(inspection.mediaType == .ociManifest)
        #expect(inspection.images.first?.configDigest.encoded.hasPrefix("6e0b0504") == true)
        #expect(inspection.images.first?.layers.first?.mediaType == .dockerLayerGzip)
        for tag in ["1", "3", "4"] {
            try await withTemporaryDirectory { dir in
                let report = try await CopyOperation(
                    source: source, destination: try OCILayoutDestination(path: dir + "/copy", durable: false),
                    selector: .name(tag)
                ).run()
                #expect(report.entries.count == 1, "tag \(tag)")
            }
        }
    }

    // SOURCES.md, orascli-zot-images: `multi` → linux/amd64, arm64, arm/v7; its configs are
    // `{"architecture","os"}` only (no rootfs) and the layout is valid; `foobar` lists one blob
    // twice; `nonjson-config` has a config that is not JSON; `empty_index` has no manifests.
    @Test func orasImagesInspectDespiteMinimalConfigs() async throws {
        let inspector = Inspector(source: try open("oci-layout/orascli-zot-images"))
        let multi = try await inspector.inspect(.name("multi"))
        #expect(multi.platforms == ["linux/amd64", "linux/arm64", "linux/arm/v7"])
        #expect(multi.images.map(\.platform) == ["linux/amd64", "linux/arm64", "linux/arm/v7"])
        #expect(multi.images.allSatisfy { $0.diffIDs == nil })
        let foobar = try await inspector.inspect(.name("foobar"))
        let layers = try #require(foobar.images.first?.layers)
        #expect(layers.count == 3)
        #expect(layers[0].digest == layers[1].digest)
        let nonJSON = try await inspector.inspect(.name("nonjson-config"))
        #expect(nonJSON.images.first?.configMediaType == "application/vnd.unknown.config.v1+json")
        let empty = try await inspector.inspect(.name("empty_index"))
        #expect(empty.images.isEmpty)
        #expect(empty.platforms == [])
    }

    // SOURCES.md, trivy-test_image_tag.oci: opening with tag 0.0.1 or with no tag (one entry)
    // works; tag 0.0.0 fails. The manifest has no mediaType field.
    @Test func trivySelectsByTagOrAloneAndRefusesAnUnknownTag() async throws {
        let source = try open("oci-layout/trivy-test_image_tag.oci")
        let inspector = Inspector(source: source)
        let byTag = try await inspector.inspect(.name("0.0.1"))
        let alone = try await inspector.inspect(.only)
        #expect(byTag.digest == alone.digest)
        #expect(byTag.images.first?.configDigest.encoded.hasPrefix("b23a8f65") == true)
        #expect(byTag.images.first?.layers.map(\.mediaType) == [.ociLayerGzip])
        let error = await #expect(throws: TransportError.self) { _ = try await source.entry(matching: .name("0.0.0")) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("0.0.1") == true)
    }

    // SOURCES.md, common-artifact-blobs-only: artifactType application/vnd.example+type, config
    // is the empty descriptor with inline data, one 226-byte layer.
    @Test func artifactWithEmptyConfigIsInspected() async throws {
        let inspection = try await Inspector(source: try open("oci-layout/common-artifact-blobs-only")).inspect(.only)
        let image = try #require(inspection.images.first)
        #expect(image.configMediaType == .ociEmpty)
        #expect(image.configDigest.encoded.hasPrefix("44136fa3"))
        #expect(image.layers.map(\.size) == [226])
        #expect(image.layers.map(\.mediaType) == ["application/vnd.example.data.v1.tar+gzip"])
    }

    // SOURCES.md, common-artifact-index: digests are fine, but both child manifests have no
    // `config`; a strict OCI validator reports "manifest missing config" — Ferry is that strict.
    @Test func artifactIndexWithoutConfigsIsRefusedNamingTheField() async throws {
        let source = try open("oci-layout/common-artifact-index")
        let raw = try await Inspector(source: source).rawDocument(.only)
        guard case .index(let index) = try raw.decode(context: "test") else { Issue.record("not an index"); return }
        #expect(index.manifests.compactMap(\.platform).map(\.architecture) == ["s390x", "ppc64le"])
        #expect(index.manifests.map(\.artifactType) == ["application/vnd.reproducer+bar", "application/vnd.reproducer+foo"])
        try await withTemporaryDirectory { dir in
            let error = await #expect(throws: SpecError.self) { _ = try await copyAll(source, into: dir) }
            #expect(error?.message.contains("missing required field config") == true, "\(String(describing: error))")
        }
    }

    // SOURCES.md, apple-scratch-buildkit-multiarch: loaded as
    // registry.local/integration-tests/scratch:latest; 2 runnable platforms besides the 2
    // unknown/unknown attestation manifests, which share no layer with the images.
    @Test func buildkitArchiveNamesAndPlatforms() async throws {
        let source = try open("oci-archive/apple-scratch-buildkit-multiarch.tar")
        let byAlias = try await Inspector(source: source).inspect(.name("registry.local/integration-tests/scratch:latest"))
        #expect(byAlias.names == ["latest", "registry.local/integration-tests/scratch:latest"])
        #expect(byAlias.platforms == ["linux/arm64", "linux/amd64", "unknown/unknown", "unknown/unknown"])
        let runnable = byAlias.images.filter { $0.platform != "unknown/unknown" }
        #expect(runnable.map { String($0.digest.encoded.prefix(8)) } == ["872d7407", "3f2b0792"])
        #expect(Set(runnable.flatMap(\.layers).map(\.digest)).count == 1)  // one shared 106-byte layer
        #expect(runnable.first?.layers.first?.size == 106)
    }

    // SOURCES.md, common-buildkit-oci.tar: zero layers; the name github.com/buildkit/archive:oci
    // comes from io.containerd.image.name, ref.name is just `oci`.
    @Test func buildkitZeroLayerImageIsSelectableByContainerdName() async throws {
        let source = try open("oci-archive/common-buildkit-oci.tar")
        let inspection = try await Inspector(source: source).inspect(.name("github.com/buildkit/archive:oci"))
        #expect(inspection.names == ["oci", "github.com/buildkit/archive:oci"])
        #expect(inspection.images.first?.layers.isEmpty == true)
        #expect(inspection.images.first?.configDigest.encoded.hasPrefix("71de1148") == true)
    }

    // SOURCES.md, common-oci-unnamed / name-only / broken/common-oci-non-docker-name: the same
    // blobs; config 5c8aca81…, one 90-byte gzip layer. `UPPERCASE-IS-INVALID` is a valid OCI
    // ref.name but not a Docker reference, so the image reads and keeps that name in a layout,
    // while naming it as a Docker reference fails (containers/common expects that error).
    @Test func skopeo2018ArchivesShareBlobsAndTheUppercaseNameIsNoDockerReference() async throws {
        var configs: [Digest] = []
        for path in [
            "oci-archive/common-oci-unnamed.tar.gz", "oci-archive/common-oci-name-only.tar.gz",
            "broken/common-oci-non-docker-name.tar.gz",
        ] {
            let inspection = try await Inspector(source: try open(path)).inspect(.only)
            let image = try #require(inspection.images.first)
            configs.append(image.configDigest)
            #expect(image.layers.map(\.size) == [90], "\(path)")
            #expect(image.diffIDs?.count == 1)
        }
        #expect(Set(configs).count == 1)
        #expect(configs.first?.encoded == "5c8aca8137ac47e84c69ae93ce650ce967917cc001ba7aad5494073fac75b8b6")
        #expect(TransportReference.isValidLayoutName("UPPERCASE-IS-INVALID"))
        #expect(throws: SpecError.self) { _ = try Reference(parsing: "UPPERCASE-IS-INVALID") }
        #expect(throws: Never.self) { _ = try Reference(parsing: "pretty-empty:latest") }
    }

    // SOURCES.md, oras-hello-world-containerd-export.tar: a partial layout. `latest` (and the
    // containerd name) resolve to the Docker manifest list faa03e78… (2561 bytes, escaped
    // slashes kept); 10 of its 11 children are absent (a sparse index), so a full copy keeps the
    // index and notes the absent children; the linux/amd64 image that is present reads and
    // verifies whole.
    @Test func partialContainerdExportResolvesAndReportsMissingChildren() async throws {
        let source = try open("oci-archive/oras-hello-world-containerd-export.tar")
        let raw = try await Inspector(source: source).rawDocument(.name("docker.io/library/hello-world:latest"))
        #expect(raw.digest.encoded == "faa03e786c97f07ef34423fccceeec2398ec8a5759259f94d99078f264e9d7af")
        #expect(raw.bytes.count == 2561)
        #expect(String(decoding: raw.bytes, as: UTF8.self).contains(#"application\/vnd.docker"#))
        guard case .index(let list) = try raw.decode(context: "test") else { Issue.record("not a list"); return }
        #expect(list.manifests.count == 11)

        let amd64 = try #require(list.manifests.first { $0.platform?.os == "linux" && $0.platform?.architecture == "amd64" })
        #expect(amd64.digest.encoded == "f54a58bc1aac5ea1a25d796ae155dc228b3f0e11d046ae276b39c4bf2f13d8c4")
        let graph = try await GraphReader(source: source).read(amd64)
        #expect(
            graph.blobs.map(\.digest.encoded) == [
                "feb5d9fea6a5e9606aa995e879d862b825965ba48de054caab5ef356dc6b3412",
                "2db29710123e3e53a794f2694094b9b4338aa9ee5c40b930cb8063a1be392c54",
            ])
        for blob in graph.blobs {
            let stream = try VerifyingStream(try await source.blob(blob), expected: blob, context: "test")
            _ = try await stream.readAll(limit: 1 << 20, context: "test")
        }

        let absent = Set(list.manifests.map(\.digest)).subtracting([amd64.digest])
        // Read as an oci-archive, the sparse index is copied as it is (same digest), with the
        // present platform's blobs and a note naming the ten absent ones.
        try await withTemporaryDirectory { dir in
            let (report, copy) = try await copyAll(source, into: dir)
            #expect(report.entries.map(\.descriptor.digest) == [raw.digest])
            // The absent platforms, and that the Docker manifest list is kept as it is.
            #expect(report.notes.count == 2, "\(report.notes)")
            let note = report.notes.first { $0.contains("does not hold") } ?? ""
            #expect(absent.allSatisfy { note.contains($0.short) }, "\(note)")
            #expect(try await copy.entries().first?.descriptor.annotations?[AnnotationKey.containerdImageName] == "docker.io/library/hello-world:latest")
        }

        // Read as a docker-archive (its manifest.json), the present image copies and the ten
        // absent platforms are named, not treated as corruption.
        let archive = try DockerArchiveSource(path: try #require(SharedFixtures.interopDirectory) + "/oci-archive/oras-hello-world-containerd-export.tar")
        #expect(Set(archive.absentManifests.map(\.digest)) == absent)
        #expect(archive.notes.count == 1)
        #expect(archive.notes.first?.contains("10 manifests") == true, "\(archive.notes)")
        try await withTemporaryDirectory { dir in
            let report = try await CopyOperation(
                source: archive, destination: try OCILayoutDestination(path: dir + "/copy", durable: false),
                options: CopyOptions(compression: .keep)
            ).run()
            #expect(report.entries.map(\.descriptor.digest) == [amd64.digest])
            #expect(Array(report.notes.prefix(archive.notes.count)) == archive.notes)
            #expect(report.notes.dropFirst(archive.notes.count).allSatisfy { $0.contains("--format oci") }, "\(report.notes)")
        }
    }
}

/// Layout-like items in `broken/`: each is refused with an error naming what is wrong.
@Suite(.enabled(if: SharedFixtures.interopDirectory != nil, "\(interopMissing)"))
struct SharedInteropBrokenLayouts {
    @Test(arguments: [
        // index.json is the 6 bytes `foobar` (trivy: "invalid index.json").
        ("broken/trivy-test_bad_index_json.oci", "index.json: not valid JSON"),
        // index.json is `{}` (trivy: "no valid manifest"); schemaVersion is required.
        ("broken/trivy-test_no_valid_manifests.oci", "index.json: missing required field schemaVersion"),
        // index.json is a directory (trivy: "unable to retrieve index.json").
        ("broken/trivy-test_index_json_dir.oci", "index.json is not a regular file"),
    ])
    func unreadableIndexIsRefusedAtOpen(path: String, problem: String) throws {
        let full = try #require(SharedFixtures.interopPath(path))
        let error = #expect(throws: TransportError.self) { _ = try OCILayoutSource(path: full) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains(problem) == true, "\(String(describing: error))")
    }

    // ggcr-test_gc_image_unknown_mediatype: the only entry (type
    // application/vnd.oci.descriptor.v1+json) points at a blob that is not there; a validator
    // reports the missing blob sha256:32589985….
    @Test func entryWithoutBlobFailsTheCopyNamingTheBlob() async throws {
        let full = try #require(SharedFixtures.interopPath("broken/ggcr-test_gc_image_unknown_mediatype"))
        let source = try OCILayoutSource(path: full)
        try await withTemporaryDirectory { dir in
            let error = await #expect(throws: TransportError.self) { _ = try await copyAll(source, into: dir) }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("sha256:32589985702551b6c56033bb3334432a0a513bf9d6aceda0f67c42b003850720") == true)
            #expect(!FileManager.default.fileExists(atPath: dir + "/copy/index.json"))
        }
    }
}
