import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// `ferry login` and `--creds USER` asking for the password on a real terminal (tmux), without
/// echo; refusing without one; `--authfile` on login, logout and the commands that read
/// credentials (and `REGISTRY_AUTH_FILE`); bare `--tls-verify` meaning true. Against the basic-auth
/// TLS registry Scripts/test starts.
@Suite(.enabled(if: SharedFixtures.ferryBinary != nil && SharedFixtures.testAuthRegistry != nil, "FERRY_BIN or the auth registry not set (run Scripts/test)"))
struct LoginPromptCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let auth = SharedFixtures.testAuthRegistry!

    /// An environment whose only credential file is docker's config.json under `dir`.
    private func isolated(_ dir: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = dir + "/docker"
        environment["HOME"] = dir
        environment["XDG_CONFIG_HOME"] = dir + "/.config"
        environment.removeValue(forKey: "REGISTRY_AUTH_FILE")
        environment.removeValue(forKey: "XDG_RUNTIME_DIR")
        return environment
    }

    /// The same as a prefix for `sh -c` in tmux.
    private func isolatedShell(_ dir: String) -> String {
        "env -u REGISTRY_AUTH_FILE -u XDG_RUNTIME_DIR DOCKER_CONFIG='\(dir)/docker' HOME='\(dir)' XDG_CONFIG_HOME='\(dir)/.config'"
    }

    @Test(.enabled(if: ExternalTool.find("tmux") != nil && ExternalTool.find("python3") != nil, "tmux or python3 not installed"))
    func loginAndCredsUserAskForThePasswordWithoutEcho() async throws {
        try await withTemporaryDirectory { dir in
            let session = TmuxSession(socket: dir + "/tmux.sock", name: "login")
            defer { Task { try? await session.kill() } }
            let login = "\(isolatedShell(dir)) '\(ferry)' login --cert-dir '\(auth.certificateDirectory)' \(auth.host) -u \(auth.username); echo \"exit=$?\""
            try #require(try await session.start(login).succeeded)
            _ = try await session.screen(containing: "Password for \(auth.username):")
            try await session.type(auth.password)
            try await session.send(["Enter"])
            let done = try await session.screen(containing: "exit=")
            #expect(done.contains("exit=0"), "\(done)")
            #expect(done.contains("Login succeeded"), "\(done)")
            #expect(!done.contains(auth.password), "the password was echoed:\n\(done)")
            let stored = try String(contentsOfFile: dir + "/docker/config.json", encoding: .utf8)
            #expect(stored.contains(auth.host))
            try await session.kill()

            // --creds USER, with nothing stored (another HOME): asked, used (a missing image is
            // "not found", 1, not "unauthorized", 3).
            let other = dir + "/other"
            let creds = TmuxSession(socket: dir + "/tmux2.sock", name: "creds")
            defer { Task { try? await creds.kill() } }
            let inspect =
                "\(isolatedShell(other)) '\(ferry)' inspect --creds \(auth.username) --cert-dir '\(auth.certificateDirectory)' docker://\(auth.host)/ferry-test/none:x; echo \"exit=$?\""
            try #require(try await creds.start(inspect).succeeded)
            _ = try await creds.screen(containing: "Password for \(auth.username):")
            try await creds.type(auth.password)
            try await creds.send(["Enter"])
            let answered = try await creds.screen(containing: "exit=")
            #expect(answered.contains("exit=1"), "\(answered)")
            #expect(!answered.contains(auth.password), "the password was echoed:\n\(answered)")
            try await creds.kill()
        }
    }

    @Test(.enabled(if: ExternalTool.find("setsid") != nil, "setsid not installed"))
    func withoutATerminalThereIsNoPrompt() async throws {
        try await withTemporaryDirectory { dir in
            // setsid: no controlling terminal, so /dev/tty cannot be opened; stdin is /dev/null.
            let login = try await ExternalTool.run("setsid", ["-w", ferry, "login", auth.host, "-u", auth.username], environment: isolated(dir))
            #expect(login.exitCode == 2, "\(login.stderr)")
            #expect(login.stderr.contains("no terminal") && login.stderr.contains("--password-stdin"), "\(login.stderr)")
            let creds = try await ExternalTool.run(
                "setsid", ["-w", ferry, "inspect", "--creds", auth.username, "docker://\(auth.host)/ferry-test/none:x"], environment: isolated(dir))
            #expect(creds.exitCode == 2, "\(creds.stderr)")
            #expect(creds.stderr.contains("--creds without a password needs a terminal"), "\(creds.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/docker/config.json"))
        }
    }

    @Test func authfileOnLoginLogoutAndReadingCommands() async throws {
        try await withTemporaryDirectory { dir in
            let environment = isolated(dir)
            let file = dir + "/my-auth.json"
            let certs = ["--cert-dir", auth.certificateDirectory]
            let login = try await ExternalTool.run(
                ferry, ["login", "--authfile", file, auth.host, "-u", auth.username, "--password-stdin"] + certs, stdin: Array((auth.password + "\n").utf8),
                environment: environment)
            try #require(login.succeeded, "\(login.stderr)")
            #expect(login.stdout.contains(file))
            let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            #expect((written["auths"] as? [String: Any])?[auth.host] != nil, "\(written)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/docker/config.json"), "docker's config.json was written instead")
            #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue == 0o600)

            let missing = "docker://\(auth.host)/ferry-test/none:x"
            let anonymous = try await ExternalTool.run(ferry, ["inspect"] + certs + [missing], environment: environment)
            #expect(anonymous.exitCode == 3, "without the auth file: unauthorized: \(anonymous.stderr)")
            let withFlag = try await ExternalTool.run(ferry, ["inspect", "--authfile", file] + certs + [missing], environment: environment)
            #expect(withFlag.exitCode == 1, "with --authfile: authenticated, not found: \(withFlag.stderr)")
            var viaEnvironment = environment
            viaEnvironment["REGISTRY_AUTH_FILE"] = file
            let withVariable = try await ExternalTool.run(ferry, ["inspect"] + certs + [missing], environment: viaEnvironment)
            #expect(withVariable.exitCode == 1, "with REGISTRY_AUTH_FILE: \(withVariable.stderr)")
            // A bare --tls-verify is true; the space-separated value still works.
            let bare = try await ExternalTool.run(ferry, ["inspect", "--tls-verify", "--authfile", file] + certs + [missing], environment: environment)
            #expect(bare.exitCode == 1, "\(bare.stderr)")
            let spaced = try await ExternalTool.run(ferry, ["inspect", "--tls-verify", "false", "--authfile", file, missing], environment: environment)
            #expect(spaced.exitCode == 1, "--tls-verify false reaches the registry without its CA: \(spaced.stderr)")
            let verified = try await ExternalTool.run(ferry, ["inspect", "--tls-verify", "--authfile", file, missing], environment: environment)
            #expect(verified.exitCode == 3, "a bare --tls-verify verifies (the CA is not given): \(verified.stderr)")

            // copy: --authfile for both sides, --dest-authfile for one, with bare TLS flags.
            let summary = try await buildLayout(dir + "/src", seed: 1603)
            let repository = SharedFixtures.uniqueRepository("authfile")
            let push = try await ExternalTool.run(
                ferry,
                [
                    "copy", "-q", "--dest-tls-verify", "--dest-cert-dir", auth.certificateDirectory, "--dest-authfile", file, "oci:\(dir)/src:v1",
                    "docker://\(auth.host)/\(repository):v1",
                ], environment: environment)
            #expect(push.exitCode == 0, "\(push.stderr)")
            let pull = try await ExternalTool.run(
                ferry,
                [
                    "copy", "-q", "--src-tls-verify", "--src-cert-dir", auth.certificateDirectory, "--authfile", file, "docker://\(auth.host)/\(repository):v1",
                    "oci:\(dir)/back:v1",
                ], environment: environment)
            #expect(pull.exitCode == 0, "\(pull.stderr)")
            let digest = try await ExternalTool.run(ferry, ["digest", "oci:\(dir)/back:v1"])
            #expect(digest.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == summary["v1"]?.digest.description)

            let logout = try await ExternalTool.run(ferry, ["logout", "--authfile", file, auth.host], environment: environment)
            #expect(logout.succeeded && logout.stdout.contains("Removed credentials"), "\(logout.stdout)\(logout.stderr)")
            let after = try await ExternalTool.run(ferry, ["inspect", "--authfile", file] + certs + [missing], environment: environment)
            #expect(after.exitCode == 3, "\(after.stderr)")
        }
    }
}
