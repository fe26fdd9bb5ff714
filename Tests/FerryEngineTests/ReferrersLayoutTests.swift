import Foundation
import FerryEngine
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Referrers in OCI layouts: found by their `subject` among `index.json`'s entries, and carried
/// by `CopyOptions.includeReferrers` layout → layout with identical digests.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct ReferrersLayoutTests {
    /// The digests of `index.json`'s entries in a layout, with their `ref.name` (nil when unnamed).
    func indexEntries(_ layout: String) throws -> [(digest: String, name: String?)] {
        let index = try LayoutSurgery(layout).index()
        let manifests = index["manifests"] as? [[String: Any]] ?? []
        return manifests.map { entry in
            (entry["digest"] as? String ?? "", (entry["annotations"] as? [String: String])?[AnnotationKey.refName])
        }
    }

    @Test func finderListsLayoutEntriesWhoseSubjectIsTheImage() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 601)
            let finder = try await ReferrerFinder(source: try OCILayoutSource(path: dir + "/src"))

            let ofImage = try await finder.referrers(of: signed.imageDigest)
            #expect(Set(ofImage.map(\.digest)) == [signed.sbom.digest, signed.signature.digest])
            let sbom = try #require(ofImage.first { $0.digest == signed.sbom.digest })
            #expect(sbom.artifactType == TestReferrers.ArtifactTypes.spdx)
            #expect(sbom.size == Int64(signed.sbom.size))
            #expect(sbom.annotations?[AnnotationKey.created] == "2026-01-01T00:00:00Z")

            // The artifactType filter, and a referrer of a referrer.
            let signatures = try await finder.referrers(of: signed.imageDigest, artifactType: TestReferrers.ArtifactTypes.signature)
            #expect(signatures.map(\.digest) == [signed.signature.digest])
            #expect(try await finder.referrers(of: signed.sbom.digest).map(\.digest) == [signed.sbomSignature.digest])
            #expect(try await finder.referrers(of: signed.sbomSignature.digest).isEmpty)
        }
    }

    @Test func copyWithReferrersCarriesThemWithIdenticalDigests() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 602)
            var options = CopyOptions(destinationNames: ["copy"])
            options.includeReferrers = true
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                selector: .name("v1"), options: options
            ).run()

            #expect(report.entries.map(\.descriptor.digest) == [signed.imageDigest])
            #expect(Set(report.referrers.map(\.descriptor.digest)) == Set(signed.all.map(\.digest)))
            #expect(report.referrers.first { $0.descriptor.digest == signed.sbomSignature.digest }?.subject == signed.sbom.digest)

            // index.json: the image under its name, each referrer once and unnamed.
            let entries = try indexEntries(dir + "/dst")
            #expect(entries.filter { $0.name == "copy" }.map(\.digest) == [signed.imageDigest.description])
            #expect(Set(entries.filter { $0.name == nil }.map(\.digest)) == Set(signed.all.map(\.digest.description)))
            #expect(entries.count == 4)

            // The copy finds the same referrers, and every blob checks out.
            let finder = try await ReferrerFinder(source: try OCILayoutSource(path: dir + "/dst"))
            #expect(Set(try await finder.referrers(of: signed.imageDigest).map(\.digest)) == [signed.sbom.digest, signed.signature.digest])
            for artifact in signed.all {
                let copied = try Data(contentsOf: URL(fileURLWithPath: dir + "/dst/blobs/sha256/" + artifact.payloadDigest.encoded))
                let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/src/blobs/sha256/" + artifact.payloadDigest.encoded))
                #expect(copied == original)
            }
            let verification = await Verifier(reference: TransportReference(kind: .oci, path: dir + "/dst")).run()
            #expect(verification.errors == 0, "\(verification.problems)")

            // Copying again adds nothing: the referrers are not listed twice.
            _ = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                selector: .name("v1"), options: options
            ).run()
            #expect(try indexEntries(dir + "/dst").count == 4)
        }
    }

    @Test func referrersOfAnIndexAndOfEachOfItsImagesAreCarried() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 605)
            builder.addIndex(
                tag: "multi",
                platforms: [
                    Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "arm64", variant: "v8"),
                ], layerCount: 1, layerSize: 1024)
            let summary = try await builder.write(to: dir + "/src")
            let index = try #require(summary["multi"])
            let arm = try #require(index.images.last)
            let indexSize = try Data(contentsOf: URL(fileURLWithPath: dir + "/src/blobs/sha256/" + index.digest.encoded)).count
            let ofIndex = try TestReferrers.addArtifact(
                to: dir + "/src", subject: (index.digest, indexSize, TestImageBuilder.MediaTypes.index),
                artifactType: TestReferrers.ArtifactTypes.signature, payload: Array("signs the index".utf8), payloadMediaType: "application/jose+json")
            let ofArm = try TestReferrers.addArtifact(
                to: dir + "/src", subject: (arm.manifestDigest, arm.manifestSize, TestImageBuilder.MediaTypes.manifest),
                artifactType: TestReferrers.ArtifactTypes.spdx, payload: TestReferrers.spdxDocument(package: "arm64"),
                payloadMediaType: TestReferrers.ArtifactTypes.spdx)

            var options = CopyOptions()
            options.includeReferrers = true
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                selector: .name("multi"), options: options
            ).run()
            #expect(report.entries.map(\.descriptor.digest) == [index.digest])
            #expect(
                Dictionary(uniqueKeysWithValues: report.referrers.map { ($0.descriptor.digest, $0.subject) }) == [
                    ofIndex.digest: index.digest, ofArm.digest: arm.manifestDigest,
                ])
            #expect(Set(try indexEntries(dir + "/dst").filter { $0.name == nil }.map(\.digest)) == [ofIndex.digest.description, ofArm.digest.description])
        }
    }

    @Test func copyWithoutReferrersLeavesThemBehind() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 603)
            let report = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                selector: .name("v1")
            ).run()
            #expect(report.referrers.isEmpty)
            #expect(try indexEntries(dir + "/dst").map(\.digest) == [signed.imageDigest.description])
            for artifact in signed.all {
                #expect(!FileManager.default.fileExists(atPath: dir + "/dst/blobs/sha256/" + artifact.digest.encoded))
            }
        }
    }

    @Test func referrersRefuseACopyThatChangesTheImageDigest() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 604)
            var options = CopyOptions(compression: .to(.zstd, level: nil))
            options.includeReferrers = true
            let error = await #expect(throws: EngineError.self) {
                try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"), destination: try OCILayoutDestination(path: dir + "/dst", durable: false),
                    selector: .name("v1"), options: options
                ).run()
            }
            #expect(error?.message.contains("--referrers") == true)
            #expect(!FileManager.default.fileExists(atPath: dir + "/dst/index.json"))
        }
    }
}
