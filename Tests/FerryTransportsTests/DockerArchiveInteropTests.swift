import FerryEngine
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Every archive in `shared/interop/docker-archive/` read and copied to an OCI layout, checked
/// against the expectations in `shared/interop/SOURCES.md` (image IDs, layer counts, diff_ids, names).
@Suite(.enabled(if: SharedFixtures.interopDirectory != nil, "no ../shared/interop"))
struct DockerArchiveInteropTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var selector: ImageSelector
        var configDigest: String
        var layers: Int
        var names: [String]
        var diffIDs: [String] = []
        var testDescription: String { "\(file) \(selector)" }
    }

    static let cases: [Expected] = [
        // Legacy docker save (Docker 1.13): <id>/{json,VERSION,layer.tar}; by name, alias and position.
        .init(
            file: "cimage-almostempty-docker-1.13.tar", selector: .only, configDigest: "9d7f147c0d0c4d4538a04c7ef385809e56eb1aac7bf800fbe976612188025b68",
            layers: 1, names: ["emptyimage:latest"]),
        .init(
            file: "cimage-almostempty-docker-1.13.tar", selector: .name("docker.io/library/emptyimage:latest"),
            configDigest: "9d7f147c0d0c4d4538a04c7ef385809e56eb1aac7bf800fbe976612188025b68", layers: 1, names: ["emptyimage:latest"]),
        .init(
            file: "cimage-almostempty-docker-1.13.tar", selector: .index(0), configDigest: "9d7f147c0d0c4d4538a04c7ef385809e56eb1aac7bf800fbe976612188025b68",
            layers: 1, names: ["emptyimage:latest"]),
        // Docker 25 hybrid with "manifests": null in index.json: reachable only through manifest.json.
        .init(
            file: "ggcr-hello-world-docker-v25.tar", selector: .only, configDigest: "ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44",
            layers: 1, names: [], diffIDs: ["12660636fe55438cc3ae7424da7ac56e845cdb52493ff9cf949c47a7f57f8b43"]),
        // A symlinked layer shared between two images.
        .init(
            file: "ggcr-test_link-symlinked-layer.tar", selector: .name("docker.io/bazel/v1/tarball:test_image_3"),
            configDigest: "d4c9adacde69c3d92446e0484cea29493e9fd573cf0c8febfc700d80c46697a4", layers: 2, names: ["bazel/v1/tarball:test_image_3"],
            diffIDs: ["8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17", "6b617a2706576ed038acdc3aa668cac62010386a5a3d227d83aada32085c9f29"]),
        .init(
            file: "ggcr-test_link-symlinked-layer.tar", selector: .index(0), configDigest: "6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e",
            layers: 1, names: ["bazel/v1/tarball:test_image_1"]),
        // Bare tags normalise: test_image_1 = docker.io/library/test_image_1:latest; LayerSources is ignored.
        .init(
            file: "ggcr-test_bundle-two-images.tar", selector: .name("docker.io/library/test_image_1:latest"),
            configDigest: "6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e", layers: 1, names: ["test_image_1"]),
        .init(
            file: "ggcr-test_bundle-two-images.tar", selector: .name("docker.io/library/test_image_2:latest"),
            configDigest: "930705ce23e3b6ed4c08746b6fe880089c864fbaf62482702ae3fdd66b8c7fe9", layers: 1, names: ["test_image_2"]),
        .init(
            file: "ggcr-test_image_1-bazel.tar", selector: .only, configDigest: "6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e", layers: 1,
            names: ["bazel/v1/tarball:test_image_1"], diffIDs: ["8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17"]),
        .init(
            file: "ggcr-whiteout_image-3-layers.tar", selector: .only, configDigest: "decb630649c3e1256345d416b228d6c3ceb387a55120ad44dc3ec992976d28b9",
            layers: 3, names: ["bazel/pkg/v1/mutate:whiteout_image"]),
        // crane-style: config named sha256:…, gzip layer members (labelled gzip, diff_ids of the decompressed layers).
        .init(
            file: "ggcr-whiteout_dir-gzip-layers.tar", selector: .only, configDigest: "92f1e3d53acdc7e137e73869abc4e87aba6614440a31723423790ca0d5db9111",
            layers: 4, names: ["localhost:5000/whiteout:latest"],
            diffIDs: [
                "7e9fc0fd7367e0b3c3417cd2f96905d16b7314fcc5b38cab4c3e01d7ea719f48", "671e19d084a03c0ef04379902fd228c0f8221778a4011f031528f7e484d1ba45",
                "a941a11c30af7442c9d9d635ee7c13beb54a9b9272577a0e1e78314c8843d27a", "7afe19580a15baede0095edc04d692cc943e28cefdbf32d5d3d47bc931c37efe",
            ]),
        // BuildKit docker exporter: zero layers, stored Docker manifest preferred (its digest kept).
        .init(
            file: "common-buildkit-docker-zero-layers.tar", selector: .only, configDigest: "71de1148337f4d1845be01eb4caf15d78e4eb15a1ab96030809826698a5b7e30",
            layers: 0, names: ["github.com/buildkit/archive:docker"]),
        // xz-wrapped archives, streamed; a symlinked layer inside a compressed archive.
        .init(
            file: "common-docker-two-images.tar.xz", selector: .name("example.com/empty:latest"),
            configDigest: "ec9293436c2e66da44edb9efb8d41f6b13baf62283ebe846468bc992d76d7951", layers: 1, names: ["example.com/empty:latest"],
            diffIDs: ["dcbaa840b88808e329e03e84c9193dd1d4765998b6643babe2fd24e6771bdca2"]),
        .init(
            file: "common-docker-two-images.tar.xz", selector: .index(1), configDigest: "5a7ef13e1893f2f91d29b3c2b9224e771a57c48ff6fe8d2aee91f3f91062fa2a",
            layers: 1, names: ["example.com/empty/but:different"], diffIDs: ["dcbaa840b88808e329e03e84c9193dd1d4765998b6643babe2fd24e6771bdca2"]),
        .init(
            file: "common-docker-two-names.tar.xz", selector: .only, configDigest: "ec9293436c2e66da44edb9efb8d41f6b13baf62283ebe846468bc992d76d7951",
            layers: 1, names: ["pretty-empty:latest", "example.com/empty:latest"]),
        .init(
            file: "common-docker-unnamed.tar.xz", selector: .only, configDigest: "ec9293436c2e66da44edb9efb8d41f6b13baf62283ebe846468bc992d76d7951", layers: 1,
            names: []),
        .init(
            file: "common-docker-name-only.tar.xz", selector: .only, configDigest: "ec9293436c2e66da44edb9efb8d41f6b13baf62283ebe846468bc992d76d7951",
            layers: 1, names: ["pretty-empty:latest"]),
        // gzip-wrapped real image.
        .init(
            file: "trivy-alpine-310.tar.gz", selector: .name("docker.io/library/alpine:3.10"),
            configDigest: "af341ccd2df8b0e2d67cf8dd32e087bfda4e5756ebd1c76bbf3efa0dc246590e", layers: 1, names: ["alpine:3.10"],
            diffIDs: ["531743b7098cb2aaf615641007a129173f63ed86ca32fe7b5a246a1c47286028"]),
    ]

    @Test(arguments: cases)
    func copiesToOCIWithTheExpectedImage(_ expected: Expected) async throws {
        let path = try #require(SharedFixtures.interopPath("docker-archive/" + expected.file))
        try await withTemporaryDirectory { dir in
            let source = try DockerArchiveSource(path: path)
            #expect(try await source.entry(matching: expected.selector).names == expected.names)
            let copied = try await DockerArchiveTesting.copyToLayout(source, expected.selector, layout: dir + "/oci")
            let image = try #require(copied.first?.images.first)
            #expect(image.configDigest.encoded == expected.configDigest)
            #expect(image.layers.count == expected.layers)
            #expect((image.diffIDs ?? []).count == expected.layers)
            if !expected.diffIDs.isEmpty {
                #expect(image.diffIDs?.map(\.encoded) == expected.diffIDs)
            }
        }
    }

    @Test func buildKitArchiveKeepsItsStoredManifest() async throws {
        let path = try #require(SharedFixtures.interopPath("docker-archive/common-buildkit-docker-zero-layers.tar"))
        let entry = try await DockerArchiveSource(path: path).entry(matching: .only)
        #expect(entry.descriptor.digest.encoded == "bc79dee9c249163d7dd55e3697ef90d0772220fda30e2f3fc4d007f60a368b11")
    }

    @Test(arguments: ["ggcr-test_bundle-two-images.tar", "common-docker-two-images.tar.xz"])
    func severalImagesNeedASelector(_ file: String) async throws {
        let source = try DockerArchiveSource(path: try #require(SharedFixtures.interopPath("docker-archive/" + file)))
        await #expect(throws: TransportError.self) { try await source.entry(matching: .only) }
        await #expect(throws: TransportError.self) { try await source.entry(matching: .index(2)) }
        await #expect(throws: TransportError.self) { try await source.entry(matching: .name("docker.io/library/nothing:latest")) }
    }

    @Test func bareBundleTagsResolveInEverySpelling() async throws {
        let source = try DockerArchiveSource(path: try #require(SharedFixtures.interopPath("docker-archive/ggcr-test_bundle-two-images.tar")))
        for spelling in ["test_image_1", "test_image_1:latest", "index.docker.io/library/test_image_1:latest"] {
            let reference = try TransportReference(parsing: "docker-archive:x.tar:" + spelling)
            #expect(try await source.entry(matching: reference.selector).names == ["test_image_1"])
        }
    }

    @Test(arguments: [
        ("docker-archive/moby-emptyLayer-legacy-v1.tar", "manifest.json is missing"),
        ("broken/ggcr-no_manifest.tar", "manifest.json is missing"),
        ("broken/ggcr-null_manifest.tar", "manifest.json is null"),
    ])
    func brokenArchivesAreRefusedClearly(_ file: String, _ message: String) throws {
        let path = try #require(SharedFixtures.interopPath(file))
        let error = #expect(throws: TransportError.self) { try DockerArchiveSource(path: path) }
        #expect(error?.message.contains(message) == true)
        #expect(error?.message.contains(path) == true)
    }
}
