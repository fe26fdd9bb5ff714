import FerryRegistry
import FerrySpec
import Foundation
import Testing

/// registries.conf as Ferry applies it: which entry a name falls under, where pulls and pushes
/// go (location rewrites, mirrors in order, insecure, blocked), drop-ins, and errors naming
/// `file:line`.
@Suite struct RegistriesConfigurationTests {
    static let conf = """
        [[registry]]
        prefix = "example.com/foo"
        location = "internal.local:5000/bar"
        insecure = true

        [[registry.mirror]]
        location = "mirror-a.local/cache"

        [[registry.mirror]]
        location = "mirror-b.local"
        insecure = true
        pull-from-mirror = "digest-only"

        [[registry]]
        location = "example.com"

        [[registry]]
        prefix = "*.blocked.test"
        blocked = true

        [[registry]]
        location = "digests.local"
        mirror-by-digest-only = true
        [[registry.mirror]]
        location = "m.local"
        """

    static let digest = "sha256:" + String(repeating: "a", count: 64)

    /// (reference pulled, endpoints: name, insecure, mirror).
    static let pulls: [(String, [String])] = [
        ("example.com/foo/app:1", ["mirror-a.local/cache/app:1 secure mirror", "internal.local:5000/bar/app:1 insecure primary"]),
        (
            "example.com/foo/app@\(digest)",
            [
                "mirror-a.local/cache/app@\(digest) secure mirror", "mirror-b.local/app@\(digest) insecure mirror",
                "internal.local:5000/bar/app@\(digest) insecure primary",
            ]
        ),
        ("example.com/foo:1", ["mirror-a.local/cache:1 secure mirror", "internal.local:5000/bar:1 insecure primary"]),
        ("example.com/foobar/app:1", ["example.com/foobar/app:1 secure primary"]),
        ("example.com/other:2", ["example.com/other:2 secure primary"]),
        ("unlisted.local/x:1", ["unlisted.local/x:1 secure primary"]),
        ("digests.local/x:1", ["digests.local/x:1 secure primary"]),
        ("digests.local/x@\(digest)", ["m.local/x@\(digest) secure mirror", "digests.local/x@\(digest) secure primary"]),
    ]

    @Test(arguments: pulls)
    func pullEndpoints(_ pulled: String, _ expected: [String]) throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(Self.conf, file: "r.conf")
        let endpoints = try configuration.pullEndpoints(for: try Reference(parsing: pulled))
        #expect(endpoints.map { "\($0.reference) \($0.insecure ? "insecure" : "secure") \($0.isMirror ? "mirror" : "primary")" } == expected)
    }

    @Test func pushesGoToTheLocationNeverToAMirror() throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(Self.conf, file: "r.conf")
        let push = try configuration.pushEndpoint(for: try Reference(parsing: "example.com/foo/app:1"))
        #expect(push.reference.description == "internal.local:5000/bar/app:1")
        #expect(push.insecure)
        #expect(!push.isMirror)
    }

    @Test(arguments: ["x.blocked.test/app:1", "a.b.blocked.test/app@\(digest)"])
    func blockedNamesAreRefusedNamingTheEntry(_ name: String) throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(Self.conf, file: "r.conf")
        let reference = try Reference(parsing: name)
        for attempt in [{ _ = try configuration.pullEndpoints(for: reference) }, { _ = try configuration.pushEndpoint(for: reference) }] {
            #expect { try attempt() } throws: { error in
                (error as? RegistryError)?.message.contains("blocked by the registries.conf entry at r.conf:17") == true
            }
        }
    }

    @Test func aDropInReplacesTheEntryWithTheSamePrefixAndV1ListsApply() throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(Self.conf, file: "r.conf")
        try configuration.add("[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"new.local\"\n", file: "d/1.conf")
        try configuration.add("[registries.insecure]\nregistries = [\"plain.local\"]\n[registries.block]\nregistries = [\"bad.local\"]\n", file: "d/2.conf")
        let foo = try configuration.pullEndpoints(for: try Reference(parsing: "example.com/foo/app:1"))
        #expect(foo.map(\.reference.description) == ["new.local/app:1"])
        #expect(try configuration.pullEndpoints(for: try Reference(parsing: "plain.local/x:1")).map(\.insecure) == [true])
        #expect(throws: RegistryError.self) { try configuration.pullEndpoints(for: try Reference(parsing: "bad.local/x:1")) }
    }

    /// (file, the message it gets).
    static let errors: [(String, String)] = [
        ("[[registry]]\ninsecure = true\n", "f:1: a [[registry]] needs a location or a prefix"),
        ("[[registry]]\nlocation = \"a\"\ninsecure = \"yes\"\n", "f:3: insecure must be true or false (found: string)"),
        ("[[registry]]\nprefix = \"*.x.test\"\nlocation = \"a\"\n", "f:3: a wildcard prefix (*.x.test) cannot have a location"),
        ("[[registry]]\nlocation = \"a\"\n[[registry.mirror]]\ninsecure = true\n", "f:3: a [[registry.mirror]] needs a location"),
        (
            "[[registry]]\nlocation = \"a\"\n[[registry.mirror]]\nlocation = \"m\"\npull-from-mirror = \"some\"\n",
            "f:5: pull-from-mirror must be all, digest-only or tag-only"
        ),
        ("[[registry]]\nlocation = 5\n", "f:2: location must be a string (found: integer)"),
        ("registry = 1\n", "f:1: registry must be [[registry]] tables"),
        ("[registries.insecure]\nregistries = \"a\"\n", "f:2: registries.insecure.registries must be an array of strings"),
        // Short names (ShortNameConfigurationTests has the resolution tables).
        ("unqualified-search-registries = \"a\"\n", "f:1: unqualified-search-registries must be an array of strings"),
        ("unqualified-search-registries = [\"a/b\"]\n", "f:1: unqualified-search-registries lists \"a/b\", which is not host[:port]"),
        ("short-name-mode = \"strict\"\n", "f:1: short-name-mode must be enforcing, permissive or disabled"),
        ("[aliases]\n\"a.example/x\" = \"b.example/x\"\n", "f:2: an alias name must be a short name"),
        ("[aliases]\n\"x:1\" = \"b.example/x\"\n", "f:2: an alias name must be a short name"),
        ("[aliases]\n\"x\" = \"y\"\n", "f:2: the alias \"x\" must name a registry and repository without tag or digest"),
        ("[aliases]\n\"x\" = \"b.example/x:1\"\n", "f:2: the alias \"x\" must name a registry and repository without tag or digest"),
        ("[aliases]\n\"x\" = true\n", "f:2: the alias \"x\" must be a string"),
        // credential-helpers (CredentialSourceOrderTests has the order rules).
        ("credential-helpers = \"pass\"\n", "f:1: credential-helpers must be an array of strings (found: string)"),
        ("credential-helpers = [\"pass\", 1]\n", "f:1: credential-helpers must be an array of strings (found: an element that is integer)"),
        ("\ncredential-helpers = [\n  \"pass\",\n  \"a/b\",\n]\n", "f:2: credential-helpers lists \"a/b\", which is not a credential helper"),
        ("credential-helpers = [\"\"]\n", "f:1: credential-helpers lists \"\", which is not a credential helper"),
        ("credential-helpers = [\"my helper\"]\n", "f:1: credential-helpers lists \"my helper\", which is not a credential helper"),
        ("credential-helpers = [\"-x\"]\n", "f:1: credential-helpers lists \"-x\", which is not a credential helper"),
        (
            "credential-helpers = [\"docker-credential-pass\"]\n",
            "f:1: credential-helpers lists the program \"docker-credential-pass\"; write its NAME alone: \"pass\""
        ),
    ]

    @Test(arguments: errors)
    func errorsNameFileAndLine(_ text: String, _ message: String) {
        var configuration = RegistriesConfiguration()
        #expect {
            try configuration.add(text, file: "f")
        } throws: { error in
            (error as? SpecError)?.message.hasPrefix(message) == true
        }
    }

    @Test func theFilesReadFollowContainersImage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-regconf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/home/.config/containers/registries.conf.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let user = dir + "/home/.config/containers"
        // No user file: the system file and both drop-in directories.
        var paths = RegistriesConfFiles.paths(environment: ["HOME": dir + "/home"])
        #expect(paths.first == "/etc/containers/registries.conf")
        // The user's file replaces the system one, and only the user's drop-ins follow.
        try "".write(toFile: user + "/registries.conf", atomically: true, encoding: .utf8)
        try "".write(toFile: user + "/registries.conf.d/b.conf", atomically: true, encoding: .utf8)
        try "".write(toFile: user + "/registries.conf.d/a.conf", atomically: true, encoding: .utf8)
        try "".write(toFile: user + "/registries.conf.d/ignored.txt", atomically: true, encoding: .utf8)
        paths = RegistriesConfFiles.paths(environment: ["HOME": dir + "/home"])
        #expect(paths == [user + "/registries.conf", user + "/registries.conf.d/a.conf", user + "/registries.conf.d/b.conf"])
        // CONTAINERS_REGISTRIES_CONF names the main file.
        paths = RegistriesConfFiles.paths(environment: ["HOME": dir + "/home", "CONTAINERS_REGISTRIES_CONF": dir + "/mine.conf"])
        #expect(paths.first == dir + "/mine.conf")
        #expect(paths.suffix(2) == [user + "/registries.conf.d/a.conf", user + "/registries.conf.d/b.conf"])
        // A broken drop-in is named with its line.
        try "[[registry]]\nblocked = maybe\n".write(toFile: user + "/registries.conf.d/b.conf", atomically: true, encoding: .utf8)
        #expect {
            _ = try RegistriesConfFiles.load(environment: ["HOME": dir + "/home"])
        } throws: { error in
            (error as? SpecError)?.message.hasPrefix(user + "/registries.conf.d/b.conf:2:") == true
        }
    }
}
