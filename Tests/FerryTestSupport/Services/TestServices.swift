import Foundation
#if canImport(Glibc)
import Glibc
import FerryStreams
#endif

/// The services tests talk to — registries of each kind, a token server, a forward proxy, an
/// ECR API stand-in — each started once per test process, on demand, on a free 127.0.0.1 port,
/// and ended when the process exits.
///
/// A suite names what it needs with the ``Testing/Trait/needs(_:)`` trait, so that plain
/// `swift test` starts it:
///
/// ```swift
/// @Suite(.needs(.registry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
/// ```
///
/// The first suite that needs a service starts it (on a thread of its own, ``start(_:)``);
/// the others wait for that start and share the service. When it cannot start (say
/// `docker-registry` is not installed) the suites needing it are skipped — unless services are
/// ``required`` (`CI=true` or `FERRY_REQUIRE_SERVICES=1`): then the start throws, and Swift
/// Testing records their tests as failed.
///
/// The variables the old harness exported (`FERRY_TEST_REGISTRY`, …) still name an external
/// service when set; nothing is started for that kind then.
public enum TestServices {
    /// A kind of service.
    public enum Kind: String, Sendable, CaseIterable {
        /// A plain-HTTP registry that also accepts schema 1 manifests (``registry``).
        case registry
        /// A registry with htpasswd basic auth over TLS (``authRegistry``).
        case authRegistry
        /// A plain-HTTP registry with `auth: token` and its token server (``tokenRegistry``).
        case tokenRegistry
        /// A TLS registry that requires a client certificate (``mutualTLSRegistry``).
        case mutualTLSRegistry
        /// A tinyproxy forward and CONNECT proxy (``proxy``).
        case proxy
        /// moto's server mode, standing in for the Amazon ECR API (``moto``).
        case moto
    }

    /// Whether a service that cannot start fails the tests needing it instead of skipping
    /// them: `CI=true` or `FERRY_REQUIRE_SERVICES=1`.
    public static let required: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return environment["CI"]?.lowercased() == "true" || environment["FERRY_REQUIRE_SERVICES"] == "1"
    }()

    /// Whether `kind` runs, starting it if this is the first question.
    ///
    /// - Returns: `true` when it runs; `false` when it cannot start and services are not
    ///   ``required``.
    /// - Throws: ``ServiceUnavailable`` when it cannot start and services are ``required``.
    public static func running(_ kind: Kind) throws -> Bool {
        let failure: ServiceUnavailable?
        switch kind {
        case .registry: failure = plain.failure
        case .authRegistry: failure = basicAuth.failure
        case .tokenRegistry: failure = token.failure
        case .mutualTLSRegistry: failure = mutualTLS.failure
        case .proxy: failure = tinyproxy.failure
        case .moto: failure = motoServer.failure
        }
        guard let failure else { return true }
        if required { throw ServiceUnavailable("\(kind.rawValue): \(failure.description)") }
        return false
    }

    /// `127.0.0.1:PORT` of the plain registry, or `nil` when it cannot start.
    public static var registry: String? { plain.value }

    /// The basic-auth TLS registry, or `nil` when it cannot start.
    public static var authRegistry: TestAuthRegistry? { basicAuth.value }

    /// The token-auth registry, or `nil` when it cannot start.
    public static var tokenRegistry: TestTokenRegistry? { token.value?.registry }

    /// `http://127.0.0.1:PORT` of the token registry's token server (it counts tokens per user).
    public static var tokenServer: String? { token.value?.server }

    /// The token registry's log, access log included (one line per request).
    public static var tokenRegistryLog: String? { token.value?.log }

    /// The registry that requires a client certificate, or `nil` when it cannot start.
    public static var mutualTLSRegistry: MutualTLSRegistry? { mutualTLS.value }

    /// The forward proxy, or `nil` when it cannot start.
    public static var proxy: TestProxy? { tinyproxy.value }

    /// `http://127.0.0.1:PORT` of the moto server, or `nil` when it cannot start.
    public static var moto: String? { motoServer.value }

    /// Prepares this process's environment as the old harness did, once: no proxy variables
    /// (Ferry proxies loopback registries too unless `NO_PROXY` lists them, and the proxy
    /// tests name theirs), and `FERRY_CACHE_DIR` in the services' scratch directory so that a
    /// `ferry` run by a test never writes its caches into the user's home.
    public static func prepareEnvironment() { _ = environmentPrepared }

    private static let environmentPrepared: Void = {
        for name in ["http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
            unsetenv(name)
        }
        if (ProcessInfo.processInfo.environment["FERRY_CACHE_DIR"] ?? "").isEmpty {
            setenv("FERRY_CACHE_DIR", ServiceProcesses.scratch + "/cache", 1)
        }
    }()

    // MARK: - Starting each kind once

    private static let plain = Outcome<String> {
        if let host = variable("FERRY_TEST_REGISTRY") { return host }
        let started = try RegistryService.start(in: try ServiceProcesses.directory("registry")) { _ in
            RegistryService.Settings(schema1: true)
        }
        return "127.0.0.1:\(started.port)"
    }

    private static let basicAuth = Outcome<TestAuthRegistry> {
        if let host = variable("FERRY_TEST_REGISTRY_AUTH"), let user = variable("FERRY_TEST_REGISTRY_USER"),
            let password = variable("FERRY_TEST_REGISTRY_PASSWORD"), let ca = variable("FERRY_TEST_REGISTRY_CA")
        {
            return TestAuthRegistry(host: host, username: user, password: password, caFile: ca)
        }
        guard let htpasswd = ExternalTool.find("htpasswd") else {
            throw ServiceUnavailable("htpasswd not installed (apache2-utils)")
        }
        let directory = try ServiceProcesses.directory("auth-registry")
        try FileManager.default.createDirectory(atPath: directory + "/ca", withIntermediateDirectories: true)
        try TestCertificates.authority("Ferry Test CA", key: "ca.key", certificate: "ca/ca.crt", in: directory)
        try TestCertificates.server(
            key: "server.key", certificate: "server.crt", authorityKey: "ca.key",
            authorityCertificate: "ca/ca.crt", in: directory)
        let user = "ferry", password = "pw-\(UInt32.random(in: 0...UInt32.max))"
        try ServiceProcesses.runToCompletion(htpasswd, ["-Bbn", user, password], in: directory, log: directory + "/htpasswd")
        let started = try RegistryService.start(in: directory) { _ in
            RegistryService.Settings(
                auth: ["  htpasswd:", "    realm: ferry-test", "    path: \(directory)/htpasswd"],
                tls: ["    certificate: \(directory)/server.crt", "    key: \(directory)/server.key"])
        }
        return TestAuthRegistry(
            host: "127.0.0.1:\(started.port)", username: user, password: password,
            caFile: directory + "/ca/ca.crt")
    }

    /// The token registry with its token server and log.
    private struct TokenService: Sendable {
        var registry: TestTokenRegistry
        var server: String
        var log: String
    }

    private static let token = Outcome<TokenService> {
        if let host = variable("FERRY_TEST_REGISTRY_TOKEN"), let user = variable("FERRY_TEST_REGISTRY_TOKEN_USER"),
            let password = variable("FERRY_TEST_REGISTRY_TOKEN_PASSWORD"), let server = variable("FERRY_TEST_TOKEN_SERVER"),
            let log = variable("FERRY_TEST_REGISTRY_TOKEN_LOG")
        {
            return TokenService(registry: TestTokenRegistry(host: host, username: user, password: password), server: server, log: log)
        }
        guard let python = ExternalTool.find("python3") else { throw ServiceUnavailable("python3 not installed") }
        guard let script = SharedFixtures.packageRoot.map({ $0 + "/Tests/Support/token-server.py" }) else {
            throw ServiceUnavailable("no package root for Tests/Support/token-server.py")
        }
        let directory = try ServiceProcesses.directory("token-registry")
        try TestCertificates.selfSigned("Ferry Test Token Signer", key: "signer.key", certificate: "signer.crt", in: directory)
        let user = "ferry", password = "pw-\(UInt32.random(in: 0...UInt32.max))"
        let tokenPort = try ServiceProcesses.freePort()
        let tokenServer = try ServiceProcesses.start(
            python,
            [
                script, "--port", String(tokenPort), "--key", directory + "/signer.key", "--cert", directory + "/signer.crt",
                "--service", "ferry-test-registry", "--issuer", "ferry-test-token-server", "--user", user, "--password", password,
                // Short-lived tokens live 5 s, stretched under a sanitizer, where one streamed
                // upload can take longer than that.
                "--short-lifetime", String(TokenLifetime.short),
            ], log: directory + "/token-server.log")
        guard ServiceProcesses.waitUntilListening(port: tokenPort, process: tokenServer) else {
            ServiceProcesses.stop(tokenServer)
            let log = (try? String(contentsOfFile: directory + "/token-server.log", encoding: .utf8)) ?? ""
            throw ServiceUnavailable("token server did not start: \(log.suffix(600))")
        }
        let started = try RegistryService.start(in: directory) { _ in
            RegistryService.Settings(
                auth: [
                    "  token:", "    realm: http://127.0.0.1:\(tokenPort)/token", "    service: ferry-test-registry",
                    "    issuer: ferry-test-token-server", "    rootcertbundle: \(directory)/signer.crt",
                ],
                accessLog: true)
        }
        return TokenService(
            registry: TestTokenRegistry(host: "127.0.0.1:\(started.port)", username: user, password: password),
            server: "http://127.0.0.1:\(tokenPort)", log: started.log)
    }

    private static let mutualTLS = Outcome<MutualTLSRegistry> {
        if let host = variable("FERRY_TEST_REGISTRY_MTLS"), let certificates = variable("FERRY_TEST_REGISTRY_MTLS_CERTS"),
            let authorityOnly = variable("FERRY_TEST_REGISTRY_MTLS_CA")
        {
            return MutualTLSRegistry(host: host, certificates: certificates, authorityOnly: authorityOnly)
        }
        let directory = try ServiceProcesses.directory("mtls-registry")
        for sub in ["certs", "ca-only"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
        }
        try TestCertificates.authority("Ferry Test Server CA", key: "server-ca.key", certificate: "certs/ca.crt", in: directory)
        try FileManager.default.copyItem(atPath: directory + "/certs/ca.crt", toPath: directory + "/ca-only/ca.crt")
        try TestCertificates.server(
            key: "server.key", certificate: "server.crt", authorityKey: "server-ca.key",
            authorityCertificate: "certs/ca.crt", in: directory)
        try TestCertificates.authority("Ferry Test Client CA", key: "client-ca.key", certificate: "client-ca.crt", in: directory)
        try TestCertificates.issue(
            "ferry-test-client", key: "certs/client.key", certificate: "certs/client.cert",
            extensions: ["basicConstraints=CA:FALSE", "extendedKeyUsage=clientAuth"],
            authorityKey: "client-ca.key", authorityCertificate: "client-ca.crt", in: directory)
        let started = try RegistryService.start(in: directory) { _ in
            RegistryService.Settings(tls: [
                "    certificate: \(directory)/server.crt", "    key: \(directory)/server.key",
                "    clientcas:", "      - \(directory)/client-ca.crt",
            ])
        }
        return MutualTLSRegistry(
            host: "127.0.0.1:\(started.port)", certificates: directory + "/certs",
            authorityOnly: directory + "/ca-only")
    }

    private static let tinyproxy = Outcome<TestProxy> {
        if let address = variable("FERRY_TEST_PROXY"), let log = variable("FERRY_TEST_PROXY_LOG") {
            return TestProxy(address: address, log: log)
        }
        guard let tinyproxy = ExternalTool.find("tinyproxy") else { throw ServiceUnavailable("tinyproxy not installed") }
        let directory = try ServiceProcesses.directory("proxy")
        let log = directory + "/tinyproxy.log"
        var lastOutput = ""
        for _ in 1...3 {
            let port = try ServiceProcesses.freePort()
            // No ConnectPort line: CONNECT is allowed to every port (the registries use random ones).
            let config =
                [
                    "Port \(port)", "Listen 127.0.0.1", "Timeout 600", "LogFile \"\(log)\"", "LogLevel Connect",
                    "MaxClients 100", "Allow 127.0.0.1", "DisableViaHeader Yes",
                ].joined(separator: "\n") + "\n"
            try config.write(toFile: directory + "/tinyproxy.conf", atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            // -d: in the foreground, so that the process started is the one to end.
            let process = try ServiceProcesses.start(
                tinyproxy, ["-d", "-c", directory + "/tinyproxy.conf"],
                log: directory + "/tinyproxy.out")
            if ServiceProcesses.waitUntilListening(port: port, process: process) {
                return TestProxy(address: "127.0.0.1:\(port)", log: log)
            }
            ServiceProcesses.stop(process)
            lastOutput = (try? String(contentsOfFile: directory + "/tinyproxy.out", encoding: .utf8)) ?? ""
        }
        throw ServiceUnavailable("tinyproxy did not start: \(lastOutput.suffix(600))")
    }

    private static let motoServer = Outcome<String> {
        if let url = variable("FERRY_TEST_MOTO") { return url }
        guard let python = ExternalTool.find("python3") else { throw ServiceUnavailable("python3 not installed") }
        let directory = try ServiceProcesses.directory("moto")
        do {
            try ServiceProcesses.runToCompletion(
                python, ["-c", "import moto.server, flask"], in: directory,
                log: directory + "/import.log")
        } catch {
            throw ServiceUnavailable("python3 moto[server] not installed (Scripts/setup installs it)")
        }
        var lastOutput = ""
        for _ in 1...3 {
            let port = try ServiceProcesses.freePort()
            let process = try ServiceProcesses.start(
                python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
                log: directory + "/moto.log")
            if ServiceProcesses.waitUntilListening(port: port, process: process, timeout: .seconds(30)) {
                return "http://127.0.0.1:\(port)"
            }
            ServiceProcesses.stop(process)
            lastOutput = (try? String(contentsOfFile: directory + "/moto.log", encoding: .utf8)) ?? ""
        }
        throw ServiceUnavailable("moto did not start: \(lastOutput.suffix(600))")
    }

    private static func variable(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

/// The result of starting one service, computed by the first caller; later and concurrent
/// callers wait for it and get the same result.
private final class Outcome<Value: Sendable>: Sendable {
    private let start: @Sendable () throws -> Value
    private let state = Locked<Result<Value, ServiceUnavailable>?>(nil)

    init(_ start: @escaping @Sendable () throws -> Value) {
        self.start = start
    }

    var value: Value? { try? outcome.get() }

    var failure: ServiceUnavailable? {
        if case .failure(let error) = outcome { return error }
        return nil
    }

    private var outcome: Result<Value, ServiceUnavailable> {
        state.withLock { state in
            if let state { return state }
            TestServices.prepareEnvironment()
            let made: Result<Value, ServiceUnavailable>
            do {
                made = .success(try start())
            } catch let error as ServiceUnavailable {
                made = .failure(error)
            } catch {
                made = .failure(ServiceUnavailable("\(error)"))
            }
            state = made
            return made
        }
    }
}
