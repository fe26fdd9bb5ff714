import Foundation
import FerrySpec
import FerryStreams

/// Builds random-but-seeded container images at test time and writes them as an OCI image layout.
///
/// The builder is deliberately independent of Ferry's own layout, tar, compression and JSON code,
/// so that it can judge them: layers are written by a small ustar writer in this file, gzip is the
/// system `gzip -n`, and JSON documents are assembled by hand. Only hashing uses Ferry
/// (``DigestHasher``, a thin wrapper over libcrypto).
///
/// The same seed and the same sequence of `add…` calls give byte-identical output (given the
/// same `gzip` binary). Typical use:
///
/// ```swift
/// var builder = TestImageBuilder(seed: 42)
/// builder.addImage(tag: "v1", layerCount: 2, layerSize: 4096)
/// builder.addIndex(tag: "multi", platforms: [.init(os: "linux", architecture: "amd64"),
///                                            .init(os: "linux", architecture: "arm64", variant: "v8")])
/// let summary = try await builder.write(to: directory)
/// ```
public struct TestImageBuilder: Sendable {
    /// Media types written by the builder (image-spec names).
    public enum MediaTypes {
        /// OCI image index.
        public static let index = "application/vnd.oci.image.index.v1+json"
        /// OCI image manifest.
        public static let manifest = "application/vnd.oci.image.manifest.v1+json"
        /// OCI image config.
        public static let config = "application/vnd.oci.image.config.v1+json"
        /// Uncompressed layer.
        public static let layerTar = "application/vnd.oci.image.layer.v1.tar"
        /// gzip layer.
        public static let layerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    }

    /// What was written for one single-platform image.
    public struct ImageSummary: Sendable, Equatable {
        /// The platform in the config (and in the index entry, for images in an index).
        public var platform: Platform
        /// Digest of the manifest bytes.
        public var manifestDigest: Digest
        /// Size of the manifest bytes.
        public var manifestSize: Int
        /// Digest of the config bytes (the image ID).
        public var configDigest: Digest
        /// Digests of the layer blobs as stored (compressed when `compressed`), base first.
        public var layerDigests: [Digest]
        /// Sizes of the layer blobs as stored.
        public var layerSizes: [Int]
        /// Digests of the uncompressed layer tars (`rootfs.diff_ids`), base first.
        public var diffIDs: [Digest]
        /// Whether the layers are gzip-compressed.
        public var compressed: Bool
    }

    /// What was written for one tag.
    public struct TagSummary: Sendable, Equatable {
        /// Digest of the document the tag points at: an image manifest, or an index.
        public var digest: Digest
        /// Media type of that document.
        public var mediaType: String
        /// The images behind the tag: one for an image, one per platform for an index.
        public var images: [ImageSummary]
    }

    /// Everything ``write(to:)`` wrote.
    public struct Summary: Sendable, Equatable {
        /// Per tag, in the order the tags were added.
        public var tags: [(tag: String, summary: TagSummary)]
        /// Every blob digest written under `blobs/`, sorted.
        public var blobDigests: [Digest]

        /// The summary of `tag`, if it was added.
        public subscript(tag: String) -> TagSummary? { tags.first { $0.tag == tag }?.summary }

        /// Digest of the manifest or index each tag points at.
        public var manifestDigests: [String: Digest] {
            Dictionary(uniqueKeysWithValues: tags.map { ($0.tag, $0.summary.digest) })
        }

        public static func == (lhs: Summary, rhs: Summary) -> Bool {
            lhs.tags.map(\.tag) == rhs.tags.map(\.tag)
                && lhs.tags.map(\.summary) == rhs.tags.map(\.summary)
                && lhs.blobDigests == rhs.blobDigests
        }
    }

    private struct ImageSpec: Sendable {
        var platform: Platform
        var layers: [[UInt8]]  // uncompressed tars
        var compressed: Bool
        var created: String
    }

    private enum Entry: Sendable {
        case image(tag: String, ImageSpec)
        case index(tag: String, [ImageSpec])
    }

    private var random: SplitMix64
    private var entries: [Entry] = []

    /// Creates a builder whose content is a pure function of `seed` and the calls made.
    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// Adds a single-platform image under `tag`.
    /// - Parameters:
    ///   - tag: the `org.opencontainers.image.ref.name` in `index.json`.
    ///   - layerCount: number of layers (0 is allowed: an image with no layers).
    ///   - layerSize: approximate bytes of file content per layer (at least one small file).
    ///   - compressed: gzip the layers (`tar+gzip`) or store them as plain `tar`.
    ///   - platform: written into the config.
    public mutating func addImage(
        tag: String, layerCount: Int = 2, layerSize: Int = 4096, compressed: Bool = true,
        platform: Platform = Platform(os: "linux", architecture: "amd64")
    ) {
        entries.append(
            .image(
                tag: tag,
                makeImage(
                    layerCount: layerCount, layerSize: layerSize,
                    compressed: compressed, platform: platform)))
    }

    /// Adds a single-platform image under `tag` built on the layers of the image added earlier
    /// under `base` (the same blobs), with `extraLayerCount` new layers on top — an update of an
    /// application on a shared base.
    public mutating func addImage(tag: String, on base: String, extraLayerCount: Int, layerSize: Int = 4096) {
        guard
            let spec = entries.lazy.compactMap({ entry -> ImageSpec? in
                if case .image(let name, let spec) = entry, name == base { return spec }
                return nil
            }).first
        else { preconditionFailure("no image \(base) to build on") }
        var image = makeImage(layerCount: extraLayerCount, layerSize: layerSize, compressed: spec.compressed, platform: spec.platform)
        image.layers = spec.layers + image.layers
        entries.append(.image(tag: tag, image))
    }

    /// Adds an OCI index under `tag` with one new image per platform, in the given order.
    public mutating func addIndex(
        tag: String, platforms: [Platform], layerCount: Int = 2, layerSize: Int = 4096, compressed: Bool = true
    ) {
        let images = platforms.map {
            makeImage(layerCount: layerCount, layerSize: layerSize, compressed: compressed, platform: $0)
        }
        entries.append(.index(tag: tag, images))
    }

    /// Writes the OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) into `path`.
    ///
    /// `path` is created if needed; existing blobs are overwritten with identical bytes.
    /// - Returns: the digests of everything written, per tag.
    /// - Throws: when `gzip` is missing or fails, or on a file-system error.
    public func write(to path: String) async throws -> Summary {
        var blobs: [Digest: [UInt8]] = [:]
        var tags: [(tag: String, summary: TagSummary)] = []
        var topLevel: [JSON] = []

        func store(_ bytes: [UInt8]) throws -> Digest {
            let digest = try DigestHasher.digest(bytes)
            blobs[digest] = bytes
            return digest
        }

        func writeImage(_ spec: ImageSpec) async throws -> (ImageSummary, [UInt8]) {
            var layerBlobs: [[UInt8]] = []
            for tar in spec.layers {
                layerBlobs.append(spec.compressed ? try await Self.gzip(tar) : tar)
            }
            let diffIDs = try spec.layers.map { try DigestHasher.digest($0) }
            let layerDigests = try layerBlobs.map { try store($0) }

            var configFields: [(String, JSON)] = [
                ("created", .string(spec.created)),
                ("architecture", .string(spec.platform.architecture)),
            ]
            if let variant = spec.platform.variant { configFields.append(("variant", .string(variant))) }
            configFields += [
                ("os", .string(spec.platform.os)),
                ("config", .object([("Env", .array([.string("PATH=/usr/bin:/bin")]))])),
                (
                    "rootfs",
                    .object([
                        ("type", .string("layers")),
                        ("diff_ids", .array(diffIDs.map { .string($0.description) })),
                    ])
                ),
                (
                    "history",
                    .array(
                        spec.layers.indices.map { i in
                            .object([
                                ("created", .string(spec.created)),
                                ("created_by", .string("TestImageBuilder layer \(i)")),
                            ])
                        })
                ),
            ]
            let config = JSON.object(configFields).bytes
            let configDigest = try store(config)

            let layerMediaType = spec.compressed ? MediaTypes.layerGzip : MediaTypes.layerTar
            let manifest = JSON.object([
                ("schemaVersion", .int(2)),
                ("mediaType", .string(MediaTypes.manifest)),
                ("config", Self.descriptor(MediaTypes.config, configDigest, config.count)),
                (
                    "layers",
                    .array(
                        zip(layerDigests, layerBlobs).map {
                            Self.descriptor(layerMediaType, $0, $1.count)
                        })
                ),
            ]).bytes
            let manifestDigest = try store(manifest)
            let summary = ImageSummary(
                platform: spec.platform, manifestDigest: manifestDigest, manifestSize: manifest.count,
                configDigest: configDigest, layerDigests: layerDigests, layerSizes: layerBlobs.map(\.count),
                diffIDs: diffIDs, compressed: spec.compressed)
            return (summary, manifest)
        }

        for entry in entries {
            switch entry {
            case let .image(tag, spec):
                let (image, manifest) = try await writeImage(spec)
                topLevel.append(
                    Self.descriptor(
                        MediaTypes.manifest, image.manifestDigest, manifest.count,
                        annotations: [("org.opencontainers.image.ref.name", tag)]))
                tags.append(
                    (
                        tag,
                        TagSummary(
                            digest: image.manifestDigest, mediaType: MediaTypes.manifest,
                            images: [image])
                    ))
            case let .index(tag, specs):
                var images: [ImageSummary] = []
                var children: [JSON] = []
                for spec in specs {
                    let (image, manifest) = try await writeImage(spec)
                    images.append(image)
                    children.append(
                        Self.descriptor(
                            MediaTypes.manifest, image.manifestDigest, manifest.count,
                            platform: spec.platform))
                }
                let index = JSON.object([
                    ("schemaVersion", .int(2)),
                    ("mediaType", .string(MediaTypes.index)),
                    ("manifests", .array(children)),
                ]).bytes
                let indexDigest = try store(index)
                topLevel.append(
                    Self.descriptor(
                        MediaTypes.index, indexDigest, index.count,
                        annotations: [("org.opencontainers.image.ref.name", tag)]))
                tags.append((tag, TagSummary(digest: indexDigest, mediaType: MediaTypes.index, images: images)))
            }
        }

        let layoutIndex = JSON.object([
            ("schemaVersion", .int(2)),
            ("mediaType", .string(MediaTypes.index)),
            ("manifests", .array(topLevel)),
        ]).bytes

        let fileManager = FileManager.default
        let blobDirectory = path + "/blobs/sha256"
        try fileManager.createDirectory(atPath: blobDirectory, withIntermediateDirectories: true)
        for (digest, bytes) in blobs {
            try Data(bytes).write(to: URL(fileURLWithPath: blobDirectory + "/" + digest.encoded))
        }
        try Data(JSON.object([("imageLayoutVersion", .string("1.0.0"))]).bytes)
            .write(to: URL(fileURLWithPath: path + "/oci-layout"))
        try Data(layoutIndex).write(to: URL(fileURLWithPath: path + "/index.json"))
        return Summary(tags: tags, blobDigests: blobs.keys.sorted())
    }

    // MARK: Content

    private mutating func makeImage(layerCount: Int, layerSize: Int, compressed: Bool, platform: Platform) -> ImageSpec {
        let number = random.next()
        // A fixed instant, varied per image so configs of equal layers still differ.
        let seconds = 1_700_000_000 + Int(number % 1_000_000)
        var layers: [[UInt8]] = []
        for layer in 0..<max(0, layerCount) {
            layers.append(makeLayer(index: layer, size: max(1, layerSize)))
        }
        return ImageSpec(
            platform: platform, layers: layers, compressed: compressed,
            created: Self.rfc3339(seconds))
    }

    /// A layer: a directory `layer-N/`, a nested `layer-N/sub/`, and a few files whose sizes add
    /// up to `size`. Half of each file is random bytes, half random lowercase text, so gzip
    /// neither collapses nor inflates it much.
    private mutating func makeLayer(index: Int, size: Int) -> [UInt8] {
        let tag = random.next() & 0xffff_ffff
        let root = "layer-\(index)-\(String(tag, radix: 16))/"
        var tar = UstarWriter()
        tar.directory(root)
        tar.directory(root + "sub/")
        let fileCount = min(4, max(1, size / 512))
        var remaining = size
        for file in 0..<fileCount {
            let length = file == fileCount - 1 ? remaining : remaining / (fileCount - file)
            remaining -= length
            var content = [UInt8]()
            content.reserveCapacity(length)
            for i in 0..<length {
                let value = random.next()
                content.append(i % 2 == 0 ? UInt8(truncatingIfNeeded: value) : UInt8(97 + value % 26))
            }
            let directory = file % 2 == 0 ? root : root + "sub/"
            tar.file(directory + "file-\(file).bin", content)
        }
        return tar.finish()
    }

    private static func gzip(_ bytes: [UInt8]) async throws -> [UInt8] {
        let result = try await ExternalTool.runChecked("gzip", ["-n", "-6", "-c"], stdin: bytes)
        return result.stdoutBytes
    }

    private static func descriptor(
        _ mediaType: String, _ digest: Digest, _ size: Int,
        platform: Platform? = nil, annotations: [(String, String)] = []
    ) -> JSON {
        var fields: [(String, JSON)] = [
            ("mediaType", .string(mediaType)),
            ("digest", .string(digest.description)),
            ("size", .int(size)),
        ]
        if let platform {
            var p: [(String, JSON)] = [("architecture", .string(platform.architecture)), ("os", .string(platform.os))]
            if let variant = platform.variant { p.append(("variant", .string(variant))) }
            fields.append(("platform", .object(p)))
        }
        if !annotations.isEmpty {
            fields.append(("annotations", .object(annotations.map { ($0.0, .string($0.1)) })))
        }
        return .object(fields)
    }

    private static func rfc3339(_ seconds: Int) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }
}

/// SplitMix64: a tiny, well-mixed, seedable generator (not for cryptography).
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A minimal JSON value that renders compactly with keys in the given order, so the builder
/// controls the exact bytes that get hashed.
enum JSON: Sendable {
    case string(String)
    case int(Int)
    case array([JSON])
    case object([(String, JSON)])

    var bytes: [UInt8] {
        var out = [UInt8]()
        render(into: &out)
        return out
    }

    private func render(into out: inout [UInt8]) {
        switch self {
        case .string(let s):
            Self.renderString(s, into: &out)
        case .int(let n):
            out += Array(String(n).utf8)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                value.render(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.renderString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.render(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func renderString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                out += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A POSIX ustar writer for small test layers: directories and regular files, names under 100
/// bytes, uid/gid 0, a fixed mtime. Written from the format description (POSIX.1-1988 `ustar`),
/// independent of Ferry's libarchive-based tar code.
struct UstarWriter: Sendable {
    private(set) var bytes: [UInt8] = []
    private let mtime = 1_700_000_000

    mutating func directory(_ name: String) {
        header(name: name.hasSuffix("/") ? name : name + "/", mode: 0o755, size: 0, type: UInt8(ascii: "5"))
    }

    mutating func file(_ name: String, _ content: [UInt8], mode: Int = 0o644) {
        header(name: name, mode: mode, size: content.count, type: UInt8(ascii: "0"))
        bytes += content
        pad()
    }

    /// Appends the end-of-archive marker (two zero blocks) and returns the archive.
    mutating func finish() -> [UInt8] {
        bytes += [UInt8](repeating: 0, count: 1024)
        return bytes
    }

    private mutating func pad() {
        let remainder = bytes.count % 512
        if remainder != 0 { bytes += [UInt8](repeating: 0, count: 512 - remainder) }
    }

    private mutating func header(name: String, mode: Int, size: Int, type: UInt8) {
        precondition(name.utf8.count < 100, "UstarWriter: name too long for a plain ustar header: \(name)")
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ string: String, at offset: Int) {
            for (i, byte) in string.utf8.enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            // width-1 zero-padded octal digits, then NUL.
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: width - 1 - digits.count) + digits, at: offset)
        }
        put(name, at: 0)
        octal(mode, at: 100, width: 8)
        octal(0, at: 108, width: 8)  // uid
        octal(0, at: 116, width: 8)  // gid
        octal(size, at: 124, width: 12)
        octal(mtime, at: 136, width: 12)
        block[156] = type
        put("ustar", at: 257)  // magic "ustar\0"
        put("00", at: 263)  // version
        put("root", at: 265)  // uname
        put("root", at: 297)  // gname
        // Checksum: the header's byte sum with the checksum field read as eight spaces,
        // stored as six octal digits, NUL, space.
        for i in 148..<156 { block[i] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - digits.count) + digits, at: 148)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        bytes += block
    }
}
