import Foundation
import FerrySpec
import FerryStreams

/// Edits an OCI layout on disk to make broken or unusual inputs for tests: rewrite a manifest,
/// corrupt a blob, replace `index.json`.
public struct LayoutSurgery {
    /// The layout directory.
    public let root: String

    public init(_ root: String) {
        self.root = root
    }

    /// The path of a blob.
    public func blobPath(_ digest: Digest) -> String {
        root + "/blobs/\(digest.algorithm)/\(digest.encoded)"
    }

    /// Reads `index.json` as a JSON object.
    public func index() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/index.json"))) as! [String: Any]
    }

    /// Replaces `index.json` with `json`.
    public func writeIndex(_ json: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: URL(fileURLWithPath: root + "/index.json"))
    }

    /// Replaces `index.json` with raw bytes.
    public func writeIndex(bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/index.json"))
    }

    /// Changes one field of the first `index.json` entry.
    public func editFirstIndexEntry(_ edit: (inout [String: Any]) -> Void) throws {
        var json = try index()
        var manifests = json["manifests"] as! [[String: Any]]
        edit(&manifests[0])
        json["manifests"] = manifests
        try writeIndex(json)
    }

    /// Flips one byte of a blob in place, keeping its name and size.
    public func flipByte(of digest: Digest, at offset: Int = 100) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: blobPath(digest))))
        bytes[min(offset, bytes.count - 1)] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: blobPath(digest)))
    }

    /// Cuts a blob to `length` bytes.
    public func truncate(_ digest: Digest, to length: Int) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: blobPath(digest)))
        try bytes.prefix(length).write(to: URL(fileURLWithPath: blobPath(digest)))
    }

    /// Deletes a blob.
    public func remove(_ digest: Digest) throws {
        try FileManager.default.removeItem(atPath: blobPath(digest))
    }

    /// Rewrites the manifest `digest` with `edit`, stores it under its new digest, and points the
    /// `index.json` entry named `tag` at it.
    /// - Returns: the new manifest digest.
    @discardableResult
    public func rewriteManifest(_ digest: Digest, tag: String, _ edit: (inout [String: Any]) -> Void) throws -> Digest {
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: blobPath(digest)))) as! [String: Any]
        edit(&json)
        return try replaceManifest(tag: tag, with: [UInt8](try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])))
    }

    /// The bytes of the blob `digest`.
    public func bytes(of digest: Digest) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: blobPath(digest))))
    }

    /// Stores `bytes` (any bytes, not necessarily valid JSON) as the manifest the `index.json`
    /// entry named `tag` points at; returns its digest.
    @discardableResult
    public func replaceManifest(tag: String, with bytes: [UInt8]) throws -> Digest {
        let newDigest = try DigestHasher.digest(bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: blobPath(newDigest)))
        var index = try index()
        var manifests = index["manifests"] as! [[String: Any]]
        for i in manifests.indices {
            let annotations = manifests[i]["annotations"] as? [String: String]
            if annotations?["org.opencontainers.image.ref.name"] == tag {
                manifests[i]["digest"] = newDigest.description
                manifests[i]["size"] = bytes.count
            }
        }
        index["manifests"] = manifests
        try writeIndex(index)
        return newDigest
    }

    /// Rewrites `image`'s config (as JSON) with `edit`, stores it under its new digest and points
    /// the image's manifest at it (``replaceConfig(of:tag:with:)``).
    public func editConfig(of image: TestImageBuilder.ImageSummary, tag: String, _ edit: (inout [String: Any]) -> Void) throws {
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: blobPath(image.configDigest)))) as! [String: Any]
        edit(&config)
        try replaceConfig(of: image, tag: tag, with: [UInt8](try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])))
    }

    /// Stores `bytes` as `image`'s config and points its manifest at it (digest and size); the
    /// `index.json` entry named `tag` then points at the rewritten manifest.
    public func replaceConfig(of image: TestImageBuilder.ImageSummary, tag: String, with bytes: [UInt8]) throws {
        let digest = try DigestHasher.digest(bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: blobPath(digest)))
        try rewriteManifest(image.manifestDigest, tag: tag) { manifest in
            var config = manifest["config"] as! [String: Any]
            config["digest"] = digest.description
            config["size"] = bytes.count
            manifest["config"] = config
        }
    }

    /// Sets `rootfs.diff_ids[index]` of `image`'s config to `diffID` (``editConfig(of:tag:_:)``).
    public func setDiffID(_ index: Int, to diffID: String, of image: TestImageBuilder.ImageSummary, tag: String) throws {
        try editConfig(of: image, tag: tag) { config in
            var rootfs = config["rootfs"] as! [String: Any]
            var diffIDs = rootfs["diff_ids"] as! [String]
            diffIDs[index] = diffID
            rootfs["diff_ids"] = diffIDs
            config["rootfs"] = rootfs
        }
    }
}
