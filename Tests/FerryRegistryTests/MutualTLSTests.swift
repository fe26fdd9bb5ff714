import Foundation
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// The registry TestServices starts with `http.tls.clientcas`: it completes no request without a
/// client certificate signed by its client CA.
@Suite(.needs(.mutualTLSRegistry), .enabled(if: ExternalTool.gzipAvailable, "gzip missing"))
struct MutualTLSTests {
    let registry = TestServices.mutualTLSRegistry ?? MutualTLSRegistry(host: "", certificates: "", authorityOnly: "")

    /// No certificate roots from the machine, so that only what a test names is used.
    private func options(certificateDirectory: String?, client: ClientCertificate? = nil, roots: [String] = []) -> RegistryOptions {
        var options = RegistryOptions(useCredentialFiles: false, certificateDirectory: certificateDirectory, clientCertificate: client)
        options.certificateRoots = roots
        return options
    }

    @Test func certificateDirectoryWithAClientPairPushesAndPulls() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 901)
            let repository = SharedFixtures.uniqueRepository("mtls")
            let options = options(certificateDirectory: registry.certificates)
            try await push(layout: dir + "/src", name: "multi", to: registry.host, repository: repository, tag: "multi", options: options)
            let pulled = try await pull(registry.host, repository: repository, tag: "multi", into: dir + "/back", options: options)
            #expect(pulled.entries.first?.descriptor.digest == summary["multi"]?.digest)
        }
    }

    @Test func withoutAClientCertificateTheErrorSaysWhatIsMissing() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 902)
            let error = await #expect(throws: RegistryError.self) {
                try await push(
                    layout: dir + "/src", name: "v1", to: registry.host, repository: SharedFixtures.uniqueRepository("mtls-none"), tag: "v1",
                    options: options(certificateDirectory: registry.authorityOnly))
            }
            #expect(error?.code == .connection)
            #expect(error?.message.contains("client certificate") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("--cert-dir") == true)
        }
    }

    @Test func explicitClientCertificateAndKeyFiles() async throws {
        let client = ClientCertificate(certificateFile: registry.certificates + "/client.cert", keyFile: registry.certificates + "/client.key")
        try await withRegistryClient(registry.host, options: options(certificateDirectory: registry.authorityOnly, client: client)) { client in
            try await client.ping()
        }
    }

    /// Without `--cert-dir`, `ROOT/HOST:PORT/` is used, as docker's `/etc/docker/certs.d`.
    @Test func perHostDirectoryUnderACertificateRoot() async throws {
        try await withTemporaryDirectory { dir in
            let hostDirectory = dir + "/certs.d/" + registry.host
            try FileManager.default.createDirectory(atPath: hostDirectory, withIntermediateDirectories: true)
            for name in ["ca.crt", "client.cert", "client.key"] {
                try FileManager.default.copyItem(atPath: registry.certificates + "/" + name, toPath: hostDirectory + "/" + name)
            }
            _ = try await buildLayout(dir + "/src", seed: 903)
            let repository = SharedFixtures.uniqueRepository("mtls-certsd")
            let options = options(certificateDirectory: nil, roots: [dir + "/missing", dir + "/certs.d"])
            let pushed = try await push(layout: dir + "/src", name: "v1", to: registry.host, repository: repository, tag: "v1", options: options)
            #expect(!pushed.entries.isEmpty)
        }
    }

    @Test func aKeyWithoutItsCertificateIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.copyItem(atPath: registry.certificates + "/client.key", toPath: dir + "/client.key")
            try FileManager.default.copyItem(atPath: registry.certificates + "/ca.crt", toPath: dir + "/ca.crt")
            let error = await #expect(throws: RegistryError.self) {
                try await withRegistryClient(registry.host, options: options(certificateDirectory: dir)) { client in
                    try await client.ping()
                }
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("client.cert") == true, "\(error?.message ?? "")")
        }
    }

    @Test(.enabled(if: SharedFixtures.ferryBinary != nil, "no ferry binary (swift build)"))
    func cliClientCertificateFlags() async throws {
        let ferry = try #require(SharedFixtures.ferryBinary)
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 904)
            let repository = "docker://\(registry.host)/\(SharedFixtures.uniqueRepository("mtls-cli"))"
            let refused = try await ExternalTool.run(ferry, ["copy", "-q", "--dest-cert-dir", registry.authorityOnly, "oci:\(dir)/src:v1", repository + ":v1"])
            #expect(refused.exitCode != 0)
            #expect(refused.stderr.contains("client certificate"), "\(refused.stderr)")
            try await ExternalTool.runChecked(
                ferry,
                [
                    "copy", "-q", "--dest-cert-dir", registry.authorityOnly,
                    "--dest-client-cert", registry.certificates + "/client.cert", "--dest-client-key", registry.certificates + "/client.key",
                    "oci:\(dir)/src:v1", repository + ":v1",
                ])
            let tags = try await ExternalTool.runChecked(ferry, ["tags", "--cert-dir", registry.certificates, repository]).stdout
            #expect(tags == "v1\n")
            let unpaired = try await ExternalTool.run(ferry, ["tags", "--client-cert", registry.certificates + "/client.cert", repository])
            #expect(unpaired.exitCode == 2)
            #expect(unpaired.stderr.contains("--client-cert needs --client-key"))
        }
    }
}
