import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// `ferry login` / `logout` and the credential lookup with registries.conf, end to end: the built
/// `ferry` with `CONTAINERS_REGISTRIES_CONF`, a real docker-registry (the TLS one with htpasswd
/// basic auth, and the plain one), and for `credential-helpers` a helper program on `PATH`
/// (``FakeCredentialHelper``, a shell script keeping files) that ferry runs as it would run
/// docker-credential-pass.
@Suite(
    .enabled(
        if: SharedFixtures.ferryBinary != nil && SharedFixtures.testRegistry != nil && ExternalTool.find("python3") != nil
            && ExternalTool.gzipAvailable,
        "FERRY_BIN or FERRY_TEST_REGISTRY not set (run Scripts/test), or python3 or gzip missing"))
struct LoginRegistriesConfCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let primary = SharedFixtures.testRegistry ?? ""

    private func environment(_ dir: String, conf: String, path: String? = nil) throws -> [String: String] {
        try isolatedEnvironment(dir, registriesConf: conf, path: path)
    }

    private func login(
        _ host: String, _ user: String, _ password: String, _ environment: [String: String], json: Bool = false
    ) async throws
        -> ProcessResult
    {
        try await ExternalTool.run(
            ferry, ["login"] + (json ? ["--json"] : []) + [host, "-u", user, "--password-stdin"], stdin: Array((password + "\n").utf8),
            environment: environment)
    }

    /// `credential-helpers = ["test"]`: login stores into the helper (`store`, nothing in the
    /// auth files), every later command finds the credentials there (`get`), and logout erases
    /// them (`erase`). Without the key the same commands have no credentials.
    @Test(.enabled(if: SharedFixtures.testAuthRegistry != nil, "no auth registry"))
    func credentialHelpersHoldLoginForEveryCommand() async throws {
        let auth = try #require(SharedFixtures.testAuthRegistry)
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 1607)
            let repository = SharedFixtures.uniqueRepository("credhelper")
            let helper = try FakeCredentialHelper(name: "test", in: dir + "/helper")
            let path = helper.path(before: ProcessInfo.processInfo.environment["PATH"])
            // insecure: the auth registry's certificate comes from a private CA.
            let entry = "[[registry]]\nlocation = \"\(auth.host)\"\ninsecure = true\n"
            let env = try environment(dir + "/with", conf: "credential-helpers = [\"test\"]\n\n" + entry, path: path)
            let without = try environment(dir + "/without", conf: entry, path: path)

            let loggedIn = try await login(auth.host, auth.username, auth.password, env)
            #expect(loggedIn.exitCode == 0, "\(loggedIn.stderr)")
            #expect(loggedIn.stdout.contains("stored in docker-credential-test"), "\(loggedIn.stdout)")
            #expect(helper.entry(for: auth.host)?.username == auth.username && helper.entry(for: auth.host)?.secret == auth.password)
            #expect(helper.calls() == ["store \(auth.host)"])
            #expect(!FileManager.default.fileExists(atPath: dir + "/with/home/.docker/config.json"), "nothing went to the auth file")

            let pushed = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(auth.host)/\(repository):v1"], environment: env)
            #expect(pushed.exitCode == 0, "the copy used the helper's credentials: \(pushed.stderr)")
            let tags = try await ExternalTool.run(ferry, ["tags", "docker://\(auth.host)/\(repository)"], environment: env)
            #expect(tags.exitCode == 0 && tags.stdout == "v1\n", "\(tags.stdout)\(tags.stderr)")
            #expect(helper.calls().contains("get \(auth.host)"), "\(helper.calls())")
            // Without credential-helpers the auth files alone are read, and they hold nothing.
            let anonymous = try await ExternalTool.run(ferry, ["tags", "docker://\(auth.host)/\(repository)"], environment: without)
            #expect(anonymous.exitCode != 0 && (anonymous.stderr.contains("401") || anonymous.stderr.contains("ferry login")), "\(anonymous.stderr)")

            let loggedOut = try await ExternalTool.run(ferry, ["logout", auth.host], environment: env)
            #expect(loggedOut.exitCode == 0, "\(loggedOut.stderr)")
            #expect(loggedOut.stdout == "Removed credentials for \(auth.host) from docker-credential-test\n", "\(loggedOut.stdout)")
            #expect(helper.entry(for: auth.host) == nil)
            #expect(helper.calls().last == "erase \(auth.host)")
            let after = try await ExternalTool.run(ferry, ["tags", "docker://\(auth.host)/\(repository)"], environment: env)
            #expect(after.exitCode != 0 && (after.stderr.contains("401") || after.stderr.contains("ferry login")), "\(after.stderr)")

            // --json names the helper instead of a file.
            let json = try await login(auth.host, auth.username, auth.password, env, json: true)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stderr)")
            #expect(object["credentialHelper"] as? String == "docker-credential-test")
            #expect(object["credentialsFile"] == nil)
        }
    }

    /// podman as the judge of the helper protocol, both ways, through the same registries.conf
    /// and helper program: what `podman login` stores, ferry's copy and tags use; what
    /// `ferry login` stores, `podman login --get-login` reads back.
    @Test(.enabled(if: SharedFixtures.testAuthRegistry != nil && ExternalTool.find("podman") != nil, "no auth registry or podman"))
    func podmanAndFerryShareTheHelper() async throws {
        let auth = try #require(SharedFixtures.testAuthRegistry)
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 1608)
            let repository = SharedFixtures.uniqueRepository("podmanhelper")
            let helper = try FakeCredentialHelper(name: "test", in: dir + "/helper")
            let conf = "credential-helpers = [\"test\"]\n\n[[registry]]\nlocation = \"\(auth.host)\"\ninsecure = true\n"
            var env = try environment(dir, conf: conf, path: helper.path(before: ProcessInfo.processInfo.environment["PATH"]))
            env["XDG_RUNTIME_DIR"] = dir + "/run"
            try FileManager.default.createDirectory(atPath: dir + "/run", withIntermediateDirectories: true)

            let podman = try await ExternalTool.run(
                "podman", ["login", "-u", auth.username, "--password-stdin", auth.host], stdin: Array((auth.password + "\n").utf8), environment: env)
            try #require(podman.succeeded, "\(podman.stdout)\(podman.stderr)")
            #expect(helper.entry(for: auth.host)?.username == auth.username, "podman stored into the helper: \(helper.calls())")
            let pushed = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(auth.host)/\(repository):v1"], environment: env)
            #expect(pushed.exitCode == 0, "ferry used what podman stored: \(pushed.stderr)")
            let tags = try await ExternalTool.run(ferry, ["tags", "docker://\(auth.host)/\(repository)"], environment: env)
            #expect(tags.stdout == "v1\n", "\(tags.stderr)")

            let erased = try await ExternalTool.run(ferry, ["logout", auth.host], environment: env)
            #expect(erased.exitCode == 0 && helper.entry(for: auth.host) == nil, "\(erased.stderr)")
            let loggedIn = try await login(auth.host, auth.username, auth.password, env)
            #expect(loggedIn.exitCode == 0, "\(loggedIn.stderr)")
            let get = try await ExternalTool.run("podman", ["login", "--get-login", auth.host], environment: env)
            #expect(get.exitCode == 0 && get.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == auth.username, "\(get.stdout)\(get.stderr)")
        }
    }

    /// `insecure = true` for the host lets login's check reach a registry that speaks plain HTTP,
    /// without `--tls-verify=false`. 2130706433 is 127.0.0.1 written as one number: the
    /// resolver reaches the loopback registry, but Ferry does not take the name for a loopback
    /// one, so nothing but `insecure` (or the flag) lets it try plain HTTP. As in podman, the
    /// entry's location is not applied: the check goes to the host typed, and the credentials
    /// are stored under it.
    @Test func insecureLetsLoginReachAPlainHTTPRegistry() async throws {
        let port = try #require(primary.split(separator: ":").last.map(String.init))
        let host = "2130706433:\(port)"
        try await withTemporaryDirectory { dir in
            let secure = try environment(dir + "/secure", conf: "")
            let refused = try await login(host, "me", "pw", secure)
            #expect(refused.exitCode == 3, "without insecure the check speaks TLS only: \(refused.stdout)\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/secure/home/.docker/config.json"))

            let insecure = try environment(dir + "/insecure", conf: "[[registry]]\nlocation = \"\(host)\"\ninsecure = true\n")
            let reached = try await login(host, "me", "pw", insecure)
            #expect(reached.exitCode == 0, "\(reached.stderr)")
            #expect(reached.stderr.contains("warning: insecure = true (registries.conf entry at \(dir)/insecure/registries.conf:1)"), "\(reached.stderr)")
            #expect(try storedUsers(dir + "/insecure") == [host: "me"])

            // A location pointing at a dead port changes nothing: the host itself is checked.
            let dead = try await freeLoopbackPort()
            let rewritten = try environment(
                dir + "/rewritten", conf: "[[registry]]\nprefix = \"\(host)\"\nlocation = \"127.0.0.1:\(dead)\"\ninsecure = true\n")
            let typed = try await login(host, "me", "pw", rewritten)
            #expect(typed.exitCode == 0, "\(typed.stderr)")
            #expect(try storedUsers(dir + "/rewritten") == [host: "me"])
        }
    }

    /// `blocked = true` refuses the login before anything is sent, naming the file and line; nothing is stored.
    @Test func blockedRefusesLogin() async throws {
        try await withTemporaryDirectory { dir in
            let env = try environment(dir, conf: "\n[[registry]]\nlocation = \"\(primary)\"\nblocked = true\n")
            let refused = try await login(primary, "me", "pw", env)
            #expect(refused.exitCode == 3, "\(refused.stdout)\(refused.stderr)")
            #expect(
                refused.stderr.contains("\(primary) is blocked by the registries.conf entry at \(dir)/registries.conf:2 (prefix \(primary), blocked = true)"),
                "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/home/.docker/config.json"))
            // Without the entry the same login succeeds (the plain registry takes any user).
            let open = try environment(dir + "/open", conf: "")
            let accepted = try await login(primary, "me", "pw", open)
            #expect(accepted.exitCode == 0, "\(accepted.stderr)")
        }
    }

    /// The users docker's config.json under `dir`'s home holds, by key.
    private func storedUsers(_ dir: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/home/.docker/config.json"))
        let auths = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])["auths"] as? [String: [String: String]] ?? [:]
        return auths.compactMapValues { entry in
            entry["auth"].flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self).split(separator: ":").first.map(String.init) ?? "" }
        }
    }
}
