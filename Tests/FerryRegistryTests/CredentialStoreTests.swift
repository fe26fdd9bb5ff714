import Foundation
import FerryRegistry
import FerryTestSupport
import Testing

@Suite struct CredentialStoreTests {
    private func write(_ json: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func auth(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test func readsDockerConfigFromDockerConfigDirectory() throws {
        try withTemporaryDirectorySync { dir in
            try write(#"{"auths":{"127.0.0.1:5000":{"auth":"\#(auth("alice:pa:ss\0\0"))"}}}"#, to: dir + "/docker/config.json")
            let store = CredentialStore(environment: ["DOCKER_CONFIG": dir + "/docker", "HOME": dir + "/home"])
            #expect(try store.credentials(for: "127.0.0.1:5000") == Credentials(username: "alice", password: "pa:ss"))
            #expect(try store.credentials(for: "127.0.0.1:5001") == nil)
        }
    }

    @Test func authFileComesBeforeDockerConfig() throws {
        try withTemporaryDirectorySync { dir in
            try write(#"{"auths":{"r.example":{"auth":"\#(auth("docker:d"))"}}}"#, to: dir + "/home/.docker/config.json")
            try write(#"{"auths":{"r.example":{"username":"podman","password":"p"}}}"#, to: dir + "/run/containers/auth.json")
            let store = CredentialStore(environment: ["HOME": dir + "/home", "XDG_RUNTIME_DIR": dir + "/run"])
            #expect(try store.credentials(for: "r.example")?.username == "podman")
            let explicit = CredentialStore(environment: [
                "HOME": dir + "/home", "REGISTRY_AUTH_FILE": dir + "/home/.docker/config.json", "XDG_RUNTIME_DIR": dir + "/run",
            ])
            #expect(try explicit.credentials(for: "r.example")?.username == "docker")
        }
    }

    @Test func matchesLegacyKeysAndDockerHub() throws {
        try withTemporaryDirectorySync { dir in
            try write(
                #"{"auths":{"https://r.example:5000/v1/":{"auth":"\#(auth("u:p"))"},"https://index.docker.io/v1/":{"auth":"\#(auth("hub:h"))"},"helper.example":{}}}"#,
                to: dir + "/.docker/config.json")
            let store = CredentialStore(environment: ["HOME": dir])
            #expect(try store.credentials(for: "r.example:5000")?.username == "u")
            #expect(try store.credentials(for: "docker.io")?.username == "hub")
            #expect(try store.credentials(for: "helper.example") == nil)
        }
    }

    @Test func rejectsBadBase64WithTheFileName() throws {
        try withTemporaryDirectorySync { dir in
            try write(#"{"auths":{"r":{"auth":"%%%"}}}"#, to: dir + "/.docker/config.json")
            let store = CredentialStore(environment: ["HOME": dir])
            let error = #expect(throws: RegistryError.self) { try store.credentials(for: "r") }
            #expect(error?.message.contains(dir + "/.docker/config.json") == true)
        }
    }

    @Test func storeAndEraseKeepOtherKeysWithOwnerOnlyMode() throws {
        try withTemporaryDirectorySync { dir in
            try write(#"{"auths":{"other":{"auth":"\#(auth("o:o"))"}},"HttpHeaders":{"X-Test":"1"}}"#, to: dir + "/cfg/config.json")
            let store = CredentialStore(environment: ["DOCKER_CONFIG": dir + "/cfg", "HOME": dir])
            try store.store(Credentials(username: "bob", password: "secret"), for: "127.0.0.1:5000")
            #expect(try store.credentials(for: "127.0.0.1:5000") == Credentials(username: "bob", password: "secret"))
            #expect(try store.credentials(for: "other")?.username == "o")
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/cfg/config.json")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let text = try String(contentsOfFile: dir + "/cfg/config.json", encoding: .utf8)
            #expect(text.contains("HttpHeaders"))
            #expect(try store.erase(for: "127.0.0.1:5000") == [dir + "/cfg/config.json"])
            #expect(try store.credentials(for: "127.0.0.1:5000") == nil)
            #expect(try store.erase(for: "127.0.0.1:5000").isEmpty)
        }
    }

    @Test func parsesUserColonPassword() throws {
        #expect(try Credentials(parsing: "u:p:q") == Credentials(username: "u", password: "p:q"))
        #expect(throws: RegistryError.self) { try Credentials(parsing: "nopassword") }
        #expect(throws: RegistryError.self) { try Credentials(parsing: ":p") }
        #expect(Credentials(username: "u", password: "secret").description == "u:***")
    }
}

/// Runs `body` in a fresh temporary directory that is removed afterwards.
func withTemporaryDirectorySync(_ body: (String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-registry-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try body(dir)
}

@Suite struct CredentialHelperTests {
    /// Writes an executable `docker-credential-NAME` shell script into `dir`.
    private func helper(_ name: String, in dir: String, script: String) throws {
        let path = dir + "/docker-credential-" + name
        try Data(("#!/bin/sh\n" + script).utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    @Test func credHelpersAndCredsStoreAreAskedAndAuthoritative() throws {
        try withTemporaryDirectorySync { dir in
            // Echoes the server it was asked about as the user, so the test sees the key used.
            try helper(
                "fake", in: dir,
                script: #"read server; [ "$1" = get ] || exit 2; printf '{"ServerURL":"%s","Username":"u-%s","Secret":"s"}' "$server" "$server""#)
            try helper("empty", in: dir, script: "cat >/dev/null; echo 'credentials not found in native keychain'; exit 1")
            try helper("broken", in: dir, script: "cat >/dev/null; echo 'boom'; exit 3")
            let config =
                #"{"auths":{"r.example":{"auth":"\#(Data("file:f".utf8).base64EncodedString())"}},"credHelpers":{"h.example":"fake","n.example":"empty","b.example":"broken"}}"#
            try Data(config.utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
            let store = CredentialStore(environment: ["DOCKER_CONFIG": dir, "HOME": dir, "PATH": dir + ":/usr/bin:/bin"])
            #expect(try store.credentials(for: "h.example") == Credentials(username: "u-h.example", password: "s"))
            #expect(try store.credentials(for: "n.example") == nil)
            #expect(try store.credentials(for: "r.example")?.username == "file")
            let error = #expect(throws: RegistryError.self) { try store.credentials(for: "b.example") }
            #expect(error?.message.contains("boom") == true)

            try Data(#"{"auths":{"r.example":{}},"credsStore":"fake"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
            #expect(try store.credentials(for: "r.example")?.username == "u-r.example")
            #expect(try store.credentials(for: "docker.io")?.username == "u-https://index.docker.io/v1/")
            try Data(#"{"credsStore":"missing"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
            #expect(throws: RegistryError.self) { try store.credentials(for: "r.example") }
        }
    }
}

/// A store with registries.conf's `credential-helpers`: real helper processes (a shell script
/// keeping files) and a real auth file, tried in the listed order.
@Suite(.enabled(if: ExternalTool.find("python3") != nil, "python3 missing"))
struct CredentialHelperListStoreTests {
    @Test func helpersAreAskedStoredIntoAndErasedInTheListedOrder() throws {
        try withTemporaryDirectorySync { dir in
            let helper = try FakeCredentialHelper(name: "test", in: dir + "/helper")
            let entry = Data("file:f".utf8).base64EncodedString()
            try FileManager.default.createDirectory(atPath: dir + "/docker", withIntermediateDirectories: true)
            try Data(#"{"auths":{"r.example":{"auth":"\#(entry)"}}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/docker/config.json"))
            let environment = ["DOCKER_CONFIG": dir + "/docker", "HOME": dir, "PATH": helper.path(before: "/usr/bin:/bin")]
            let list = CredentialHelperList(sources: [.helper("test"), .authFiles], origin: "r.conf:3")
            let store = CredentialStore(environment: environment, helpers: list)
            // The helper has nothing: the auth file answers.
            #expect(try store.credentials(for: "r.example")?.username == "file")
            // login stores into the first source, and leaves the file alone.
            let stored = try store.store(Credentials(username: "u", password: "s"), for: "r.example")
            #expect(stored.source == .helper("test") && stored.file == nil && stored.place == "docker-credential-test")
            #expect(helper.entry(for: "r.example")?.username == "u" && helper.entry(for: "r.example")?.secret == "s")
            #expect(try CredentialStore(environment: environment).credentials(for: "r.example")?.username == "file")
            // Now the helper answers first.
            #expect(try store.credentials(for: "r.example") == Credentials(username: "u", password: "s"))
            // Docker Hub is asked for as docker.io.
            _ = try store.credentials(for: "registry-1.docker.io")
            #expect(helper.calls().last == "get docker.io")
            // logout erases from every source.
            #expect(try store.erase(for: "r.example") == ["docker-credential-test", dir + "/docker/config.json"])
            #expect(try store.credentials(for: "r.example") == nil)
            #expect(helper.calls().contains("erase r.example"))
        }
    }

    @Test func aMissingHelperIsPassedOverButNamedWhenNothingElseAnswers() throws {
        try withTemporaryDirectorySync { dir in
            let environment = ["DOCKER_CONFIG": dir + "/docker", "HOME": dir, "PATH": "/usr/bin:/bin"]
            let store = CredentialStore(environment: environment, helpers: CredentialHelperList(sources: [.helper("missing"), .authFiles], origin: "r.conf:3"))
            // Nothing anywhere, and the helper cannot be run: that is the error, naming where it was listed.
            let error = #expect(throws: RegistryError.self) { try store.credentials(for: "r.example") }
            #expect(error?.message == "credential helper docker-credential-missing (named in credential-helpers at r.conf:3) is not on PATH")
            // login stores into the first source only: the failure is the error, the file stays untouched.
            let failed = #expect(throws: RegistryError.self) { try store.store(Credentials(username: "u", password: "s"), for: "r.example") }
            #expect(failed?.message.contains("docker-credential-missing (named in credential-helpers at r.conf:3)") == true)
            #expect(!FileManager.default.fileExists(atPath: dir + "/docker/config.json"))
            // With an entry in the file, lookup passes over the helper it cannot run.
            try CredentialStore(environment: environment).store(Credentials(username: "u", password: "s"), for: "r.example")
            #expect(try store.credentials(for: "r.example")?.username == "u")
            // logout erases the file's entry and still reports the helper it could not run.
            let erased = #expect(throws: RegistryError.self) { try store.erase(for: "r.example") }
            #expect(erased?.message.contains("(removed from \(dir)/docker/config.json)") == true, "\(erased?.message ?? "")")
            #expect(try CredentialStore(environment: environment).credentials(for: "r.example") == nil)
        }
    }
}
