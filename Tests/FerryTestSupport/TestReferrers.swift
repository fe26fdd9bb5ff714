import Foundation
import FerrySpec
import FerryStreams

/// Adds OCI artifacts that refer to an image (a `subject`) to an OCI layout, the way `oras attach`
/// does: the artifact manifest and its blobs go into `blobs/`, and the manifest into `index.json`
/// without a `ref.name`.
///
/// Like ``TestImageBuilder``, this writes JSON by hand and only uses Ferry for hashing, so the
/// tests can judge Ferry's own handling of what it writes.
public enum TestReferrers {
    /// Artifact types the tests use.
    public enum ArtifactTypes {
        /// An SPDX SBOM.
        public static let spdx = "application/spdx+json"
        /// A signature-like artifact (the type Notation gives its signatures).
        public static let signature = "application/vnd.cncf.notary.signature"
    }

    /// What ``addArtifact(to:subject:artifactType:payload:payloadMediaType:annotations:)`` wrote.
    public struct Artifact: Sendable, Equatable {
        /// Digest of the artifact manifest.
        public var digest: Digest
        /// Size of the artifact manifest.
        public var size: Int
        /// Its `artifactType`.
        public var artifactType: String
        /// Digest of its one payload blob (its layer).
        public var payloadDigest: Digest
    }

    /// The empty descriptor's content, `{}` (image-spec `manifest.md`, "Guidance for an Empty Descriptor").
    static let emptyConfig = Array("{}".utf8)

    /// Writes an artifact manifest whose `subject` is the manifest `subject` of the layout at
    /// `path`, with `payload` as its one layer and the empty descriptor as its config, and lists
    /// it in `index.json` without a name.
    /// - Parameters:
    ///   - subject: the digest, size and media type of the manifest referred to.
    /// - Returns: the artifact's digests.
    @discardableResult
    public static func addArtifact(
        to path: String, subject: (digest: Digest, size: Int, mediaType: String), artifactType: String,
        payload: [UInt8], payloadMediaType: String, annotations: [(String, String)] = []
    ) throws -> Artifact {
        let configDigest = try DigestHasher.digest(emptyConfig)
        let payloadDigest = try DigestHasher.digest(payload)
        var fields: [(String, JSON)] = [
            ("schemaVersion", .int(2)),
            ("mediaType", .string(TestImageBuilder.MediaTypes.manifest)),
            ("artifactType", .string(artifactType)),
            ("config", descriptor("application/vnd.oci.empty.v1+json", configDigest, emptyConfig.count)),
            ("layers", .array([descriptor(payloadMediaType, payloadDigest, payload.count)])),
            ("subject", descriptor(subject.mediaType, subject.digest, subject.size)),
        ]
        if !annotations.isEmpty {
            fields.append(("annotations", .object(annotations.map { ($0.0, .string($0.1)) })))
        }
        let manifest = JSON.object(fields).bytes
        let manifestDigest = try DigestHasher.digest(manifest)
        for (digest, bytes) in [(configDigest, emptyConfig), (payloadDigest, payload), (manifestDigest, manifest)] {
            try Data(bytes).write(to: URL(fileURLWithPath: path + "/blobs/sha256/" + digest.encoded))
        }
        let indexURL = URL(fileURLWithPath: path + "/index.json")
        var index = try JSONSerialization.jsonObject(with: Data(contentsOf: indexURL)) as? [String: Any] ?? [:]
        var manifests = index["manifests"] as? [[String: Any]] ?? []
        manifests.append([
            "mediaType": TestImageBuilder.MediaTypes.manifest,
            "digest": manifestDigest.description,
            "size": manifest.count,
            "artifactType": artifactType,
        ])
        index["manifests"] = manifests
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: indexURL)
        return Artifact(digest: manifestDigest, size: manifest.count, artifactType: artifactType, payloadDigest: payloadDigest)
    }

    /// An image with referrers, as ``writeSignedImage(to:seed:)`` writes it.
    public struct SignedImage: Sendable {
        /// The image (tag `v1`): the digest of its manifest.
        public var imageDigest: Digest
        /// An SBOM whose subject is the image.
        public var sbom: Artifact
        /// A signature whose subject is the image.
        public var signature: Artifact
        /// A signature whose subject is the SBOM (a referrer of a referrer).
        public var sbomSignature: Artifact

        /// Every referrer, image's first.
        public var all: [Artifact] { [sbom, signature, sbomSignature] }
    }

    /// Writes a layout holding image `v1` (two gzip layers), an SBOM and a signature of it, and a
    /// signature of the SBOM; the three artifacts are unnamed `index.json` entries.
    public static func writeSignedImage(to path: String, seed: UInt64) async throws -> SignedImage {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "v1", layerCount: 2, layerSize: 4096)
        let summary = try await builder.write(to: path)
        guard let image = summary["v1"]?.images.first else {
            throw ExternalToolError("TestImageBuilder wrote no image v1 into \(path)")
        }
        let subject = (image.manifestDigest, image.manifestSize, TestImageBuilder.MediaTypes.manifest)
        let sbom = try addArtifact(
            to: path, subject: subject, artifactType: ArtifactTypes.spdx,
            payload: spdxDocument(package: "seed-\(seed)"), payloadMediaType: ArtifactTypes.spdx,
            annotations: [("org.opencontainers.image.created", "2026-01-01T00:00:00Z")])
        let signature = try addArtifact(
            to: path, subject: subject, artifactType: ArtifactTypes.signature,
            payload: Array("signature of \(image.manifestDigest) (seed \(seed))".utf8), payloadMediaType: "application/jose+json")
        let sbomSignature = try addArtifact(
            to: path, subject: (sbom.digest, sbom.size, TestImageBuilder.MediaTypes.manifest), artifactType: ArtifactTypes.signature,
            payload: Array("signature of \(sbom.digest) (seed \(seed))".utf8), payloadMediaType: "application/jose+json")
        return SignedImage(imageDigest: image.manifestDigest, sbom: sbom, signature: signature, sbomSignature: sbomSignature)
    }

    /// A small SPDX document naming `package`: the payload of an SBOM-like artifact.
    public static func spdxDocument(package: String) -> [UInt8] {
        JSON.object([
            ("spdxVersion", .string("SPDX-2.3")),
            ("dataLicense", .string("CC0-1.0")),
            ("SPDXID", .string("SPDXRef-DOCUMENT")),
            ("name", .string(package)),
            ("packages", .array([.object([("name", .string(package)), ("SPDXID", .string("SPDXRef-Package"))])])),
        ]).bytes
    }

    private static func descriptor(_ mediaType: String, _ digest: Digest, _ size: Int) -> JSON {
        .object([("mediaType", .string(mediaType)), ("digest", .string(digest.description)), ("size", .int(size))])
    }
}
