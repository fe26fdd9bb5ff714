import Foundation
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// `--check-layers` on `copy` and `sync`: a layer whose content contradicts its config (here a
/// gzip layer that does not inflate to the config's DiffID) is copied without it, refused with
/// it — exit 1, a message naming the layer, nothing named at the destination — as `verify`
/// refuses it; one-pass sources are checked on their way in, and a sync from a pipe says why it
/// cannot be checked.
@Suite(
    .enabled(if: FerryCLI.available, "no ferry binary (swift build, or set FERRY_BIN)"),
    .enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct CheckLayersCLITests {
    /// A one-image layout (`t`) with gzip layers; with `wrongDiffID`, the config's first DiffID
    /// names another digest.
    func layout(_ dir: String, wrongDiffID: Bool) async throws -> TestImageBuilder.ImageSummary {
        var builder = TestImageBuilder(seed: 1295)
        builder.addImage(tag: "t", layerCount: 2, layerSize: 100_000, compressed: true)
        let image = try #require(try await builder.write(to: dir + "/src")["t"]?.images.first)
        guard wrongDiffID else { return image }
        try LayoutSurgery(dir + "/src").setDiffID(0, to: "sha256:" + String(repeating: "1", count: 64), of: image, tag: "t")
        return image
    }

    /// The names `index.json` of a layout gives (none when it has no index).
    func names(_ layout: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: layout + "/index.json"),
            let index = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let manifests = index["manifests"] as? [[String: Any]]
        else { return [] }
        return manifests.compactMap { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] }
    }

    @Test func copyAndSyncRefuseALayerThatContradictsItsConfig() async throws {
        try await withTemporaryDirectory { dir in
            let image = try await layout(dir, wrongDiffID: true)
            let layer = image.layerDigests[0].description

            let unchecked = try await FerryCLI.run(["copy", "-q", "oci:\(dir)/src:t", "oci:\(dir)/plain:t"])
            #expect(unchecked.exitCode == 0, "\(unchecked.stderr)")

            let checked = try await FerryCLI.run(["copy", "-q", "--check-layers", "oci:\(dir)/src:t", "oci:\(dir)/checked:t"])
            #expect(checked.exitCode == 1, "\(checked.stdout)\(checked.stderr)")
            #expect(checked.stderr.contains(layer) && checked.stderr.contains("diff_ids"), "\(checked.stderr)")
            #expect(names(dir + "/checked").isEmpty, "a refused copy named \(names(dir + "/checked"))")

            let verify = try await FerryCLI.run(["verify", "oci:\(dir)/src:t"])
            #expect(verify.exitCode == 1, "\(verify.stdout)")

            let synced = try await FerryCLI.run(["sync", "-q", "--check-layers", "oci:\(dir)/src", "oci:\(dir)/synced"])
            #expect(synced.exitCode == 1, "\(synced.stdout)\(synced.stderr)")
            #expect(synced.stderr.contains("diff_ids"), "\(synced.stderr)")
            #expect(names(dir + "/synced").isEmpty, "a refused sync named \(names(dir + "/synced"))")
        }
    }

    @Test func aCheckedCopyOfASoundImageFromEveryKindOfSourceSucceeds() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await layout(dir, wrongDiffID: false)
            // A compressed docker-archive is read once: its layers are checked on the way in.
            let archived = try await FerryCLI.run(["copy", "-q", "oci:\(dir)/src:t", "docker-archive:\(dir)/a.tar:ferry/check:t"])
            #expect(archived.exitCode == 0, "\(archived.stderr)")
            try await ExternalTool.runChecked("sh", ["-c", "gzip -1 -c \"$0\" > \"$1\"", dir + "/a.tar", dir + "/a.tar.gz"])
            for (n, source) in ["oci:\(dir)/src:t", "docker-archive:\(dir)/a.tar", "docker-archive:\(dir)/a.tar.gz"].enumerated() {
                let copied = try await FerryCLI.run(["copy", "-q", "--check-layers", source, "oci:\(dir)/out-\(n):t"])
                #expect(copied.exitCode == 0, "\(source): \(copied.stderr)")
                let verified = try await FerryCLI.run(["verify", "oci:\(dir)/out-\(n):t"])
                #expect(verified.exitCode == 0, "\(source): \(verified.stdout)")
            }
            let synced = try await FerryCLI.run(["sync", "-q", "--check-layers", "oci:\(dir)/src", "oci:\(dir)/synced"])
            #expect(synced.exitCode == 0, "\(synced.stderr)")
            #expect(names(dir + "/synced").count == 1)
        }
    }

    @Test func aSyncFromAPipeSaysWhyItCannotBeChecked() async throws {
        let ferry = try #require(FerryCLI.path)
        try await withTemporaryDirectory { dir in
            _ = try await layout(dir, wrongDiffID: false)
            let bundled = try await FerryCLI.run(["sync", "-q", "oci:\(dir)/src", "oci-archive:\(dir)/b.tar"])
            #expect(bundled.exitCode == 0, "\(bundled.stderr)")
            let piped = try await ExternalTool.run(
                "sh", ["-c", "cat \"$1\" | \"$0\" sync -q --check-layers oci-archive:- \"oci:$2\"", ferry, dir + "/b.tar", dir + "/out"])
            #expect(piped.exitCode != 0)
            #expect(piped.stderr.contains("--check-layers") && piped.stderr.contains("read only once"), "\(piped.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/index.json"))
        }
    }
}
