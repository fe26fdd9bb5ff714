import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import Testing

/// The client alone against the real local registry (CNCF distribution, started by TestServices).
@Suite(.needs(.registry))
struct RegistryClientTests {
    let registry = SharedFixtures.testRegistry ?? ""

    private func config(_ bytes: [UInt8]) throws -> RawDocument {
        RawDocument(bytes: bytes, mediaType: .ociConfig, digest: try DigestHasher.digest(bytes))
    }

    /// Uploads `bytes` as a blob and returns its descriptor.
    private func upload(_ client: RegistryClient, _ repository: String, _ bytes: [UInt8], chunkSize: Int = 1 << 20) async throws -> Descriptor {
        let stream = try VerifyingStream(MemoryByteStream(bytes, chunkSize: chunkSize), computing: .sha256, context: "test blob")
        let (digest, size) = try await client.pushBlob(repository, from: stream)
        return Descriptor(mediaType: .ociLayer, digest: digest, size: size)
    }

    /// A small OCI manifest over one config and one layer already in `repository`.
    private func manifest(_ client: RegistryClient, _ repository: String, seed: UInt8) async throws -> RawDocument {
        let configBytes = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"seed":\#(seed)}"#.utf8)
        let configDescriptor = try await upload(client, repository, configBytes)
        let layer = try await upload(client, repository, [UInt8](repeating: seed, count: 300_000), chunkSize: 7000)
        let json =
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDescriptor.digest)","size":\#(configDescriptor.size)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(layer.digest)","size":\#(layer.size)}]}"#
        let bytes = Array(json.utf8)
        return RawDocument(bytes: bytes, mediaType: .ociManifest, digest: try DigestHasher.digest(bytes))
    }

    @Test func pingsAndPicksPlainHTTPOnLoopback() async throws {
        try await withRegistryClient(registry, options: plainOptions) { client in
            try await client.ping()
        }
    }

    @Test func uploadsBlobsAndReadsThemBack() async throws {
        let repository = SharedFixtures.uniqueRepository("blobs")
        try await withRegistryClient(registry, options: plainOptions) { client in
            let bytes = (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let descriptor = try await upload(client, repository, bytes, chunkSize: 65536)
            #expect(descriptor.size == Int64(bytes.count))
            #expect(try await client.blobSize(repository, descriptor.digest) == Int64(bytes.count))
            let back = try await client.blob(repository, descriptor.digest).readAll(limit: 4 << 20, context: "test")
            #expect(back == bytes)
            let missing = try DigestHasher.digest(Array("absent".utf8))
            #expect(try await client.blobSize(repository, missing) == nil)
            let error = await #expect(throws: RegistryError.self) { _ = try await client.blob(repository, missing) }
            #expect(error?.code == .notFound)
            #expect(error?.has("BLOB_UNKNOWN") == true)
        }
    }

    @Test func emptyBlobUploads() async throws {
        let repository = SharedFixtures.uniqueRepository("empty")
        try await withRegistryClient(registry, options: plainOptions) { client in
            let descriptor = try await upload(client, repository, [])
            #expect(descriptor.digest == Digest.emptySHA256)
            #expect(try await client.blobSize(repository, descriptor.digest) == 0)
        }
    }

    @Test func putsAndGetsManifestsByTagAndDigest() async throws {
        let repository = SharedFixtures.uniqueRepository("manifests")
        try await withRegistryClient(registry, options: plainOptions) { client in
            let document = try await manifest(client, repository, seed: 1)
            try await client.putManifest(document, repository, .digest(document.digest))
            try await client.putManifest(document, repository, .tag("one"))
            let byTag = try await client.manifest(repository, .tag("one"))
            #expect(byTag == document)
            let byDigest = try await client.manifest(repository, .digest(document.digest))
            #expect(byDigest.bytes == document.bytes)
            let head = try await client.manifestDescriptor(repository, .tag("one"))
            #expect(head == document.descriptor)
            #expect(try await client.manifestDescriptor(repository, .tag("absent")) == nil)
        }
    }

    @Test func decodesRegistryErrorBodies() async throws {
        let repository = SharedFixtures.uniqueRepository("errors")
        try await withRegistryClient(registry, options: plainOptions) { client in
            let error = await #expect(throws: RegistryError.self) { _ = try await client.manifest(repository, .tag("nope")) }
            #expect(error?.status == 404)
            #expect(error?.method == "GET")
            #expect(error?.url?.hasSuffix("/v2/\(repository)/manifests/nope") == true)
            #expect(error?.has("MANIFEST_UNKNOWN") == true || error?.has("NAME_UNKNOWN") == true)
            #expect(error?.message.contains("404") == true)
            // A manifest pointing at blobs the repository lacks: MANIFEST_BLOB_UNKNOWN, 400.
            let bytes = Array(
                #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000001","size":1}]}"#
                    .utf8)
            let bad = RawDocument(bytes: bytes, mediaType: .ociManifest, digest: try DigestHasher.digest(bytes))
            let putError = await #expect(throws: RegistryError.self) { try await client.putManifest(bad, repository, .tag("bad")) }
            #expect(putError?.status == 400)
            #expect(putError?.has("MANIFEST_BLOB_UNKNOWN") == true)
        }
    }

    @Test func listsTagsAcrossPages() async throws {
        let repository = SharedFixtures.uniqueRepository("tags")
        try await withRegistryClient(registry, options: plainOptions) { client in
            let document = try await manifest(client, repository, seed: 2)
            let tags = ["a", "b", "c", "d", "e"]
            for tag in tags.reversed() { try await client.putManifest(document, repository, .tag(tag)) }
            // distribution 2.8 ignores `n` and sends no Link (pagination of tags came in 3.0), and
            // lists tags in storage order: compare as sets. A registry that pages is followed
            // through Link (RegistryURL.nextLink, unit-tested).
            for pageSize in [1, 2, nil] as [Int?] {
                let listed = try await client.tags(repository, pageSize: pageSize)
                #expect(listed.sorted() == tags, "n=\(pageSize.map(String.init) ?? "none")")
            }
        }
    }

    @Test func deletesManifestsByDigest() async throws {
        let repository = SharedFixtures.uniqueRepository("delete")
        try await withRegistryClient(registry, options: plainOptions) { client in
            let document = try await manifest(client, repository, seed: 3)
            try await client.putManifest(document, repository, .tag("gone"))
            try await client.deleteManifest(repository, document.digest)
            #expect(try await client.manifestDescriptor(repository, .digest(document.digest)) == nil)
            #expect(try await client.manifestDescriptor(repository, .tag("gone")) == nil)
            let error = await #expect(throws: RegistryError.self) { try await client.deleteManifest(repository, document.digest) }
            #expect(error?.code == .notFound)
        }
    }
}
