import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Ferry against a deliberately hostile registry (Tests/Support/hostile-registry.py) and a sink
/// standing for another origin that records every request: credentials reach no other origin,
/// no answer holds Ferry beyond a bound, and no secret is printed.
@Suite(.enabled(if: ExternalTool.find("python3") != nil, "python3 not installed"), .timeLimit(.minutes(2 * TestTiming.scale)))
struct HostileRegistryTests {
    /// The registry's own credentials, no credential files, no proxy from the machine, quick retries.
    /// The low-speed window is 10 s, wide enough for a python stub on a loaded machine, except
    /// where a test is about slowness and names a shorter one.
    static func options(_ h: HostileRegistry, environment: [String: String] = [:], lowSpeedWindow: Duration = .seconds(10)) -> RegistryOptions {
        var options = RegistryOptions(
            credentials: Credentials(username: h.user, password: h.password), useCredentialFiles: false,
            retry: RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(20)), environment: environment)
        options.lowSpeed = LowSpeedLimit(bytesPerSecond: 1024, window: lowSpeedWindow)
        return options
    }

    /// The sink saw at least one request, and none of them carried credentials.
    static func expectSinkReachedWithoutCredentials(_ h: HostileRegistry, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        let requests = h.sinkRequests()
        #expect(!requests.isEmpty, "the scenario never reached the other origin: \(comment)", sourceLocation: sourceLocation)
        for request in requests {
            #expect(
                request.authorization == nil, "\(request.method) \(request.path) reached the other origin with Authorization: \(comment)",
                sourceLocation: sourceLocation)
        }
    }

    /// The registry itself did get the credentials (so the scenario is not vacuous).
    static func expectRegistryAuthenticated(_ h: HostileRegistry, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(h.registryRequests().contains { $0.authorization != nil }, "the registry never received credentials", sourceLocation: sourceLocation)
    }

    static func message(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as RegistryError {
            return error.message
        } catch {
            return String(describing: error)
        }
    }

    // MARK: Credentials stay with the registry

    @Test func tagsLinkToAnotherOriginIsFollowedWithoutCredentials() async throws {
        try await withHostileRegistry("tags-link-foreign") { h in
            let tags = try await withRegistryClient(h.host, options: Self.options(h)) { try await $0.tags("hostile") }
            #expect(tags == ["a", "from-sink"])
            Self.expectSinkReachedWithoutCredentials(h, "tags Link")
            Self.expectRegistryAuthenticated(h)
        }
    }

    @Test func catalogLinkToAnotherOriginIsFollowedWithoutCredentials() async throws {
        try await withHostileRegistry("catalog-link-foreign") { h in
            let repositories = try await withRegistryClient(h.host, options: Self.options(h)) { try await $0.catalog() }
            #expect(repositories == ["hostile", "from-sink"])
            Self.expectSinkReachedWithoutCredentials(h, "catalog Link")
        }
    }

    @Test func referrersLinkToAnotherOriginIsFollowedWithoutCredentials() async throws {
        try await withHostileRegistry("referrers-link-foreign") { h in
            let subject = try Digest(parsing: "sha256:" + String(repeating: "2", count: 64))
            let listed = try await withRegistryClient(h.host, options: Self.options(h)) { try await $0.referrers("hostile", of: subject) }
            #expect(listed.manifests.map(\.artifactType) == ["application/x-first"])
            Self.expectSinkReachedWithoutCredentials(h, "referrers Link")
        }
    }

    @Test func uploadLocationOnAnotherOriginGetsNoCredentials() async throws {
        try await withHostileRegistry("upload-location-foreign") { h in
            let bytes = Array("layer bytes".utf8)
            let digest = try DigestHasher.digest(bytes)
            let failure = await Self.message {
                try await withRegistryClient(h.host, options: Self.options(h)) { client in
                    let stream = try VerifyingStream(MemoryByteStream(bytes), expectedDigest: digest, context: "test blob")
                    _ = try await client.pushBlob("hostile", from: stream)
                }
            }
            #expect(failure?.contains("500") == true, "\(failure ?? "no error")")
            Self.expectSinkReachedWithoutCredentials(h, "upload Location")
            // The layer went there (the registry asked for it), and so did the cancellation.
            #expect(h.sinkRequests().contains { $0.method == "PUT" || $0.method == "PATCH" })
            #expect(h.sinkRequests().map(\.method).contains("DELETE"))
            Self.expectRegistryAuthenticated(h)
        }
    }

    @Test func redirectTargetsChallengeIsNeverAnswered() async throws {
        try await withHostileRegistry("blob-redirect-foreign") { h in
            let digest = try Digest(parsing: "sha256:" + String(repeating: "3", count: 64))
            try await withRegistryClient(h.host, options: Self.options(h)) { client in
                let failure = await Self.message { _ = try await client.blob("hostile", digest) }
                let text = try #require(failure)
                #expect(text.contains("is not the registry"), "\(text)")
                #expect(!text.contains("refused the credentials"), "\(text)")
                // The session's challenge is still the registry's own: the next request works.
                #expect(try await client.tags("hostile") == ["ok"])
            }
            Self.expectSinkReachedWithoutCredentials(h, "blob redirect")
            #expect(!h.sinkRequests().contains { $0.path.contains("/token") }, "a token was asked of the redirect target's realm")
        }
    }

    @Test func plainHTTPRealmOnAnotherMachineGetsNoPassword() async throws {
        try await withHostileRegistry("http-realm") { h in
            // http://realm.invalid is reached through the sink acting as a forward proxy, so a
            // request to it would be recorded there.
            let environment = ["http_proxy": "http://\(h.sinkHost)", "NO_PROXY": "127.0.0.1"]
            let failure = await Self.message {
                _ = try await withRegistryClient(h.host, options: Self.options(h, environment: environment)) { try await $0.tags("hostile") }
            }
            let text = try #require(failure)
            #expect(text.contains("plain HTTP"), "\(text)")
            #expect(!text.contains(h.password))
            #expect(!h.sinkRequests().contains { $0.authorization != nil })

            // The control: with TLS verification off the user allowed it, and the same path does
            // deliver the password there — so the refusal above is what kept it.
            var insecure = Self.options(h, environment: environment)
            insecure.tlsVerify = false
            let tags = try await withRegistryClient(h.host, options: insecure) { try await $0.tags("hostile") }
            #expect(tags == ["ok"])
            #expect(h.sinkRequests().contains { $0.authorization?.hasPrefix("Basic ") == true })
        }
    }

    @Test func tokenWithLineBreaksIsRefusedOnceAndNeverPrinted() async throws {
        try await withHostileRegistry("crlf-token") { h in
            let failure = await Self.message {
                _ = try await withRegistryClient(h.host, options: Self.options(h)) { try await $0.tags("hostile") }
            }
            let text = try #require(failure)
            #expect(text.contains("an HTTP header cannot carry"), "\(text)")
            #expect(!text.contains("abc") && !text.contains("X-Injected"), "\(text)")
            #expect(h.registryRequests().filter { $0.path.hasPrefix("/token") }.count == 1)
        }
    }

    @Test func fileLocationIsRefusedByName() async throws {
        try await withHostileRegistry("upload-location-file") { h in
            let bytes = Array("layer".utf8)
            let digest = try DigestHasher.digest(bytes)
            let failure = await Self.message {
                try await withRegistryClient(h.host, options: Self.options(h)) { client in
                    let stream = try VerifyingStream(MemoryByteStream(bytes), expectedDigest: digest, context: "test blob")
                    _ = try await client.pushBlob("hostile", from: stream)
                }
            }
            let text = try #require(failure)
            #expect(text.contains("file:///etc/passwd") && text.contains("not http or https"), "\(text)")
        }
    }

    // MARK: Nothing holds Ferry forever

    @Test func endlessPaginationStopsAtTheBound() async throws {
        try await withHostileRegistry("endless-tags") { h in
            let failure = await Self.message {
                _ = try await withRegistryClient(h.host, options: Self.options(h)) { try await $0.tags("hostile") }
            }
            let text = try #require(failure)
            #expect(text.contains("more than 1000000 entries") && text.contains(h.host), "\(text)")
            // The bound is on pages read, not on wall time: a loaded machine cannot fail this.
            #expect(h.registryRequests().filter { $0.authorization != nil }.count <= 51)

            var bounded = Self.options(h)
            bounded.listLimits = ListLimits(maximumPages: 3)
            let pages = await Self.message {
                _ = try await withRegistryClient(h.host, options: bounded) { try await $0.tags("hostile") }
            }
            #expect(pages?.contains("stopped after 3 pages") == true, "\(pages ?? "no error")")
        }
    }

    @Test(arguments: ["slow-blob", "silent-blob"])
    func slowBodiesAreCutOffAndResumed(_ scenario: String) async throws {
        try await withHostileRegistry(scenario) { h in
            let digest = try Digest(parsing: "sha256:" + String(repeating: "4", count: 64))
            let failure = await Self.message {
                try await withRegistryClient(h.host, options: Self.options(h, lowSpeedWindow: .seconds(4))) { client in
                    let stream = try await client.blob("hostile", digest)
                    while try await stream.next() != nil {}
                }
            }
            let text = try #require(failure)
            #expect(text.contains("gave up after"), "\(text)")
            #expect(text.contains(scenario == "slow-blob" ? "low-speed limit" : "sent nothing"), "\(text)")
            // Ferry hung up on both bodies (the stub would trickle for 600 s, and a 65 536-byte
            // body at a byte a second lasts 18 hours). The stub logs how each body ended; no wall
            // clock is asserted, so a loaded machine cannot fail this.
            let bodies = h.registryRequests().filter { $0.method == "BODY" }.map(\.path)
            #expect(bodies.count == 2 && bodies.allSatisfy { $0.hasPrefix("/client-closed/") }, "\(bodies)")
            // The second attempt asked for the rest only... or the whole body again after a
            // silence; either way the registry saw exactly two reads of the blob.
            #expect(h.registryRequests().filter { $0.method == "GET" && $0.path.contains("/blobs/") && $0.authorization != nil }.count == 2)
        }
    }

    @Test func anIndexNamingOneManifestManyTimesReadsItOnce() async throws {
        try await withHostileRegistry("index-amplification") { h in
            try await withTemporaryDirectory { dir in
                let reference = try Reference(parsing: "\(h.host)/hostile:amp")
                let report = try await TransportReference(docker: reference).withSource(registry: Self.options(h)) { source in
                    try await CopyOperation(source: source, destination: try OCILayoutDestination(path: dir + "/out", durable: false)).run()
                }
                #expect(report.blobsCopied == 2)
                let manifestReads = h.registryRequests().filter { $0.path.contains("/manifests/sha256:") && $0.authorization != nil }
                #expect(manifestReads.count <= 2, "the child manifest was read \(manifestReads.count) times")
            }
        }
    }
}
