import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports

/// Builds the inputs of the verifier tests at test time and runs the verifier on them.
enum VerifyFixtures {
    /// Verifies `oci:path[:ref]`.
    static func verify(_ path: String, ref: String? = nil, mode: VerificationReport.Mode = .full, strict: Bool = false) async throws -> VerificationReport {
        let reference = try TransportReference(parsing: "oci:\(path)" + (ref.map { ":\($0)" } ?? ""))
        return await Verifier(reference: reference, options: VerifyOptions(mode: mode, strict: strict)).run()
    }

    /// A one-image layout under tag `t`.
    static func image(at path: String, seed: UInt64, layers: Int = 2, compressed: Bool = true) async throws -> TestImageBuilder.ImageSummary {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "t", layerCount: layers, layerSize: 20_000, compressed: compressed)
        let summary = try await builder.write(to: path)
        return summary["t"]!.images[0]
    }

    /// A tar made by Python's tarfile holding `members` (`name` or `name->hardlinktarget`).
    static func pythonTar(_ members: [String]) async throws -> [UInt8] {
        let list = members.map { "\"\($0)\"" }.joined(separator: ",")
        let script = """
            import io, sys, tarfile
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
                for m in [\(list)]:
                    name, _, link = m.partition("->")
                    i = tarfile.TarInfo(name); i.mtime = 1700000000
                    if link:
                        i.type = tarfile.LNKTYPE; i.linkname = link; t.addfile(i)
                    else:
                        i.size = 5; t.addfile(i, io.BytesIO(b"hello"))
            sys.stdout.buffer.write(buf.getvalue())
            """
        return try await ExternalTool.runChecked("python3", ["-c", script]).stdoutBytes
    }

    /// gzip with the system tool (one member).
    static func gzip(_ bytes: [UInt8]) async throws -> [UInt8] {
        try await ExternalTool.runChecked("gzip", ["-n", "-c"], stdin: bytes).stdoutBytes
    }

    /// Writes a one-image layout (tag `t`) whose layers are the given blobs, with DiffIDs from `tars`.
    static func layout(at path: String, layers: [(blob: [UInt8], tar: [UInt8], mediaType: String)]) throws {
        try FileManager.default.createDirectory(atPath: path + "/blobs/sha256", withIntermediateDirectories: true)
        func store(_ bytes: [UInt8]) throws -> (String, Int) {
            let digest = try DigestHasher.digest(bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path + "/blobs/sha256/" + digest.encoded))
            return (digest.description, bytes.count)
        }
        let config: [String: Any] = [
            "architecture": "amd64", "os": "linux",
            "rootfs": ["type": "layers", "diff_ids": try layers.map { try DigestHasher.digest($0.tar).description }],
        ]
        let (configDigest, configSize) = try store([UInt8](try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])))
        let layerDescriptors = try layers.map { layer -> [String: Any] in
            let (d, s) = try store(layer.blob)
            return ["mediaType": layer.mediaType, "digest": d, "size": s]
        }
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": MediaType.ociManifest.rawValue,
            "config": ["mediaType": MediaType.ociConfig.rawValue, "digest": configDigest, "size": configSize],
            "layers": layerDescriptors,
        ]
        let (manifestDigest, manifestSize) = try store([UInt8](try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])))
        let index: [String: Any] = [
            "schemaVersion": 2,
            "manifests": [
                [
                    "mediaType": MediaType.ociManifest.rawValue, "digest": manifestDigest, "size": manifestSize,
                    "annotations": [AnnotationKey.refName: "t"],
                ]
            ],
        ]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path + "/index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: path + "/oci-layout"))
    }
}

extension VerificationReport {
    /// `severity code` of every problem, for compact expectations.
    var codes: [String] { problems.map { "\($0.severity.rawValue) \($0.code)" } }
}
