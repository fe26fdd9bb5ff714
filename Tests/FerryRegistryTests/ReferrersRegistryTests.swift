import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Referrers against the real local registry. Debian's docker-registry 2.8 has no referrers API,
/// so everything here goes through the referrers tag schema (the `sha256-<hex>` tag).
@Suite(.needs(.registry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct ReferrersRegistryTests {
    let registry = SharedFixtures.testRegistry ?? ""

    /// Copies `v1` (and, when asked, its referrers) from a layout to `repository:v1`.
    @discardableResult
    func pushSigned(_ layout: String, to repository: String, referrers: Bool) async throws -> CopyReport {
        var options = CopyOptions(destinationNames: ["v1"])
        options.includeReferrers = referrers
        let reference = try Reference(parsing: "\(registry)/\(repository):v1")
        return try await TransportReference(docker: reference).withDestination(registry: plainOptions) { destination in
            try await CopyOperation(source: try OCILayoutSource(path: layout), destination: destination, selector: .name("v1"), options: options).run()
        }
    }

    /// Copies `docker://registry/repository:v1` into a layout under `v1`.
    @discardableResult
    func pullSigned(_ repository: String, into layout: String, referrers: Bool) async throws -> CopyReport {
        var options = CopyOptions()
        options.includeReferrers = referrers
        let reference = try Reference(parsing: "\(registry)/\(repository):v1")
        return try await TransportReference(docker: reference).withSource(registry: plainOptions) { source in
            try await CopyOperation(source: source, destination: try OCILayoutDestination(path: layout, durable: false), options: options).run()
        }
    }

    /// The referrers the registry lists for `subject`, with how it found them.
    func listed(_ repository: String, _ subject: Digest, artifactType: String? = nil) async throws -> RegistryReferrers {
        try await withRegistryClient(registry, options: plainOptions) { client in
            try await client.referrers(repository, of: subject, artifactType: artifactType)
        }
    }

    /// Unnamed `index.json` entries of a layout, by digest.
    func unnamedEntries(_ layout: String) throws -> Set<String> {
        let manifests = try LayoutSurgery(layout).index()["manifests"] as? [[String: Any]] ?? []
        return Set(manifests.filter { ($0["annotations"] as? [String: String])?[AnnotationKey.refName] == nil }.compactMap { $0["digest"] as? String })
    }

    @Test func pushedReferrersLandInTheFallbackTagIndex() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 611)
            let repository = SharedFixtures.uniqueRepository("referrers-push")
            let report = try await pushSigned(dir + "/src", to: repository, referrers: true)
            #expect(Set(report.referrers.map(\.descriptor.digest)) == Set(signed.all.map(\.digest)))

            // The registry has no referrers API: the list comes from the fallback tag.
            let ofImage = try await listed(repository, signed.imageDigest)
            #expect(ofImage.origin == .fallbackTag)
            #expect(Set(ofImage.manifests.map(\.digest)) == [signed.sbom.digest, signed.signature.digest])
            #expect(ofImage.manifests.first { $0.digest == signed.sbom.digest }?.artifactType == TestReferrers.ArtifactTypes.spdx)
            #expect(ofImage.manifests.first { $0.digest == signed.sbom.digest }?.annotations?[AnnotationKey.created] == "2026-01-01T00:00:00Z")
            let sboms = try await listed(repository, signed.imageDigest, artifactType: TestReferrers.ArtifactTypes.spdx)
            #expect(sboms.manifests.map(\.digest) == [signed.sbom.digest])
            #expect(try await listed(repository, signed.sbom.digest).manifests.map(\.digest) == [signed.sbomSignature.digest])

            // The tag itself: an OCI index named sha256-<hex>, one entry per referrer.
            let (tags, fallback) = try await withRegistryClient(registry, options: plainOptions) { client in
                (try await client.tags(repository), try await client.manifest(repository, .tag(signed.imageDigest.referrersTag)))
            }
            #expect(signed.imageDigest.referrersTag == "sha256-" + signed.imageDigest.encoded)
            #expect(Set(tags) == ["v1", signed.imageDigest.referrersTag, signed.sbom.digest.referrersTag])
            #expect(fallback.mediaType == .ociIndex)
            let index = try JSONDocument.decode(ImageIndex.self, from: fallback.bytes, context: "fallback index")
            #expect(index.manifests.count == 2)
            #expect(index.manifests.allSatisfy { $0.mediaType == .ociManifest && $0.artifactType != nil })

            // Pushing the same referrers again adds no duplicate.
            try await pushSigned(dir + "/src", to: repository, referrers: true)
            #expect(try await listed(repository, signed.imageDigest).manifests.count == 2)
        }
    }

    @Test func registryToLayoutWithReferrersArrivesWithIdenticalDigests() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 612)
            let repository = SharedFixtures.uniqueRepository("referrers-pull")
            try await pushSigned(dir + "/src", to: repository, referrers: true)

            let report = try await pullSigned(repository, into: dir + "/with", referrers: true)
            #expect(report.entries.map(\.descriptor.digest) == [signed.imageDigest])
            #expect(Set(report.referrers.map(\.descriptor.digest)) == Set(signed.all.map(\.digest)))
            #expect(try unnamedEntries(dir + "/with") == Set(signed.all.map(\.digest.description)))
            for artifact in signed.all {
                let pulled = try Data(contentsOf: URL(fileURLWithPath: dir + "/with/blobs/sha256/" + artifact.digest.encoded))
                let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/src/blobs/sha256/" + artifact.digest.encoded))
                #expect(pulled == original, "referrer \(artifact.digest) arrived with other bytes")
            }
            let finder = try await ReferrerFinder(source: try OCILayoutSource(path: dir + "/with"))
            #expect(Set(try await finder.referrers(of: signed.imageDigest).map(\.digest)) == [signed.sbom.digest, signed.signature.digest])
            let verification = await Verifier(reference: TransportReference(kind: .oci, path: dir + "/with")).run()
            #expect(verification.errors == 0, "\(verification.problems)")

            // Without --referrers, only the image arrives.
            let plain = try await pullSigned(repository, into: dir + "/without", referrers: false)
            #expect(plain.referrers.isEmpty)
            #expect(try unnamedEntries(dir + "/without").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: dir + "/without/blobs/sha256/" + signed.sbom.digest.encoded))
        }
    }

    @Test func layoutToRegistryWithoutReferrersCarriesNone() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 613)
            let repository = SharedFixtures.uniqueRepository("referrers-none")
            let report = try await pushSigned(dir + "/src", to: repository, referrers: false)
            #expect(report.referrers.isEmpty)
            #expect(try await listed(repository, signed.imageDigest).manifests.isEmpty)
            let tags = try await withRegistryClient(registry, options: plainOptions) { try await $0.tags(repository) }
            #expect(tags == ["v1"])
        }
    }

    @Test func registryToRegistryCarriesReferrersOfReferrers() async throws {
        try await withTemporaryDirectory { dir in
            let signed = try await TestReferrers.writeSignedImage(to: dir + "/src", seed: 614)
            let from = SharedFixtures.uniqueRepository("referrers-from")
            let to = SharedFixtures.uniqueRepository("referrers-to")
            try await pushSigned(dir + "/src", to: from, referrers: true)

            var options = CopyOptions()
            options.includeReferrers = true
            let source = TransportReference(docker: try Reference(parsing: "\(registry)/\(from):v1"))
            let destination = TransportReference(docker: try Reference(parsing: "\(registry)/\(to):v1"))
            let report = try await source.withSource(registry: plainOptions) { source in
                try await destination.withDestination(registry: plainOptions) { destination in
                    try await CopyOperation(source: source, destination: destination, options: options).run()
                }
            }
            #expect(report.referrers.count == 3)
            #expect(Set(try await listed(to, signed.imageDigest).manifests.map(\.digest)) == [signed.sbom.digest, signed.signature.digest])
            #expect(try await listed(to, signed.sbom.digest).manifests.map(\.digest) == [signed.sbomSignature.digest])
        }
    }
}
