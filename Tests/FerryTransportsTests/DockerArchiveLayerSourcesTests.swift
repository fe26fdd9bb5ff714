import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Reading `LayerSources` from `manifest.json`: a layer it marks foreign is copied from the
/// archive's bytes as an ordinary layer, with a note; Docker 25's plain entries change nothing;
/// entries that are broken or name no layer of the item never stop a copy. The archives are
/// built here from a seeded image, as `docker save` lays them out.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct DockerArchiveLayerSourcesTests {
    static let url = "https://foreign.example/layers/base.tar.gz"
    static let foreignGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// An uncompressed three-layer image written as an OCI layout at `dir/src`, and the digest
    /// and size of its middle layer gzipped (what a registry would have served for it).
    private func image(_ dir: String, seed: UInt64 = 515) async throws -> (image: TestImageBuilder.ImageSummary, gzipped: (digest: Digest, size: Int)) {
        var builder = TestImageBuilder(seed: seed)
        builder.addImage(tag: "1.0", layerCount: 3, layerSize: 6000, compressed: false)
        let image = try #require(try await builder.write(to: dir + "/src")["1.0"]?.images.first)
        let gzipped = try await ExternalTool.runChecked("gzip", ["-n", "-c"], stdin: try blob(dir, image.diffIDs[1])).stdoutBytes
        return (image, (try DigestHasher.digest(gzipped), gzipped.count))
    }

    private func blob(_ dir: String, _ digest: Digest) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/src/blobs/sha256/" + digest.encoded)))
    }

    /// A descriptor as `docker save` writes it in `LayerSources`.
    private func descriptor(_ mediaType: String, _ digest: Digest, _ size: Int, urls: [String] = []) -> String {
        let list = urls.isEmpty ? "" : #","urls":[\#(urls.map { "\"\($0)\"" }.joined(separator: ","))]"#
        return #"{"mediaType":"\#(mediaType)","size":\#(size),"digest":"\#(digest)"\#(list)}"#
    }

    /// The foreign entry for the middle layer plus Docker 25-style plain entries for the others.
    private func mixedLayerSources(_ image: TestImageBuilder.ImageSummary, gzipped: (digest: Digest, size: Int)) -> String {
        let plain = "application/vnd.oci.image.layer.v1.tar"
        return
            #","LayerSources":{"\#(image.diffIDs[0])":\#(descriptor(plain, image.diffIDs[0], image.layerSizes[0])),"\#(image.diffIDs[1])":\#(descriptor(Self.foreignGzip, gzipped.digest, gzipped.size, urls: [Self.url])),"\#(image.diffIDs[2])":\#(descriptor(plain, image.diffIDs[2], image.layerSizes[2]))}"#
    }

    /// A legacy archive (`<config>.json`, `<DiffID>/layer.tar`, `manifest.json`) whose one item
    /// has `extra` appended to its fields (such as `,"LayerSources":{…}`).
    private func legacyArchive(_ path: String, _ dir: String, _ image: TestImageBuilder.ImageSummary, extra: String) throws {
        var files: [(String, [UInt8])] = [(image.configDigest.encoded + ".json", try blob(dir, image.configDigest))]
        for diffID in image.diffIDs { files.append((diffID.encoded + "/layer.tar", try blob(dir, diffID))) }
        let layers = image.diffIDs.map { "\"\($0.encoded)/layer.tar\"" }.joined(separator: ",")
        let manifest = #"[{"Config":"\#(image.configDigest.encoded).json","RepoTags":["ferry/foreign:1.0"],"Layers":[\#(layers)]\#(extra)}]"#
        files.append(("manifest.json", Array(manifest.utf8)))
        try DockerArchiveTesting.writeTar(path, files)
    }

    /// A Docker 25+ archive: the OCI layout (`manifestBytes`, or the image's own manifest) with
    /// the layers under their DiffIDs, and a `manifest.json` whose item has `extra` appended.
    private func docker25Archive(_ path: String, _ dir: String, _ image: TestImageBuilder.ImageSummary, manifestBytes: [UInt8]? = nil, extra: String) throws {
        let manifest = try manifestBytes ?? blob(dir, image.manifestDigest)
        let manifestDigest = try DigestHasher.digest(manifest)
        var files: [(String, [UInt8])] = [("oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))]
        files.append(("blobs/sha256/" + image.configDigest.encoded, try blob(dir, image.configDigest)))
        for diffID in image.diffIDs { files.append(("blobs/sha256/" + diffID.encoded, try blob(dir, diffID))) }
        files.append(("blobs/sha256/" + manifestDigest.encoded, manifest))
        let index =
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(manifestDigest)","size":\#(manifest.count),"annotations":{"io.containerd.image.name":"docker.io/ferry/foreign:1.0","org.opencontainers.image.ref.name":"1.0"}}]}"#
        files.append(("index.json", Array(index.utf8)))
        let layers = image.diffIDs.map { "\"blobs/sha256/\($0.encoded)\"" }.joined(separator: ",")
        let item = #"[{"Config":"blobs/sha256/\#(image.configDigest.encoded)","RepoTags":["ferry/foreign:1.0"],"Layers":[\#(layers)]\#(extra)}]"#
        files.append(("manifest.json", Array(item.utf8)))
        files.append(("repositories", Array(#"{"ferry/foreign":{"1.0":"\#(image.diffIDs[2].encoded)"}}"#.utf8)))
        try DockerArchiveTesting.writeTar(path, files)
    }

    /// Copies the archive's only image to a new OCI layout at `out` (default options: OCI, gzip
    /// layers) and checks that every layer's bytes landed: the copy's DiffIDs are the image's
    /// and each layer blob is in `blobs/`.
    private func copyToOCI(_ archive: String, _ out: String, expecting image: TestImageBuilder.ImageSummary) async throws -> (CopyReport, Inspection.Image) {
        let report = try await CopyOperation(
            source: try DockerArchiveSource(path: archive),
            destination: try OCILayoutDestination(path: out, durable: false)
        ).run()
        let copied = try #require(try await Inspector(source: try OCILayoutSource(path: out)).inspect(.only).images.first)
        #expect(copied.diffIDs == image.diffIDs)
        #expect(copied.configDigest == image.configDigest)
        #expect(copied.layers.count == image.diffIDs.count)
        for layer in copied.layers {
            #expect(FileManager.default.fileExists(atPath: out + "/blobs/sha256/" + layer.digest.encoded), "layer \(layer.digest) is missing from the copy")
        }
        return (report, copied)
    }

    /// Rows: the archive as written, and wrapped in gzip (read in one pass, layers landing before
    /// `manifest.json` is read).
    @Test(arguments: [false, true])
    func foreignLayerIsCopiedFromTheArchiveWithANote(gzipWrapped: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let (image, gzipped) = try await image(dir)
            var archive = dir + "/a.tar"
            try legacyArchive(archive, dir, image, extra: mixedLayerSources(image, gzipped: gzipped))
            if gzipWrapped {
                let bytes = try await ExternalTool.runChecked("gzip", ["-n", "-c", archive]).stdoutBytes
                archive += ".gz"
                try Data(bytes).write(to: URL(fileURLWithPath: archive))
            }
            let (report, copied) = try await copyToOCI(archive, dir + "/out", expecting: image)
            #expect(report.notes.count == 1, "\(report.notes)")
            let note = try #require(report.notes.first)
            #expect(note.contains(image.diffIDs[1].description) && note.contains(Self.url) && note.contains("ferry/foreign:1.0"), "\(note)")
            #expect(note.contains("distributable") && note.contains(archive), "\(note)")
            #expect(!note.contains(image.diffIDs[0].description) && !note.contains(image.diffIDs[2].description), "only the foreign layer is named: \(note)")
            #expect(try DockerArchiveSource(path: archive).notes == report.notes)
            // An ordinary layer now: no non-distributable type, no URL in the copy's manifest.
            #expect(copied.layers.allSatisfy { $0.mediaType == .ociLayerGzip }, "\(copied.layers.map(\.mediaType))")
            let manifest = try String(contentsOfFile: dir + "/out/blobs/sha256/" + copied.digest.encoded, encoding: .utf8)
            #expect(!manifest.contains("foreign.example") && !manifest.contains("nondistributable"), "\(manifest)")
        }
    }

    @Test(.enabled(if: SharedFixtures.ferryBinary != nil, "no ferry binary (swift build)"))
    func cliPrintsTheForeignLayerNote() async throws {
        try await withTemporaryDirectory { dir in
            let (image, gzipped) = try await image(dir)
            try legacyArchive(dir + "/a.tar", dir, image, extra: mixedLayerSources(image, gzipped: gzipped))
            let result = try await ExternalTool.run(SharedFixtures.ferryBinary ?? "", ["copy", "-q", "docker-archive:\(dir)/a.tar", "oci:\(dir)/cli:1.0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let notes = result.stderr.split(separator: "\n").filter { $0.contains("note:") }
            #expect(notes.count == 1 && notes[0].contains(Self.url) && notes[0].contains(image.diffIDs[1].description), "\(result.stderr)")
            let copied = try await Inspector(source: try OCILayoutSource(path: dir + "/cli")).inspect(.name("1.0"))
            #expect(copied.images.first?.diffIDs == image.diffIDs)
        }
    }

    @Test func docker25EntriesForEveryLayerChangeNothing() async throws {
        try await withTemporaryDirectory { dir in
            let (image, _) = try await image(dir)
            let plain = "application/vnd.oci.image.layer.v1.tar"
            let every =
                #","LayerSources":{"#
                + image.diffIDs.enumerated().map { i, diffID in
                    "\"\(diffID)\":" + descriptor(plain, diffID, image.layerSizes[i])
                }.joined(separator: ",") + "}"
            try docker25Archive(dir + "/with.tar", dir, image, extra: every)
            try docker25Archive(dir + "/without.tar", dir, image, extra: "")
            let with = try DockerArchiveSource(path: dir + "/with.tar")
            let without = try DockerArchiveSource(path: dir + "/without.tar")
            #expect(with.notes.isEmpty, "\(with.notes)")
            #expect(try await with.entries() == (try await without.entries()))
            // The stored manifest is served and copied verbatim, as before.
            #expect(try await with.entry(matching: .only).descriptor.digest == image.manifestDigest)
            let report = try await CopyOperation(
                source: with, destination: try OCILayoutDestination(path: dir + "/out", durable: false),
                options: CopyOptions(compression: .keep)
            ).run()
            #expect(report.entries.first?.descriptor.digest == image.manifestDigest)
            #expect(report.notes.isEmpty)
        }
    }

    /// Rows: what follows the item's `Layers`, and the note it should give (a fragment), if any.
    static let unusualEntries: [(String, String?)] = [
        // Keys that are no DiffID of the item: ignored, as docker load ignores them.
        (
            #","LayerSources":{"sha256:1111111111111111111111111111111111111111111111111111111111111111":{"mediaType":"\#(foreignGzip)","size":1,"digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","urls":["\#(url)"]}}"#,
            nil
        ),
        (#","LayerSources":{"not a digest":{"mediaType":"\#(foreignGzip)","size":"big","urls":7}}"#, nil),
        (#","LayerSources":{"sha256:1111111111111111111111111111111111111111111111111111111111111111":"garbage"}"#, nil),
        (#","LayerSources":null,"Parent":42"#, nil),
        (#","LayerSources":{},"Parent":"sha256:3333333333333333333333333333333333333333333333333333333333333333""#, nil),
        // A value that is not a map at all: ignored, and said.
        (
            #","LayerSources":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]"#,
            "LayerSources is ignored (the value is not a JSON object)"
        ),
        (#","LayerSources":"foreign""#, "LayerSources is ignored (the value is not a JSON object)"),
    ]

    @Test(arguments: unusualEntries)
    func unusualLayerSourcesDoNotStopTheCopy(_ extra: String, _ expectedNote: String?) async throws {
        try await withTemporaryDirectory { dir in
            let (image, _) = try await image(dir)
            try legacyArchive(dir + "/plain.tar", dir, image, extra: "")
            try legacyArchive(dir + "/odd.tar", dir, image, extra: extra)
            let odd = try DockerArchiveSource(path: dir + "/odd.tar")
            if let expectedNote {
                #expect(odd.notes.count == 1 && odd.notes[0].contains(expectedNote), "\(odd.notes)")
            } else {
                #expect(odd.notes.isEmpty, "\(odd.notes)")
            }
            // The same image as without LayerSources, and it copies.
            #expect(try await odd.entries() == (try await DockerArchiveSource(path: dir + "/plain.tar").entries()))
            _ = try await copyToOCI(dir + "/odd.tar", dir + "/out", expecting: image)
        }
    }

    @Test func malformedEntryForALayerIsNamedAndTheLayerCopied() async throws {
        try await withTemporaryDirectory { dir in
            let (image, _) = try await image(dir)
            let broken = #","LayerSources":{"\#(image.diffIDs[2])":{"mediaType":"\#(Self.foreignGzip)","digest":"sha256:nothex","urls":["\#(Self.url)"]}}"#
            try legacyArchive(dir + "/a.tar", dir, image, extra: broken)
            let source = try DockerArchiveSource(path: dir + "/a.tar")
            let note = try #require(source.notes.first)
            #expect(source.notes.count == 1)
            #expect(
                note.contains("layer 2") && note.contains(image.diffIDs[2].description) && note.contains("not a descriptor") && note.contains("digest"),
                "\(note)")
            let (report, _) = try await copyToOCI(dir + "/a.tar", dir + "/out", expecting: image)
            #expect(report.notes == source.notes)
        }
    }

    @Test func docker25ManifestNamingAnAbsentForeignBlobIsRebuiltFromTheMembers() async throws {
        try await withTemporaryDirectory { dir in
            let (image, gzipped) = try await image(dir)
            // Docker 25+ puts the foreign layer's registry descriptor in the OCI manifest and
            // stores the uncompressed bytes under the DiffID: that manifest names a blob the
            // archive does not have.
            let config = try blob(dir, image.configDigest)
            let layers = image.diffIDs.enumerated().map { i, diffID in
                i == 1
                    ? descriptor(Self.foreignGzip, gzipped.digest, gzipped.size, urls: [Self.url])
                    : descriptor("application/vnd.oci.image.layer.v1.tar", diffID, image.layerSizes[i])
            }.joined(separator: ",")
            let manifest =
                #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(image.configDigest)","size":\#(config.count)},"layers":[\#(layers)]}"#
            try docker25Archive(dir + "/a.tar", dir, image, manifestBytes: Array(manifest.utf8), extra: mixedLayerSources(image, gzipped: gzipped))
            let source = try DockerArchiveSource(path: dir + "/a.tar")
            let entry = try await source.entry(matching: .only)
            #expect(entry.isSynthesized && entry.descriptor.mediaType == .dockerManifest, "\(entry)")
            #expect(source.notes.count == 1 && source.notes[0].contains(Self.url) && source.notes[0].contains("distributable"), "\(source.notes)")
            let (report, _) = try await copyToOCI(dir + "/a.tar", dir + "/out", expecting: image)
            #expect(report.notes == source.notes)
        }
    }
}
