import Foundation
@testable import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// A verbatim push sends each blob as the body of one `PUT` (digest and size known in advance):
/// `POST` + `PUT` per blob, no `PATCH`; a source blob that does not match its digest is cut off
/// mid-`PUT` and never lands. Against the real docker-registry, through the fault proxy's log.
@Suite(.needs(.registry), .enabled(if: ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil, "gzip or python3 missing"))
struct MonolithicUploadTests {
    let upstream = SharedFixtures.testRegistry ?? ""

    @Test func verbatimBlobsGoAsOnePutEach() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 931)
            builder.addImage(tag: "v1", layerCount: 3, layerSize: 50_000)
            let summary = try await builder.write(to: dir + "/src")
            let image = try #require(summary["v1"]?.images.first)
            let repository = SharedFixtures.uniqueRepository("monolithic")
            try await withFaultProxy(upstream: upstream, faults: []) { proxy in
                try await push(layout: dir + "/src", name: "v1", to: proxy.host, repository: repository, tag: "v1")
                let log = proxy.log()
                #expect(!log.contains { $0.hasPrefix("PATCH ") }, "\(log)")
                var blobPuts = 0
                var posts = 0
                for line in log {
                    if line.hasPrefix("POST ") { posts += 1 }
                    if line.hasPrefix("PUT "), line.range(of: "/blobs/uploads/") != nil { blobPuts += 1 }
                }
                #expect(blobPuts == image.layerDigests.count + 1, "\(log)")
                #expect(posts == blobPuts)
            }
            try await pull(upstream, repository: repository, tag: "v1", into: dir + "/back")
            let back = try await Inspector(source: try OCILayoutSource(path: dir + "/back")).inspect(.only)
            #expect(back.digest == summary["v1"]?.digest)
        }
    }

    @Test func corruptSourceBlobIsCutOffAndNeverLands() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 932)
            builder.addImage(tag: "v1", layerCount: 2, layerSize: 300_000)
            let summary = try await builder.write(to: dir + "/src")
            let layer = try #require(summary["v1"]?.images.first?.layerDigests.last)
            try LayoutSurgery(dir + "/src").flipByte(of: layer, at: 1000)
            let repository = SharedFixtures.uniqueRepository("monolithic-bad")
            let error = await #expect(throws: StreamError.self) {
                try await push(layout: dir + "/src", name: "v1", to: upstream, repository: repository, tag: "v1")
            }
            #expect(error?.code == .digestMismatch)
            #expect(error?.message.contains(layer.description) == true, "\(String(describing: error))")
            let stored = try await withRegistryClient(upstream, options: plainOptions) { client in
                try await client.blobSize(repository, layer)
            }
            #expect(stored == nil, "the corrupt blob must not exist in the registry")
        }
    }
}

/// A push whose one-shot upload the registry fails in passing (a 500 to the blob's `PUT`, which
/// the client cannot repeat with the same body) is run again from a fresh read of the source.
@Suite(.needs(.registry), .enabled(if: ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil, "gzip or python3 missing"))
struct UploadRetryTests {
    let upstream = SharedFixtures.testRegistry ?? ""

    @Test func blobUploadFailedByTheRegistryIsRunAgain() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 933)
            builder.addImage(tag: "v1", layerCount: 2, layerSize: 200_000)
            let summary = try await builder.write(to: dir + "/src")
            let repository = SharedFixtures.uniqueRepository("upload-retry")
            try await withFaultProxy(upstream: upstream, faults: ["--fail", "2", "--fail-status", "503", "--fail-method", "PUT"]) { proxy in
                try await push(layout: dir + "/src", name: "v1", to: proxy.host, repository: repository, tag: "v1")
                let injected = proxy.log().filter { $0.hasPrefix("PUT ") && $0.hasSuffix("injected") }
                #expect(injected.count == 2, "\(proxy.log())")
            }
            try await pull(upstream, repository: repository, tag: "v1", into: dir + "/back")
            let back = try await Inspector(source: try OCILayoutSource(path: dir + "/back")).inspect(.only)
            #expect(back.digest == summary["v1"]?.digest)
        }
    }

    @Test func registryRefusalIsNotRetried() {
        #expect(RegistryError(.httpStatus, "x", status: 503).isTransient)
        #expect(RegistryError(.connection, "x").isTransient)
        #expect(!RegistryError(.httpStatus, "x", status: 400).isTransient)
        #expect(!RegistryError(.httpStatus, "x", status: 501).isTransient)
        #expect(!RegistryError(.unauthorized, "x", status: 401).isTransient)
    }

    /// Copies layout entry `v1` to `registry` with the engine's job retry set to `jobRetry`.
    private func pushRetrying(_ layout: String, to registry: String, repository: String, jobRetry: RetryPolicy) async throws {
        let reference = try Reference(parsing: "\(registry)/\(repository):v1")
        var options = CopyOptions(destinationNames: ["v1"])
        options.jobRetry = jobRetry
        try await TransportReference(docker: reference).withDestination(registry: plainOptions) { destination in
            _ = try await CopyOperation(source: try OCILayoutSource(path: layout), destination: destination, selector: .name("v1"), options: options).run()
        }
    }

    @Test func jobRetryWaitsAsRetryAfterAsks() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 934)
            builder.addImage(tag: "v1", layerCount: 1, layerSize: 50_000)
            _ = try await builder.write(to: dir + "/src")
            let repository = SharedFixtures.uniqueRepository("retry-after")
            try await withFaultProxy(upstream: upstream, faults: ["--fail", "1", "--fail-status", "503", "--retry-after", "2", "--fail-method", "PUT"]) {
                proxy in
                let started = ContinuousClock.now
                // Without Retry-After this policy would wait 10 ms.
                try await pushRetrying(
                    dir + "/src", to: proxy.host, repository: repository,
                    jobRetry: RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(10), maximumDelay: .seconds(5)))
                #expect(ContinuousClock.now - started >= .seconds(2))
                let injected = proxy.log().filter { $0.hasPrefix("PUT ") && $0.hasSuffix("injected") }
                #expect(injected.count == 1, "\(proxy.log())")
            }
        }
    }

    @Test func notImplementedIsNotRetried() async throws {
        try await withTemporaryDirectory { dir in
            var builder = TestImageBuilder(seed: 935)
            builder.addImage(tag: "v1", layerCount: 1, layerSize: 50_000)
            _ = try await builder.write(to: dir + "/src")
            let repository = SharedFixtures.uniqueRepository("no-retry-501")
            try await withFaultProxy(upstream: upstream, faults: ["--fail", "1", "--fail-status", "501", "--fail-method", "PUT"]) { proxy in
                let error = await #expect(throws: RegistryError.self) {
                    try await pushRetrying(
                        dir + "/src", to: proxy.host, repository: repository,
                        jobRetry: RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(10)))
                }
                #expect(error?.status == 501)
                let injected = proxy.log().filter { $0.hasPrefix("PUT ") && $0.hasSuffix("injected") }
                #expect(injected.count == 1, "\(proxy.log())")
            }
        }
    }
}
