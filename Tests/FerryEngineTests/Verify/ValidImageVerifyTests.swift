import Foundation
import FerryEngine
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Unusual but valid inputs pass without problems.
@Suite(.enabled(if: ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil, "gzip or python3 not installed"))
struct ValidImageVerifyTests {
    /// Rows: zero layers, uncompressed layers, the usual gzip layers, in full and fast mode.
    @Test(arguments: [(0, true), (2, false), (3, true)], [VerificationReport.Mode.full, .fast])
    func builtImagesAreValid(shape: (layers: Int, compressed: Bool), mode: VerificationReport.Mode) async throws {
        try await withTemporaryDirectory { dir in
            _ = try await VerifyFixtures.image(at: dir, seed: 40, layers: shape.layers, compressed: shape.compressed)
            let report = try await VerifyFixtures.verify(dir, mode: mode)
            #expect(report.status == .valid)
            #expect(report.problems.isEmpty, "\(report.codes)")
            #expect(report.blobsChecked == shape.layers + 2)
        }
    }

    @Test func multiMemberGzipLayerIsValid() async throws {
        try await withTemporaryDirectory { dir in
            let tar = try await VerifyFixtures.pythonTar(["a", "b", "c"])
            let split = tar.count / 2
            let blob = try await VerifyFixtures.gzip(Array(tar[..<split])) + VerifyFixtures.gzip(Array(tar[split...]))
            try VerifyFixtures.layout(at: dir, layers: [(blob, tar, MediaType.ociLayerGzip.rawValue)])
            let report = try await VerifyFixtures.verify(dir)
            #expect(report.problems.isEmpty, "\(report.codes)")
        }
    }

    @Test func archiveOfAValidLayoutIsValid() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await VerifyFixtures.image(at: dir + "/layout", seed: 41)
            try await ExternalTool.runChecked("tar", ["-C", dir + "/layout", "-cf", dir + "/image.tar", "."])
            let reference = try TransportReference(parsing: "oci-archive:\(dir)/image.tar")
            let report = await Verifier(reference: reference).run()
            #expect(report.status == .valid)
            #expect(report.problems.isEmpty, "\(report.codes)")
        }
    }
}

/// The oci-layout fixtures of `shared/interop`, each with its documented outcome (SOURCES.md):
/// valid ones pass, the deliberately inconsistent ones fail with the codes their notes predict.
@Suite(.enabled(if: SharedFixtures.interopDirectory != nil, "no shared/interop"))
struct InteropLayoutVerifyTests {
    @Test(
        arguments: [
            // Valid layouts: no errors.
            ("regclient-testrepo", VerificationReport.Status.valid, nil),
            ("regclient-external", .valid, nil),
            ("trivy-test_image_tag.oci", .valid, nil),
            ("common-artifact-blobs-only", .valid, nil),
            ("common-artifact-no-blobs", .valid, nil),
            // Documented inconsistencies.
            ("cimage-delete_image_multiple_images", .invalid, "error blob-size-mismatch"),
            ("common-artifact-index", .invalid, "error document-missing-field"),
            // Image 1's descriptor says OCI and its blob says Docker: read as the descriptor says.
            ("ggcr-test_index-mixed-mediatypes", .valid, "warning media-type-field-differs"),
            // ORAS artifacts typed as images: configs without rootfs, layers that are not tars.
            ("orascli-zot-images", .invalid, "error document-missing-field"),
        ] as [(String, VerificationReport.Status, String?)])
    func interopLayout(name: String, status: VerificationReport.Status, code: String?) async throws {
        let path = try #require(SharedFixtures.interopPath("oci-layout/" + name))
        let report = try await VerifyFixtures.verify(path)
        #expect(report.status == status, "\(report.codes)")
        if let code { #expect(report.codes.contains(code), "\(report.codes)") }
    }
}
