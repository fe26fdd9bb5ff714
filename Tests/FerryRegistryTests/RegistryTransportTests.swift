import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Push and pull through the `docker://` transport against the real local registry.
@Suite(.needs(.registry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct RegistryTransportTests {
    let registry = SharedFixtures.testRegistry ?? ""

    @Test func pushedImageAndIndexPullBackWithIdenticalDigests() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 401)
            let repository = SharedFixtures.uniqueRepository("roundtrip")
            for tag in ["v1", "multi"] {
                let pushed = try await push(layout: dir + "/src", name: tag, to: registry, repository: repository, tag: tag)
                #expect(pushed.entries.first?.descriptor.digest == summary[tag]?.digest)
                let pulled = try await pull(registry, repository: repository, tag: tag, into: dir + "/back")
                #expect(pulled.entries.first?.descriptor.digest == summary[tag]?.digest)
                #expect(pulled.entries.first?.names == [tag])
            }
            // The pulled layout passes Ferry's own verifier.
            for tag in ["v1", "multi"] {
                let report = await Verifier(reference: TransportReference(kind: .oci, path: dir + "/back", selector: .name(tag))).run()
                #expect(report.errors == 0, "\(report.problems)")
            }
            let (tags, index) = try await withRegistryClient(registry, options: plainOptions) { client in
                (try await client.tags(repository), try await client.manifest(repository, .tag("multi")))
            }
            #expect(tags.sorted() == ["multi", "v1"])
            #expect(index.mediaType == .ociIndex)
        }
    }

    @Test func repeatPushSkipsEveryBlob() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 402)
            let repository = SharedFixtures.uniqueRepository("repeat")
            let first = try await push(layout: dir + "/src", name: "multi", to: registry, repository: repository, tag: "multi")
            #expect(first.blobsCopied > 0)
            let second = try await push(layout: dir + "/src", name: "multi", to: registry, repository: repository, tag: "multi")
            #expect(second.blobsCopied == 0)
            #expect(second.blobsSkipped == first.blobsCopied + first.blobsSkipped)
        }
    }

    @Test func recompressedPushLandsUnderTheComputedDigest() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 403)
            let repository = SharedFixtures.uniqueRepository("zstd")
            let reference = try Reference(parsing: "\(registry)/\(repository):z")
            let report = try await TransportReference(docker: reference).withDestination(registry: plainOptions) { destination in
                try await CopyOperation(
                    source: try OCILayoutSource(path: dir + "/src"), destination: destination, selector: .name("v1"),
                    options: CopyOptions(destinationNames: ["z"], compression: try CompressionChoice(parsing: "zstd"))
                ).run()
            }
            #expect(report.layersTranscoded == 2)
            let pulled = try await pull(registry, repository: repository, tag: "z", into: dir + "/back")
            #expect(pulled.entries.first?.descriptor.digest == report.entries.first?.descriptor.digest)
        }
    }

    @Test func sourceEntryIsTheNamedManifest() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 404)
            let repository = SharedFixtures.uniqueRepository("entry")
            try await push(layout: dir + "/src", name: "v1", to: registry, repository: repository, tag: "v1")
            let digest = try #require(summary["v1"]?.digest)
            for (text, names) in [("\(registry)/\(repository):v1", ["v1"]), ("\(registry)/\(repository)@\(digest)", [])] {
                let place = try TransportReference(parsing: "docker://" + text)
                let entries = try await place.withSource(registry: plainOptions) { try await $0.entries() }
                #expect(entries.map(\.descriptor.digest) == [digest])
                #expect(entries.first?.names == names)
            }
            let absent = try TransportReference(parsing: "docker://\(registry)/\(repository):nope")
            let error = await #expect(throws: RegistryError.self) {
                _ = try await absent.withSource(registry: plainOptions) { try await $0.entries() }
            }
            #expect(error?.code == .notFound)
        }
    }
}

@Suite struct DockerTransportParsingTests {
    @Test(
        arguments: [
            // Registry host with port, tag.
            ("docker://127.0.0.1:5000/a/b:1.0", "127.0.0.1:5000/a/b", "1.0"),
            // No tag: latest is the destination name.
            ("docker://localhost:5000/app", "localhost:5000/app", "latest"),
            // docker.io normalisation works syntactically.
            ("docker://alpine", "docker.io/library/alpine", "latest"),
        ] as [(String, String, String?)])
    func parsesDockerReferences(_ text: String, _ name: String, _ destinationName: String?) throws {
        let place = try TransportReference(parsing: text)
        #expect(place.kind == .docker)
        #expect(place.dockerReference?.name == name)
        #expect(place.destinationName == destinationName)
    }

    @Test func digestReferenceHasNoDestinationName() throws {
        let place = try TransportReference(parsing: "docker://r:5000/a@sha256:" + String(repeating: "a", count: 64))
        #expect(place.destinationName == nil)
        #expect(place.description == "docker://r:5000/a@sha256:" + String(repeating: "a", count: 64))
    }

    @Test(arguments: ["docker:r/a", "docker://", "docker://UPPER/Case:x", "docker://r:5000/a:t@sha256:" + String(repeating: "a", count: 64)])
    func rejectsMalformedDockerReferences(_ text: String) {
        #expect(throws: TransportError.self) { try TransportReference(parsing: text) }
    }

    @Test func fileOpenersPointAtTheScopedOnes() throws {
        let place = try TransportReference(parsing: "docker://r:5000/a:1")
        #expect(throws: TransportError.self) { _ = try place.openSource() }
        #expect(throws: TransportError.self) { _ = try place.openDestination() }
    }
}
