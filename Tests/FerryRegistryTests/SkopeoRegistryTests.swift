import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// skopeo as the independent judge: it reads what Ferry pushed, Ferry pulls what it pushed.
@Suite(.needs(.registry), .enabled(if: ExternalTool.skopeoAvailable && ExternalTool.gzipAvailable, "skopeo or gzip missing"))
struct SkopeoRegistryTests {
    let registry = SharedFixtures.testRegistry ?? ""

    private struct Inspect: Decodable {
        var digest: String
        var layers: [String]?
        enum CodingKeys: String, CodingKey { case digest = "Digest", layers = "Layers" }
    }

    @Test func skopeoInspectsWhatFerryPushed() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 601)
            let repository = SharedFixtures.uniqueRepository("to-skopeo")
            try await push(layout: dir + "/src", name: "v1", to: registry, repository: repository, tag: "v1")
            let skopeo = try ExternalTool.require("skopeo")
            let result = try await ExternalTool.runChecked(skopeo, ["inspect", "--tls-verify=false", "docker://\(registry)/\(repository):v1"])
            let inspect = try JSONDecoder().decode(Inspect.self, from: Data(result.stdoutBytes))
            let image = try #require(summary["v1"]?.images.first)
            #expect(inspect.digest == summary["v1"]?.digest.description)
            #expect(inspect.layers == image.layerDigests.map(\.description))
            // And skopeo copies it out whole, verifying every blob on its side.
            try await ExternalTool.runChecked(skopeo, ["copy", "--src-tls-verify=false", "docker://\(registry)/\(repository):v1", "oci:\(dir)/by-skopeo:v1"])
        }
    }

    @Test func ferryPullsWhatSkopeoPushed() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 602)
            let repository = SharedFixtures.uniqueRepository("from-skopeo")
            let skopeo = try ExternalTool.require("skopeo")
            try await ExternalTool.runChecked(
                skopeo, ["copy", "--all", "--preserve-digests", "--dest-tls-verify=false", "oci:\(dir)/src:multi", "docker://\(registry)/\(repository):multi"])
            let pulled = try await pull(registry, repository: repository, tag: "multi", into: dir + "/back")
            #expect(pulled.entries.first?.descriptor.digest == summary["multi"]?.digest)
            #expect(pulled.blobsCopied == summary["multi"].map { $0.images.reduce(0) { $0 + $1.layerDigests.count + 1 } })
        }
    }
}
