import Foundation
import FerryEngine
import FerrySpec
import FerryTestSupport
import Testing

/// The `ferry verify` binary: exit codes, and golden text and JSON reports of a fixed broken image
/// (uncompressed layers, so no external compressor changes the bytes), with the temporary path
/// replaced by `<DIR>`.
@Suite(.enabled(if: SharedFixtures.ferryBinary != nil, "no ferry binary (swift build)"))
struct VerifyCommandTests {
    /// A layout whose first layer has a flipped byte and whose second layer has an unknown type.
    private func brokenImage(at dir: String) async throws {
        let image = try await VerifyFixtures.image(at: dir, seed: 77, layers: 2, compressed: false)
        let layout = LayoutSurgery(dir)
        try layout.flipByte(of: image.layerDigests[0])
        try layout.rewriteManifest(image.manifestDigest, tag: "t") { json in
            var layers = json["layers"] as! [[String: Any]]
            layers[1]["mediaType"] = "application/vnd.example.unknown"
            json["layers"] = layers
        }
    }

    private func ferry(_ args: [String], in dir: String) async throws -> (Int32, String) {
        let result = try await ExternalTool.run(try #require(SharedFixtures.ferryBinary), args)
        return (result.exitCode, (result.stdout + result.stderr).replacingOccurrences(of: dir, with: "<DIR>"))
    }

    @Test func exitCodes() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await VerifyFixtures.image(at: dir + "/good", seed: 78, compressed: false)
            try await brokenImage(at: dir + "/bad")
            #expect(try await ferry(["verify", "oci:\(dir)/good"], in: dir).0 == 0)
            #expect(try await ferry(["verify", "--fast", "oci:\(dir)/bad"], in: dir).0 == 1)
            #expect(try await ferry(["verify", "oci:\(dir)/good", "oci:\(dir)/bad"], in: dir).0 == 1)
            #expect(try await ferry(["verify", "nosuch:\(dir)"], in: dir).0 == 2)
            #expect(try await ferry(["verify", "--parallel", "0", "oci:\(dir)/good"], in: dir).0 == 2)
            #expect(try await ferry(["verify", "oci:\(dir)/missing"], in: dir).0 == 3)
            #expect(try await ferry(["verify", "oci:\(dir)/missing", "oci:\(dir)/bad"], in: dir).0 == 3)
        }
    }

    @Test func goldenText() async throws {
        try await withTemporaryDirectory { dir in
            try await brokenImage(at: dir + "/img")
            let (status, output) = try await ferry(["verify", "oci:\(dir)/img"], in: dir)
            #expect(status == 1)
            #expect(output == Self.expectedText, "actual:\n\(output)")
        }
    }

    @Test func goldenJSON() async throws {
        try await withTemporaryDirectory { dir in
            try await brokenImage(at: dir + "/img")
            let (status, output) = try await ferry(["verify", "--json", "oci:\(dir)/img"], in: dir)
            #expect(status == 1)
            #expect(output == Self.expectedJSON, "actual:\n\(output)")
        }
    }

    static let expectedText = """
        oci:<DIR>/img: invalid (full check)
          image t  sha256:58543bc37f5c89bd15d24c7e553ddc93a7dba091f1213a5d88a69ecfd60b88b2  application/vnd.oci.image.manifest.v1+json
          warning [media-type-unknown] image t, blob sha256:f4a516cbd590b322d26164c0032aec46fdd9b51feadce5e1ba0b18da04a8de9c: unknown layer media type application/vnd.example.unknown; only its digest and size are checked
          error [blob-digest-mismatch] image t, blob sha256:a29a0db519a12192ae537b230b85d5b112591d916214cc85a3e292cee48083e8: layer sha256:a29a0db519a1: content has digest sha256:c4b6b9c4e85a24f9584fc3955c132d1aa0c80be350c701893b0260698be6d035, expected sha256:a29a0db519a12192ae537b230b85d5b112591d916214cc85a3e292cee48083e8
          warning [blob-unreferenced] blob sha256:b61866a3901884ccb90791b417a9415d48856b62206546f5a621eb69959370b3, file blobs/sha256/b61866a3901884ccb90791b417a9415d48856b62206546f5a621eb69959370b3: blob is not referenced by any image in the layout
          4 blobs, 50 kB checked; 1 error, 2 warnings

        """

    static let expectedJSON = """
        {
          "reportVersion" : 1,
          "reports" : [
            {
              "blobsChecked" : 4,
              "bytesChecked" : 50158,
              "errors" : 1,
              "images" : [
                {
                  "digest" : "sha256:58543bc37f5c89bd15d24c7e553ddc93a7dba091f1213a5d88a69ecfd60b88b2",
                  "mediaType" : "application/vnd.oci.image.manifest.v1+json",
                  "name" : "t"
                }
              ],
              "mode" : "full",
              "notes" : 0,
              "problems" : [
                {
                  "code" : "media-type-unknown",
                  "location" : {
                    "blob" : "sha256:f4a516cbd590b322d26164c0032aec46fdd9b51feadce5e1ba0b18da04a8de9c",
                    "image" : "t"
                  },
                  "message" : "unknown layer media type application/vnd.example.unknown; only its digest and size are checked",
                  "severity" : "warning"
                },
                {
                  "code" : "blob-digest-mismatch",
                  "location" : {
                    "blob" : "sha256:a29a0db519a12192ae537b230b85d5b112591d916214cc85a3e292cee48083e8",
                    "image" : "t"
                  },
                  "message" : "layer sha256:a29a0db519a1: content has digest sha256:c4b6b9c4e85a24f9584fc3955c132d1aa0c80be350c701893b0260698be6d035, expected sha256:a29a0db519a12192ae537b230b85d5b112591d916214cc85a3e292cee48083e8",
                  "severity" : "error"
                },
                {
                  "code" : "blob-unreferenced",
                  "location" : {
                    "blob" : "sha256:b61866a3901884ccb90791b417a9415d48856b62206546f5a621eb69959370b3",
                    "file" : "blobs/sha256/b61866a3901884ccb90791b417a9415d48856b62206546f5a621eb69959370b3"
                  },
                  "message" : "blob is not referenced by any image in the layout",
                  "severity" : "warning"
                }
              ],
              "source" : "oci:<DIR>/img",
              "status" : "invalid",
              "warnings" : 2
            }
          ],
          "valid" : false
        }

        """
}
