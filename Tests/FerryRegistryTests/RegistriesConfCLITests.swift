import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// registries.conf end to end: the built `ferry` with `CONTAINERS_REGISTRIES_CONF`, against two
/// real docker-registry instances (the one Scripts/test starts as the primary, a scratch one as
/// the mirror) and, for the credential rule, the hostile registry's sink as a mirror.
@Suite(.enabled(if: SharedFixtures.ferryBinary != nil && SharedFixtures.testRegistry != nil && ExternalTool.dockerRegistryAvailable
                && ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil && ExternalTool.find("curl") != nil,
                "FERRY_BIN or FERRY_TEST_REGISTRY not set (run Scripts/test), or docker-registry, python3 or curl missing"))
struct RegistriesConfCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let primary = SharedFixtures.testRegistry ?? ""

    /// The environment with only `conf` as registries.conf (a private HOME: no user drop-ins).
    private func environment(_ dir: String, conf: String) throws -> [String: String] {
        try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
        try conf.write(toFile: dir + "/registries.conf", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["CONTAINERS_REGISTRIES_CONF"] = dir + "/registries.conf"
        environment["HOME"] = dir + "/home"
        environment["XDG_CONFIG_HOME"] = dir + "/home/.config"
        environment.removeValue(forKey: "REGISTRY_AUTH_FILE")
        environment.removeValue(forKey: "XDG_RUNTIME_DIR")
        environment["DOCKER_CONFIG"] = dir + "/home/.docker"
        return environment
    }

    @Test func pullsTryTheMirrorFirstAndFallBackToThePrimary() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 1601)
            let repository = SharedFixtures.uniqueRepository("mirrored")
            let v1 = try #require(summary["v1"]?.digest.description)
            let multi = try #require(summary["multi"]?.digest.description)
            let conf = "[[registry]]\nlocation = \"\(primary)\"\n\n[[registry.mirror]]\nlocation = \"MIRROR\"\n"
            try await withScratchRegistry(in: dir + "/mirror") { mirror in
                let env = try environment(dir, conf: conf.replacingOccurrences(of: "MIRROR", with: mirror))
                // v1 only in the mirror, multi only in the primary (pushed with an empty config).
                let none = try environment(dir + "/plain", conf: "")
                let toMirror = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(mirror)/\(repository):v1"], environment: none)
                try #require(toMirror.succeeded, "\(toMirror.stderr)")
                let toPrimary = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:multi", "docker://\(primary)/\(repository):multi"], environment: none)
                try #require(toPrimary.succeeded, "\(toPrimary.stderr)")

                let fromMirror = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(repository):v1"], environment: env)
                #expect(fromMirror.exitCode == 0, "an image only in the mirror is pulled from it: \(fromMirror.stderr)")
                #expect(fromMirror.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v1)
                let copied = try await ExternalTool.run(ferry, ["copy", "-q", "docker://\(primary)/\(repository):v1", "oci:\(dir)/back:v1"], environment: env)
                #expect(copied.exitCode == 0, "\(copied.stderr)")
                let fallback = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(repository):multi"], environment: env)
                #expect(fallback.exitCode == 0, "the mirror lacks it: the primary serves: \(fallback.stderr)")
                #expect(fallback.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == multi)
                // Without the configuration the primary alone is asked, and lacks v1.
                let plain = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(repository):v1"], environment: none)
                #expect(plain.exitCode == 1, "\(plain.stderr)")
            }
            // The mirror is down now: the primary serves what it has.
            let downMirror = try await freeLoopbackPort()
            let env = try environment(dir, conf: conf.replacingOccurrences(of: "MIRROR", with: "127.0.0.1:\(downMirror)"))
            let served = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(repository):multi"], environment: env)
            #expect(served.exitCode == 0, "the mirror is down: the primary serves: \(served.stderr)")
            #expect(served.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == multi)
        }
    }

    @Test func locationRewritesAndBlockedPrefixes() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 1602)
            let repository = SharedFixtures.uniqueRepository("rewritten")
            let conf = """
            [[registry]]
            prefix = "images.example.test/team"
            location = "\(primary)/\(repository)"

            [[registry]]
            prefix = "\(primary)/ferry-test/blocked"
            blocked = true
            """
            let env = try environment(dir, conf: conf)
            // A push to the prefix lands at the location, and a pull of it reads from there.
            let pushed = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://images.example.test/team/app:v1"], environment: env)
            #expect(pushed.exitCode == 0, "\(pushed.stderr)")
            let direct = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(repository)/app:v1"], environment: env)
            #expect(direct.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == summary["v1"]?.digest.description, "\(direct.stderr)")
            let rewritten = try await ExternalTool.run(ferry, ["inspect", "--raw", "docker://images.example.test/team/app:v1"], environment: env)
            #expect(rewritten.exitCode == 0, "\(rewritten.stderr)")
            let tags = try await ExternalTool.run(ferry, ["tags", "docker://images.example.test/team/app"], environment: env)
            #expect(tags.stdout == "v1\n", "\(tags.stderr)")
            let verified = try await ExternalTool.run(ferry, ["verify", "docker://images.example.test/team/app:v1"], environment: env)
            #expect(verified.exitCode == 0, "\(verified.stdout)\(verified.stderr)")
            // A blocked prefix is refused before any request, naming the file and line.
            let blocked = try await ExternalTool.run(ferry, ["inspect", "docker://\(primary)/ferry-test/blocked/x:1"], environment: env)
            #expect(blocked.exitCode == 3, "\(blocked.stderr)")
            #expect(blocked.stderr.contains("blocked by the registries.conf entry at \(dir)/registries.conf:5"), "\(blocked.stderr)")
            let pushBlocked = try await ExternalTool.run(ferry, ["copy", "oci:\(dir)/src:v1", "docker://\(primary)/ferry-test/blocked/x:1"], environment: env)
            #expect(pushBlocked.exitCode == 4, "\(pushBlocked.stderr)")
            let tagsBlocked = try await ExternalTool.run(ferry, ["tags", "docker://\(primary)/ferry-test/blocked/x"], environment: env)
            #expect(tagsBlocked.exitCode == 3 && tagsBlocked.stderr.contains("blocked"), "\(tagsBlocked.stderr)")
            // A broken file is named with its line.
            let broken = try environment(dir, conf: "[[registry]]\nlocation = \"\(primary)\"\ninsecure = yes\n")
            let refused = try await ExternalTool.run(ferry, ["inspect", "docker://\(primary)/x:1"], environment: broken)
            #expect(refused.exitCode == 2, "\(refused.stderr)")
            #expect(refused.stderr.contains("\(dir)/registries.conf:3:"), "\(refused.stderr)")
        }
    }

    /// `insecure = true` turns TLS verification off for that registry: the auth registry's
    /// certificate (a private CA) is refused without it, and with it the registry is reached
    /// (and asks for credentials).
    @Test(.enabled(if: SharedFixtures.testAuthRegistry != nil, "no auth registry"))
    func insecureTurnsVerificationOffForThatRegistryOnly() async throws {
        let auth = try #require(SharedFixtures.testAuthRegistry)
        try await withTemporaryDirectory { dir in
            let secure = try environment(dir + "/a", conf: "")
            let refused = try await ExternalTool.run(ferry, ["inspect", "docker://\(auth.host)/ferry-test/none:x"], environment: secure)
            #expect(refused.exitCode == 3)
            #expect(refused.stderr.lowercased().contains("certificate"), "\(refused.stderr)")
            let insecure = try environment(dir + "/b", conf: "[[registry]]\nlocation = \"\(auth.host)\"\ninsecure = true\n")
            let reached = try await ExternalTool.run(ferry, ["inspect", "docker://\(auth.host)/ferry-test/none:x"], environment: insecure)
            #expect(!reached.stderr.lowercased().contains("certificate"), "\(reached.stderr)")
            #expect(reached.stderr.contains("401") || reached.stderr.contains("ferry login"), "\(reached.stderr)")
        }
    }

    /// Credentials given for the registry never go to its mirror: the sink, as a mirror, is asked
    /// for the manifest without an Authorization header, while the registry gets them.
    @Test func credentialsForTheRegistryNeverGoToItsMirror() async throws {
        try await withHostileRegistry("tags-link-foreign") { hostile in
            try await withTemporaryDirectory { dir in
                let conf = "[[registry]]\nlocation = \"\(hostile.host)\"\n[[registry.mirror]]\nlocation = \"\(hostile.sinkHost)\"\n"
                let env = try environment(dir, conf: conf)
                _ = try await ExternalTool.run(ferry, ["inspect", "--creds", "\(hostile.user):\(hostile.password)", "docker://\(hostile.host)/app:1"], environment: env)
                let mirrorRequests = hostile.sinkRequests()
                #expect(!mirrorRequests.isEmpty, "the mirror was not asked")
                #expect(mirrorRequests.allSatisfy { $0.authorization == nil }, "\(mirrorRequests.map(\.authorization))")
                #expect(hostile.registryRequests().contains { $0.authorization != nil }, "the registry got no credentials")
            }
        }
    }
}
