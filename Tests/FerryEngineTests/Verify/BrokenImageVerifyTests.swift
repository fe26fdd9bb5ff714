import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// Each broken image has a documented outcome (docs/verify-report.md): its status, and a problem
/// with the stated severity and code. Every image is built at test time from a fixed seed.
@Suite(.enabled(if: ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil, "gzip or python3 not installed"))
struct BrokenImageVerifyTests {
    /// Builds a one-image layout, damages it, verifies it, and checks the outcome.
    private func expectOutcome(
        seed: UInt64, compressed: Bool = true, mode: VerificationReport.Mode = .full,
        status: VerificationReport.Status, contains expected: String,
        _ damage: (LayoutSurgery, TestImageBuilder.ImageSummary) throws -> Void
    ) async throws {
        try await withTemporaryDirectory { dir in
            let image = try await VerifyFixtures.image(at: dir, seed: seed, compressed: compressed)
            try damage(LayoutSurgery(dir), image)
            let report = try await VerifyFixtures.verify(dir, mode: mode)
            #expect(report.status == status, "\(report.codes)")
            #expect(report.codes.contains(expected), "\(report.codes)")
        }
    }

    @Test(arguments: [VerificationReport.Mode.full, .fast])
    func flippedByteInALayer(mode: VerificationReport.Mode) async throws {
        try await expectOutcome(seed: 1, mode: mode, status: .invalid, contains: "error blob-digest-mismatch") { layout, image in
            try layout.flipByte(of: image.layerDigests[0])
        }
    }

    @Test func truncatedBlob() async throws {
        try await expectOutcome(seed: 2, status: .invalid, contains: "error blob-size-mismatch") { layout, image in
            try layout.truncate(image.layerDigests[1], to: 100)
        }
    }

    @Test func wrongDescriptorSize() async throws {
        try await expectOutcome(seed: 3, status: .invalid, contains: "error blob-size-mismatch") { layout, _ in
            try layout.editFirstIndexEntry { $0["size"] = ($0["size"] as! Int) + 1 }
        }
    }

    @Test func blobStoredUnderTheWrongDigest() async throws {
        try await withTemporaryDirectory { dir in
            let image = try await VerifyFixtures.image(at: dir, seed: 4)
            let layout = LayoutSurgery(dir)
            try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(image.layerDigests[1]))).write(
                to: URL(fileURLWithPath: layout.blobPath(image.layerDigests[0])))
            let report = try await VerifyFixtures.verify(dir)
            #expect(report.status == .invalid)
            #expect(report.codes.contains("error blob-digest-mismatch") || report.codes.contains("error blob-size-mismatch"), "\(report.codes)")
        }
    }

    @Test func invalidDigestString() async throws {
        try await expectOutcome(seed: 5, status: .invalid, contains: "error descriptor-invalid-digest") { layout, image in
            try layout.rewriteManifest(image.manifestDigest, tag: "t") { json in
                var layers = json["layers"] as! [[String: Any]]
                layers[0]["digest"] = "sha256:../../etc/passwd"
                json["layers"] = layers
            }
        }
    }

    @Test func missingBlob() async throws {
        try await expectOutcome(seed: 6, status: .invalid, contains: "error blob-missing") { layout, image in
            try layout.remove(image.layerDigests[0])
        }
    }

    @Test func unknownLayerMediaTypeIsValidWithAWarning() async throws {
        try await expectOutcome(seed: 7, status: .valid, contains: "warning media-type-unknown") { layout, image in
            try layout.rewriteManifest(image.manifestDigest, tag: "t") { json in
                var layers = json["layers"] as! [[String: Any]]
                layers[0]["mediaType"] = "application/vnd.example.unknown.layer"
                json["layers"] = layers
            }
        }
    }

    @Test func manifestMediaTypeDisagreesWithItsDescriptor() async throws {
        // Read as the descriptor says (a warning), a Docker manifest then names OCI config and
        // layer types, which Docker schema 2 does not allow (an error).
        try await expectOutcome(seed: 8, status: .invalid, contains: "warning media-type-field-differs") { layout, _ in
            try layout.editFirstIndexEntry { $0["mediaType"] = MediaType.dockerManifest.rawValue }
        }
    }

    @Test func diffIDsThatDoNotMatch() async throws {
        try await expectOutcome(seed: 9, status: .invalid, contains: "error diff-id-mismatch") { layout, image in
            try layout.rewriteManifest(image.manifestDigest, tag: "t") { json in
                json["layers"] = Array((json["layers"] as! [[String: Any]]).reversed())
            }
        }
    }

    @Test func layerCompressedDifferentlyFromItsMediaType() async throws {
        try await expectOutcome(seed: 10, compressed: false, status: .invalid, contains: "error layer-compression-mismatch") { layout, image in
            try layout.rewriteManifest(image.manifestDigest, tag: "t") { json in
                var layers = json["layers"] as! [[String: Any]]
                layers[0]["mediaType"] = MediaType.ociLayerGzip.rawValue
                json["layers"] = layers
            }
        }
    }

    @Test func escapingMemberAndDanglingHardLinkInALayer() async throws {
        try await withTemporaryDirectory { dir in
            let tar = try await VerifyFixtures.pythonTar(["ok", "a/../../evil", "/abs", "link->nowhere", "good->ok"])
            try VerifyFixtures.layout(at: dir, layers: [(try await VerifyFixtures.gzip(tar), tar, MediaType.ociLayerGzip.rawValue)])
            let report = try await VerifyFixtures.verify(dir)
            #expect(report.status == .invalid)
            #expect(report.codes == ["error tar-member-escapes-root", "warning tar-member-absolute", "error tar-hardlink-target-unknown"])
            #expect(report.problems.map(\.location.member) == ["a/../../evil", "/abs", "link"])
        }
    }

    @Test func symlinkEscapingBlobs() async throws {
        try await expectOutcome(seed: 11, status: .invalid, contains: "error blob-outside-layout") { layout, image in
            let path = layout.blobPath(image.layerDigests[0])
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/etc/hostname")
        }
    }

    @Test func hugeJSONDocument() async throws {
        try await expectOutcome(seed: 12, status: .invalid, contains: "error document-too-large") { layout, image in
            try layout.rewriteManifest(image.manifestDigest, tag: "t") { json in
                json["annotations"] = ["padding": String(repeating: "x", count: DocumentLimits.maximumDocumentSize)]
            }
        }
    }

    @Test func strictTurnsWarningsIntoErrors() async throws {
        try await withTemporaryDirectory { dir in
            let image = try await VerifyFixtures.image(at: dir, seed: 13)
            try LayoutSurgery(dir).rewriteManifest(image.manifestDigest, tag: "t") { json in
                var layers = json["layers"] as! [[String: Any]]
                layers[0]["mediaType"] = "application/vnd.example.unknown.layer"
                json["layers"] = layers
            }
            #expect(try await VerifyFixtures.verify(dir, ref: "t").status == .valid)
            let strict = try await VerifyFixtures.verify(dir, ref: "t", strict: true)
            #expect(strict.status == .invalid)
            #expect(strict.codes.contains("error media-type-unknown"))
        }
    }

    @Test func unreferencedBlobIsAWarningOnlyForTheWholeLayout() async throws {
        try await withTemporaryDirectory { dir in
            let image = try await VerifyFixtures.image(at: dir, seed: 14)
            try LayoutSurgery(dir).rewriteManifest(image.manifestDigest, tag: "t") { json in json["annotations"] = ["a": "b"] }
            let whole = try await VerifyFixtures.verify(dir)
            #expect(whole.status == .valid)
            #expect(whole.codes == ["warning blob-unreferenced"])
            #expect(try await VerifyFixtures.verify(dir, ref: "t").codes.isEmpty)
        }
    }

    @Test func missingDirectoryIsUnreadable() async throws {
        let report = try await VerifyFixtures.verify("/nonexistent/ferry-verify-test")
        #expect(report.status == .unreadable)
        #expect(report.codes == ["error source-unreadable"])
    }
}
