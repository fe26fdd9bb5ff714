import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Cross-repository blob mounts against the real registry; the fault proxy (without faults)
/// logs what was sent, to show whether bytes moved.
@Suite(.needs(.registry), .enabled(if: ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil, "gzip or python3 missing"))
struct BlobMountTests {
    let upstream = SharedFixtures.testRegistry ?? ""

    private func upload(_ client: RegistryClient, _ repository: String, _ bytes: [UInt8]) async throws -> Digest {
        let stream = try VerifyingStream(MemoryByteStream(bytes), computing: .sha256, context: "test blob")
        return try await client.pushBlob(repository, from: stream).digest
    }

    @Test func mountLinksABlobAnotherRepositoryHolds() async throws {
        let from = SharedFixtures.uniqueRepository("mount-from")
        let into = SharedFixtures.uniqueRepository("mount-into")
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await withRegistryClient(upstream, options: plainOptions) { client in
            let digest = try await upload(client, from, bytes)
            #expect(try await client.blobSize(into, digest) == nil)
            #expect(try await client.mountBlob(digest, into: into, from: from) == .mounted)
            #expect(try await client.blobSize(into, digest) == Int64(bytes.count))
            #expect(try await client.blob(into, digest).readAll(limit: 1 << 20, context: "mounted") == bytes)
        }
    }

    @Test func declinedMountOpensTheSessionTheUploadThenUses() async throws {
        let lacking = SharedFixtures.uniqueRepository("mount-empty")
        let into = SharedFixtures.uniqueRepository("mount-declined")
        let bytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let digest = try DigestHasher.digest(bytes)
        try await withFaultProxy(upstream: upstream, faults: []) { proxy in
            try await withRegistryClient(proxy.host, options: plainOptions) { client in
                // The `from` repository lacks the blob: distribution answers 202 with a session.
                guard case .declined(let session) = try await client.mountBlob(digest, into: into, from: lacking) else {
                    Issue.record("the registry mounted a blob the source does not hold")
                    return
                }
                #expect(session.repository == into)
                let stream = try VerifyingStream(MemoryByteStream(bytes), expectedDigest: digest, context: "test blob")
                #expect(try await client.pushBlob(into, from: stream, upload: session).digest == digest)
            }
            let posts = proxy.log().filter { $0.hasPrefix("POST ") }
            #expect(posts.count == 1 && posts.first?.contains("mount=") == true && posts.first?.contains("status=202") == true, "\(posts)")
        }
        let stored = try await withRegistryClient(upstream, options: plainOptions) { client in
            try await client.blob(into, digest).readAll(limit: 1 << 20, context: "uploaded")
        }
        #expect(stored == bytes)
    }

    @Test func registryCopyWithinOneHostMountsEveryBlob() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 811)
            let image = try #require(summary["v1"]?.images.first)
            let a = SharedFixtures.uniqueRepository("mount-a")
            let b = SharedFixtures.uniqueRepository("mount-b")
            try await push(layout: dir + "/src", name: "v1", to: upstream, repository: a, tag: "v1")
            try await withFaultProxy(upstream: upstream, faults: []) { proxy in
                let from = TransportReference(docker: try Reference(parsing: "\(proxy.host)/\(a):v1"))
                let to = TransportReference(docker: try Reference(parsing: "\(proxy.host)/\(b):v1"))
                let report = try await from.withSource(registry: plainOptions) { source in
                    try await to.withDestination(registry: plainOptions, mountingFrom: from) { destination in
                        try await CopyOperation(source: source, destination: destination).run()
                    }
                }
                #expect(report.entries.first?.descriptor.digest == summary["v1"]?.digest)
                #expect(report.blobsCopied == 0)
                let log = proxy.log()
                let mounts = log.filter { $0.hasPrefix("POST ") && $0.contains("mount=") && $0.contains("from=") }
                #expect(mounts.count == 1 + image.layerDigests.count, "\(log)")
                #expect(mounts.allSatisfy { $0.contains("status=201") }, "\(mounts)")
                // No layer's bytes move: neither read from a nor uploaded to b.
                #expect(!log.contains { $0.hasPrefix("PATCH ") }, "\(log)")
                for layer in image.layerDigests {
                    #expect(!log.contains { $0.hasPrefix("GET ") && $0.contains("/blobs/\(layer)") }, "\(log)")
                }
            }
            let pulled = try await pull(upstream, repository: b, tag: "v1", into: dir + "/back")
            #expect(pulled.entries.first?.descriptor.digest == summary["v1"]?.digest)
        }
    }

    @Test func copyFallsBackToUploadWhenEveryMountIsDeclined() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 812)
            let image = try #require(summary["v1"]?.images.first)
            let b = SharedFixtures.uniqueRepository("mount-fallback")
            let lacking = SharedFixtures.uniqueRepository("mount-none")
            try await withFaultProxy(upstream: upstream, faults: []) { proxy in
                let report = try await withRegistryClient(proxy.host, options: plainOptions) { client in
                    let destination = RegistryDestination(client: client, reference: try Reference(parsing: "\(proxy.host)/\(b)"), mountSource: lacking)
                    return try await CopyOperation(
                        source: try OCILayoutSource(path: dir + "/src"), destination: destination, selector: .name("v1"),
                        options: CopyOptions(destinationNames: ["v1"])
                    ).run()
                }
                let blobs = 1 + image.layerDigests.count
                #expect(report.blobsCopied == blobs)
                let posts = proxy.log().filter { $0.hasPrefix("POST ") }
                // One POST per blob: the declined mount's session carries the upload.
                #expect(posts.count == blobs && posts.allSatisfy { $0.contains("mount=") && $0.contains("status=202") }, "\(posts)")
                #expect(proxy.log().filter { $0.hasPrefix("PUT ") && $0.contains("/blobs/uploads/") && $0.contains("status=201") }.count == blobs)
            }
            let pulled = try await pull(upstream, repository: b, tag: "v1", into: dir + "/back")
            #expect(pulled.entries.first?.descriptor.digest == summary["v1"]?.digest)
        }
    }
}
