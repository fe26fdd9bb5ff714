import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// The `ferry` binary's registry commands, end to end, against the registries
/// TestServices starts.
@Suite(.needs(.registry), .enabled(if: SharedFixtures.ferryBinary != nil && ExternalTool.gzipAvailable, "no ferry binary, or gzip missing"))
struct RegistryCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let registry = SharedFixtures.testRegistry ?? ""

    @Test func copyTagsDigestDeleteRoundTrip() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 701)
            let repo = "docker://\(registry)/\(SharedFixtures.uniqueRepository("cli"))"
            try await ExternalTool.runChecked(ferry, ["copy", "-q", "oci:\(dir)/src:v1", repo + ":one"])
            try await ExternalTool.runChecked(ferry, ["copy", "-q", "oci:\(dir)/src:multi", repo + ":two"])
            let tags = try await ExternalTool.runChecked(ferry, ["tags", repo]).stdout
            #expect(tags.split(separator: "\n").sorted() == ["one", "two"])
            let digest = try await ExternalTool.runChecked(ferry, ["digest", repo + ":two"]).stdout
            #expect(digest.trimmingCharacters(in: .whitespacesAndNewlines) == summary["multi"]?.digest.description)
            try await ExternalTool.runChecked(ferry, ["delete", repo + ":one"])
            #expect(try await ExternalTool.runChecked(ferry, ["tags", repo]).stdout == "two\n")
            let missing = try await ExternalTool.run(ferry, ["inspect", repo + ":one"])
            #expect(missing.exitCode == 1, "a missing image is invalid input, as in verify")
            #expect(missing.stderr.contains("MANIFEST_UNKNOWN"))
        }
    }

    @Test func chunkedUploadAndSameRegistryMountRoundTrip() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 702)
            let expected = try #require(summary["v1"]?.digest.description)
            let a = "docker://\(registry)/\(SharedFixtures.uniqueRepository("cli-chunked"))"
            let b = "docker://\(registry)/\(SharedFixtures.uniqueRepository("cli-mounted"))"
            // Layers of 8 KiB (gzipped: smaller or not) in 3000-byte ranged PATCHes.
            try await ExternalTool.runChecked(ferry, ["copy", "-q", "--upload-chunk-size", "3000", "oci:\(dir)/src:v1", a + ":v1"])
            let copied = try await ExternalTool.runChecked(ferry, ["copy", a + ":v1", b + ":v1"]).stdout
            #expect(copied.contains("0 blobs written"), "every blob mounted from \(a): \(copied)")
            try await ExternalTool.runChecked(ferry, ["copy", "-q", b + ":v1", "oci:\(dir)/back:v1"])
            let digest = try await ExternalTool.runChecked(ferry, ["digest", "oci:\(dir)/back:v1"]).stdout
            #expect(digest.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
            try await ExternalTool.runChecked(ferry, ["verify", "oci:\(dir)/back"])
            for bad in ["3x", "0", "2GiB"] {
                let refused = try await ExternalTool.run(ferry, ["copy", "--upload-chunk-size", bad, "oci:\(dir)/src:v1", a + ":v2"])
                #expect(refused.exitCode == 2, "\(bad): \(refused.stderr)")
            }
        }
    }

    @Test(.needs(.authRegistry))
    func loginStoresCredentialsThatLaterCommandsUse() async throws {
        let auth = try #require(SharedFixtures.testAuthRegistry)
        try await withTemporaryDirectory { dir in
            var environment = ProcessInfo.processInfo.environment
            environment["DOCKER_CONFIG"] = dir + "/docker"
            environment["HOME"] = dir
            environment.removeValue(forKey: "REGISTRY_AUTH_FILE")
            environment.removeValue(forKey: "XDG_RUNTIME_DIR")
            let certs = ["--cert-dir", auth.certificateDirectory]
            let wrong = try await ExternalTool.run(
                ferry, ["login", auth.host, "-u", auth.username, "--password-stdin"] + certs, stdin: Array("nope\n".utf8), environment: environment)
            #expect(wrong.exitCode != 0)
            #expect(wrong.stderr.contains("401"))
            let login = try await ExternalTool.run(
                ferry, ["login", auth.host, "-u", auth.username, "--password-stdin"] + certs, stdin: Array((auth.password + "\n").utf8),
                environment: environment)
            try #require(login.succeeded, "\(login.stderr)")
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/docker/config.json")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let absent = try await ExternalTool.run(ferry, ["inspect"] + certs + ["docker://\(auth.host)/ferry-test/none:x"], environment: environment)
            #expect(absent.exitCode == 1, "logged in: a missing image is not found (1), not unauthorized (3): \(absent.stderr)")
            #expect(try await ExternalTool.run(ferry, ["logout", auth.host], environment: environment).succeeded)
            let anonymous = try await ExternalTool.run(ferry, ["inspect"] + certs + ["docker://\(auth.host)/ferry-test/none:x"], environment: environment)
            #expect(anonymous.stderr.contains("ferry login"))
        }
    }
}
