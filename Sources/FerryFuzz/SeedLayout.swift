import FerrySpec
import FerryStreams
import Foundation

/// The `copy-verify` target's seed: a valid one-image OCI layout of two small uncompressed layers,
/// its documents written byte for byte here so that any one can be swapped for fuzz bytes.
struct SeedLayout {
    let layers: [[UInt8]] = [Self.tar(name: "hello.txt", content: Array("hello\n".utf8)), Self.tar(name: "b/c.txt", content: Array("second layer\n".utf8))]
    var layerDigests: [Digest] { layers.map { try! DigestHasher.digest($0) } }

    var config: [UInt8] {
        let diffIDs = layerDigests.map { "\"\($0)\"" }.joined(separator: ",")
        return Array(
            #"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[\#(diffIDs)]},"history":[{"created_by":"one"},{"created_by":"two"}]}"#
                .utf8)
    }

    func manifest(config: [UInt8]) -> [UInt8] {
        let layerDescriptors = zip(layers, layerDigests).map { layer, digest in
            #"{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(digest)","size":\#(layer.count)}"#
        }.joined(separator: ",")
        return Array(
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(try! DigestHasher.digest(config))","size":\#(config.count)},"layers":[\#(layerDescriptors)]}"#
                .utf8)
    }

    var manifest: [UInt8] { manifest(config: config) }

    func index(manifest: [UInt8]) -> [UInt8] {
        Array(
            #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(try! DigestHasher.digest(manifest))","size":\#(manifest.count),"annotations":{"org.opencontainers.image.ref.name":"t"}}]}"#
                .utf8)
    }

    var index: [UInt8] { index(manifest: manifest) }

    /// Writes the layout at `path` with the document in `slot` replaced by `bytes` (a new manifest or
    /// config re-pointed from its parent).
    static func write(to path: String, replacing slot: CopyVerifyTarget.Slot, with bytes: [UInt8]) throws {
        let seed = SeedLayout()
        var blobs = seed.layers
        let index: [UInt8]
        switch slot {
        case .index:
            blobs += [seed.config, seed.manifest]
            index = bytes
        case .manifest:
            blobs += [seed.config, bytes]
            index = seed.index(manifest: bytes)
        case .config:
            let manifest = seed.manifest(config: bytes)
            blobs += [bytes, manifest]
            index = seed.index(manifest: manifest)
        }
        try FileManager.default.createDirectory(atPath: path + "/blobs/sha256", withIntermediateDirectories: true)
        for blob in blobs {
            try Data(blob).write(to: URL(fileURLWithPath: path + "/blobs/sha256/" + (try DigestHasher.digest(blob)).encoded))
        }
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: path + "/oci-layout"))
        try Data(index).write(to: URL(fileURLWithPath: path + "/index.json"))
    }

    /// A one-file POSIX ustar archive.
    static func tar(name: String, content: [UInt8]) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, byte) in text.utf8.enumerated() { header[offset + i] = byte } }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: width - 1 - digits.count) + digits, at: offset)
        }
        put(name, at: 0)
        octal(0o644, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(content.count, at: 124, width: 12)
        octal(1_700_000_000, at: 136, width: 12)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        put(String(repeating: " ", count: 8), at: 148)
        octal(header.reduce(0) { $0 + Int($1) }, at: 148, width: 7)
        let padding = (512 - content.count % 512) % 512
        return header + content + [UInt8](repeating: 0, count: padding + 1024)
    }
}
