import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// `--json` on the registry commands (`copy`, `tags`, `login`), end to end against the plain test
/// registry (TestServices starts it on first use).
@Suite(.needs(.registry), .enabled(if: SharedFixtures.ferryBinary != nil && ExternalTool.gzipAvailable, "no ferry binary, or gzip missing"))
struct RegistryJSONCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let registry = SharedFixtures.testRegistry ?? ""

    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func copyAndTagsJSONNameTheRegistryImage() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 731)
            let repository = "\(registry)/\(SharedFixtures.uniqueRepository("json"))"
            let copy = try await ExternalTool.run(
                ferry, ["copy", "--json", "--digestfile", dir + "/digest", "oci:\(dir)/src:v1", "docker://\(repository):one"])
            #expect(copy.exitCode == 0, "\(copy.stderr)")
            let image = try #require((try object(copy.stdoutBytes)["images"] as? [[String: Any]])?.first)
            #expect(image["destination"] as? String == "docker://\(repository):one")
            #expect(image["destinationDigest"] as? String == summary["v1"]?.digest.description)
            #expect(try String(contentsOfFile: dir + "/digest", encoding: .utf8) == summary["v1"]?.digest.description)

            let tags = try await ExternalTool.run(ferry, ["tags", "--json", "docker://\(repository)"])
            #expect(tags.exitCode == 0, "\(tags.stderr)")
            let listed = try object(tags.stdoutBytes)
            #expect(listed["schemaVersion"] as? Int == 1)
            #expect(listed["repository"] as? String == repository)
            #expect(listed["tags"] as? [String] == ["one"])
        }
    }

    @Test func loginJSONSaysWhereTheCredentialsWentAndNeverThePassword() async throws {
        try await withTemporaryDirectory { dir in
            var environment = ProcessInfo.processInfo.environment
            environment["DOCKER_CONFIG"] = dir + "/docker"
            environment["HOME"] = dir
            let login = try await ExternalTool.run(
                ferry, ["login", "--json", registry, "-u", "me", "--password-stdin"], stdin: Array("s3cret-pw\n".utf8), environment: environment)
            #expect(login.exitCode == 0, "\(login.stderr)")
            let decoded = try object(login.stdoutBytes)
            #expect(decoded["schemaVersion"] as? Int == 1)
            #expect(decoded["registry"] as? String == registry)
            #expect(decoded["username"] as? String == "me")
            #expect(decoded["credentialsFile"] as? String == dir + "/docker/config.json")
            #expect(!login.stdout.contains("s3cret-pw") && !login.stderr.contains("s3cret-pw"))
        }
    }
}
