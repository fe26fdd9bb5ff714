import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Docker schema 1 from a registry: skopeo pushes a signed schema 1 image to docker-registry
/// (TestServices enables `compatibility.schema1`), and Ferry reads, inspects and converts it.
/// The registry re-signs schema 1 on every GET, so only the payload digest is stable.
@Suite(
    .needs(.registry),
    .enabled(if: SharedFixtures.ferryBinary != nil && ExternalTool.skopeoAvailable && ExternalTool.gzipAvailable, "no ferry binary, or skopeo or gzip missing"))
struct Schema1RegistryTests {
    let registry = SharedFixtures.testRegistry ?? ""
    let ferry = SharedFixtures.ferryBinary ?? ""

    private struct Inspected: Decodable {
        var digest: String
        var mediaType: String
        var images: [Image]
        struct Image: Decodable {
            var configDigest: String
            var layers: [Layer]
            var diffIDs: [String]?
        }
        struct Layer: Decodable { var digest: String }
    }

    private func inspect(_ place: String) async throws -> Inspected {
        let result = try await ExternalTool.runChecked(ferry, ["inspect", "--json", "--tls-verify=false", place])
        return try JSONDecoder().decode(Inspected.self, from: Data(result.stdoutBytes))
    }

    /// The fields both conversions write, decoded, from a layout's config blob.
    private func configFields(_ layout: String, _ digest: String) throws -> NSDictionary {
        let hex = try #require(digest.split(separator: ":").last)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(hex)"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let keys = ["architecture", "os", "created", "config", "rootfs", "history"]
        #expect(keys.allSatisfy { object[$0] != nil }, "\(object.keys.sorted())")
        return NSDictionary(dictionary: object.filter { keys.contains($0.key) })
    }

    @Test func schema1FromARegistryConvertsLikeSkopeo() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 611)
            let image = try #require(summary["v1"]?.images.first)
            let repository = SharedFixtures.uniqueRepository("schema1")
            let place = "docker://\(registry)/\(repository):s1"
            let skopeo = try ExternalTool.require("skopeo")
            try await ExternalTool.runChecked(
                skopeo, ["--insecure-policy", "copy", "-q", "--format", "v2s1", "--dest-tls-verify=false", "oci:\(dir)/src:v1", place])

            let remote = try await inspect(place)
            #expect(remote.mediaType == MediaType.dockerSchema1Signed.rawValue)
            #expect(remote.images.first?.layers.map(\.digest) == image.layerDigests.map(\.description))
            // Two GETs give two signatures but one digest: that of the payload.
            #expect(try await inspect(place).digest == remote.digest)

            try await ExternalTool.runChecked(ferry, ["copy", "-q", "--format", "oci", place, "oci:\(dir)/ferry:x"])
            try await ExternalTool.runChecked(
                skopeo, ["--insecure-policy", "copy", "-q", "--src-tls-verify=false", "--format", "oci", place, "oci:\(dir)/skopeo:x"])
            let ours = try #require(try await inspect("oci:\(dir)/ferry:x").images.first)
            let theirs = try #require(try await inspect("oci:\(dir)/skopeo:x").images.first)
            #expect(ours.diffIDs == image.diffIDs.map(\.description))
            // The same config as skopeo's conversion. Not the same bytes: for OCI, skopeo
            // re-encodes the config through image-spec's Go struct (its field order, non-OCI
            // fields dropped); Ferry writes containers/image's schema 2 form (sorted keys), which
            // it keeps for both formats.
            #expect(try configFields(dir + "/ferry", ours.configDigest) == configFields(dir + "/skopeo", theirs.configDigest))
            #expect(ours.layers.map(\.digest) == theirs.layers.map(\.digest))

            // By digest too: the payload digest names the manifest.
            let byDigest = "docker://\(registry)/\(repository)@\(remote.digest)"
            try await ExternalTool.runChecked(ferry, ["copy", "-q", "--format", "oci", byDigest, "oci:\(dir)/by-digest:x"])
            #expect(try await inspect("oci:\(dir)/by-digest:x").images.first?.configDigest == ours.configDigest)
        }
    }
}
