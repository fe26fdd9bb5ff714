import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Broken layouts: each gets an error naming the blob or file and the problem, and the
/// destination is left without any unverified blob and without an `index.json` naming the image.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct BadLayoutTests {
    static let deeplyNestedIndex: [UInt8] = {
        let open = String(repeating: "[", count: 100_000)
        let close = String(repeating: "]", count: 100_000)
        let text: String = "{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"x\":" + open + close + "}}"
        return Array(text.utf8)
    }()

    /// Builds a one-image layout, breaks it with `damage`, copies it, and returns the error.
    private func copyBroken(seed: UInt64, _ damage: (LayoutSurgery, TestImageBuilder.ImageSummary) throws -> Void) async throws -> (any Error, String) {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: seed)
            builder.addImage(tag: "t", layerCount: 2, layerSize: 30_000)
            let summary = try await builder.write(to: dir + "/src")
            try damage(LayoutSurgery(dir + "/src"), try #require(summary["t"]?.images.first))
            let error = await #expect(throws: (any Error).self) {
                _ = try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"),
                    destination: try OCILayoutDestination(path: dir + "/dst")
                ).run()
            }
            try expectEveryBlobMatchesItsName(dir + "/dst")
            #expect(!FileManager.default.fileExists(atPath: dir + "/dst/index.json"), "a failed copy must not publish index.json")
            return (try #require(error), "\(try #require(error))")
        }
    }

    @Test func missingBlobIsNamed() async throws {
        var missing: Digest?
        let (error, message) = try await copyBroken(seed: 21) { layout, image in
            missing = image.layerDigests[1]
            try layout.remove(image.layerDigests[1])
        }
        #expect((error as? TransportError)?.code == .notFound)
        #expect(message.contains(try #require(missing).description))
        #expect(message.contains("missing"))
    }

    @Test func flippedByteIsADigestMismatch() async throws {
        var broken: Digest?
        let (error, message) = try await copyBroken(seed: 22) { layout, image in
            broken = image.layerDigests[0]
            try layout.flipByte(of: image.layerDigests[0])
        }
        #expect((error as? StreamError)?.code == .digestMismatch)
        #expect(message.contains(try #require(broken).description))
    }

    @Test func truncatedBlobIsASizeMismatch() async throws {
        let (error, message) = try await copyBroken(seed: 23) { layout, image in
            try layout.truncate(image.layerDigests[0], to: 10)
        }
        #expect((error as? StreamError)?.code == .sizeMismatch)
        #expect(message.contains("truncated"))
    }

    @Test func wrongDescriptorSizeIsASizeMismatch() async throws {
        let (error, _) = try await copyBroken(seed: 24) { layout, _ in
            try layout.editFirstIndexEntry { $0["size"] = ($0["size"] as! Int) + 1 }
        }
        #expect((error as? StreamError)?.code == .sizeMismatch)
    }

    @Test func blobUnderTheWrongDigestIsRefused() async throws {
        let (error, _) = try await copyBroken(seed: 25) { layout, image in
            // Put layer 1's bytes under layer 0's name.
            let other = try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(image.layerDigests[1])))
            try other.write(to: URL(fileURLWithPath: layout.blobPath(image.layerDigests[0])))
        }
        let code = (error as? StreamError)?.code
        #expect(code == .digestMismatch || code == .sizeMismatch)
    }

    @Test func symlinkOutOfTheLayoutIsRefused() async throws {
        let (error, message) = try await copyBroken(seed: 26) { layout, image in
            let path = layout.blobPath(image.layerDigests[0])
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/etc/hostname")
        }
        #expect((error as? TransportError)?.code == .invalidInput)
        #expect(message.contains("outside the layout"))
    }

    @Test func invalidDigestStringInIndexIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 27)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir)
            try LayoutSurgery(dir).editFirstIndexEntry { $0["digest"] = "sha256:../../etc/passwd" }
            let error = #expect(throws: TransportError.self) { _ = try OCILayoutSource(path: dir) }
            #expect(error?.message.contains("sha256:../../etc/passwd") == true)
            #expect(error?.message.contains("index.json") == true)
        }
    }

    /// Rows: index.json damaged in the ways real tools and disks damage it.
    @Test(arguments: [
        ("truncated", Array(#"{"schemaVersion":2,"manifests":[{"mediaType":"#.utf8)),
        ("not JSON", Array("<html>not json</html>".utf8)),
        ("empty", []),
        ("a JSON array", Array("[]".utf8)),
        ("missing schemaVersion", Array(#"{"manifests":[]}"#.utf8)),
        // Hostile JSON: nesting deep enough to exhaust a recursive parser's stack.
        ("deeply nested", BadLayoutTests.deeplyNestedIndex),
    ])
    func damagedIndexIsRefused(_ label: String, _ bytes: [UInt8]) async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 28)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir)
            try LayoutSurgery(dir).writeIndex(bytes: bytes)
            let error = #expect(throws: TransportError.self, "\(label)") { _ = try OCILayoutSource(path: dir) }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains("index.json") == true)
        }
    }

    @Test func oversizedIndexIsRefusedWithoutReadingIt() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 29)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir)
            try LayoutSurgery(dir).writeIndex(bytes: Array(repeating: UInt8(ascii: " "), count: DocumentLimits.maximumDocumentSize + 1))
            let error = #expect(throws: TransportError.self) { _ = try OCILayoutSource(path: dir) }
            #expect(error?.message.contains("limit") == true)
        }
    }

    @Test func missingLayoutFileIsNotALayout() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 30)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir)
            try FileManager.default.removeItem(atPath: dir + "/oci-layout")
            let error = #expect(throws: TransportError.self) { _ = try OCILayoutSource(path: dir) }
            #expect(error?.message.contains("oci-layout is missing") == true)
        }
    }

    /// An OCI manifest that index.json labels Docker schema 2 is read as the label says, and then
    /// names an OCI config, which schema 2 does not allow: refused, as verify reports it
    /// (`type-not-allowed`). (The other way round — labelled OCI, written as Docker — is read as
    /// the label says and copied; verify warns. See ggcr's index-mixed-mediatypes.)
    @Test func manifestLabelledDockerButNamingAnOCIConfigIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 31)
            builder.addImage(tag: "t", layerCount: 1)
            _ = try await builder.write(to: dir + "/src")
            try LayoutSurgery(dir + "/src").editFirstIndexEntry { $0["mediaType"] = MediaType.dockerManifest.rawValue }
            let error = await #expect(throws: (any Error).self) {
                try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"),
                    destination: try OCILayoutDestination(path: dir + "/dst")
                ).run()
            }
            #expect("\(error.map { String(describing: $0) } ?? "")".contains("is not allowed in a Docker manifest"), "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: dir + "/dst/index.json"))
        }
    }

    @Test func destinationThatIsNotALayoutIsLeftAlone() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
            try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/home/notes.txt"))
            let error = #expect(throws: TransportError.self) { _ = try OCILayoutDestination(path: dir + "/home") }
            #expect(error?.message.contains("not an OCI layout") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/home") == ["notes.txt"])
        }
    }
}
