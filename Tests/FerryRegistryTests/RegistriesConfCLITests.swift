import Foundation
import FerrySpec
import FerryTestSupport
import Testing

/// registries.conf end to end: the built `ferry` with `CONTAINERS_REGISTRIES_CONF`, against two
/// real docker-registry instances (the one Scripts/test starts as the primary, a scratch one as
/// the mirror) and, for the credential rule, the hostile registry's sink as a mirror.
@Suite(
    .enabled(
        if: SharedFixtures.ferryBinary != nil && SharedFixtures.testRegistry != nil && ExternalTool.dockerRegistryAvailable
            && ExternalTool.gzipAvailable && ExternalTool.find("python3") != nil && ExternalTool.find("curl") != nil,
        "FERRY_BIN or FERRY_TEST_REGISTRY not set (run Scripts/test), or docker-registry, python3 or curl missing"))
struct RegistriesConfCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let primary = SharedFixtures.testRegistry ?? ""

    private func environment(_ dir: String, conf: String) throws -> [String: String] {
        try isolatedEnvironment(dir, registriesConf: conf)
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
                let toPrimary = try await ExternalTool.run(
                    ferry, ["copy", "-q", "oci:\(dir)/src:multi", "docker://\(primary)/\(repository):multi"], environment: none)
                try #require(toPrimary.succeeded, "\(toPrimary.stderr)")

                let fromMirror = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(repository):v1"], environment: env)
                #expect(fromMirror.exitCode == 0, "an image only in the mirror is pulled from it: \(fromMirror.stderr)")
                #expect(fromMirror.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v1)
                let copied = try await ExternalTool.run(ferry, ["copy", "-q", "docker://\(primary)/\(repository):v1", "oci:\(dir)/back:v1"], environment: env)
                #expect(copied.exitCode == 0, "\(copied.stderr)")
                // The copy says which mirror served it, on stderr and in --json's notes.
                let note =
                    "note: \(primary)/\(repository):v1 was pulled from the mirror \(mirror)/\(repository):v1 (registries.conf entry at \(dir)/registries.conf:1)"
                #expect(copied.stderr.contains(note), "\(copied.stderr)")
                let json = try await ExternalTool.run(
                    ferry, ["copy", "--json", "docker://\(primary)/\(repository):v1", "oci:\(dir)/back2:v1"], environment: env)
                let notes = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])["notes"] as? [String]
                #expect(notes?.contains { $0.contains("was pulled from the mirror \(mirror)/") } == true, "\(json.stdout)")
                let fromPrimary = try await ExternalTool.run(
                    ferry, ["copy", "docker://\(primary)/\(repository):multi", "oci:\(dir)/back3:multi"], environment: env)
                #expect(fromPrimary.exitCode == 0 && !fromPrimary.stderr.contains("note:"), "the primary served: no mirror note: \(fromPrimary.stderr)")
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
            // A failure at a destination registries.conf rewrote is the destination's (exit 4).
            let dead = try await freeLoopbackPort()
            let away = try environment(dir + "/away", conf: "[[registry]]\nprefix = \"away.example.test\"\nlocation = \"127.0.0.1:\(dead)\"\n")
            let unreachable = try await ExternalTool.run(
                ferry, ["copy", "docker://\(primary)/\(repository)/app:v1", "docker://away.example.test/app:v1"], environment: away)
            #expect(unreachable.exitCode == 4, "\(unreachable.stderr)")
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
                _ = try await ExternalTool.run(
                    ferry, ["inspect", "--creds", "\(hostile.user):\(hostile.password)", "docker://\(hostile.host)/app:1"], environment: env)
                let mirrorRequests = hostile.sinkRequests()
                #expect(!mirrorRequests.isEmpty, "the mirror was not asked")
                #expect(mirrorRequests.allSatisfy { $0.authorization == nil }, "\(mirrorRequests.map(\.authorization))")
                #expect(hostile.registryRequests().contains { $0.authorization != nil }, "the registry got no credentials")
            }
        }
    }

    /// `ferry sync` reads registries.conf as copy does: an image only in the source's mirror is
    /// synced from it (with a note), a destination is rewritten to its location, and a blocked
    /// destination is refused naming the file and line.
    @Test func syncPullsFromMirrorsAndPushesToTheLocation() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 1603)
            let v1 = try #require(summary["v1"]?.digest.description)
            let repository = SharedFixtures.uniqueRepository("syncmirror")
            let landing = SharedFixtures.uniqueRepository("synclanding")
            try await withScratchRegistry(in: dir + "/mirror") { mirror in
                let none = try environment(dir + "/plain", conf: "")
                let toMirror = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(mirror)/\(repository):v1"], environment: none)
                try #require(toMirror.succeeded, "\(toMirror.stderr)")
                let conf = """
                    [[registry]]
                    location = "\(primary)"
                    [[registry.mirror]]
                    location = "\(mirror)"

                    [[registry]]
                    prefix = "images.example.test"
                    location = "\(primary)/\(landing)"

                    [[registry]]
                    prefix = "closed.example.test"
                    blocked = true
                    """
                let env = try environment(dir, conf: conf)
                // Without registries.conf the primary alone is asked, and lacks the image.
                let plain = try await ExternalTool.run(
                    ferry, ["sync", "-q", "--image", "\(primary)/\(repository):v1", "oci:\(dir)/plain-out"], environment: none)
                #expect(plain.exitCode != 0, "\(plain.stderr)")
                let synced = try await ExternalTool.run(
                    ferry, ["sync", "--image", "\(primary)/\(repository):v1", "docker://images.example.test/site"], environment: env)
                #expect(synced.exitCode == 0, "\(synced.stdout)\(synced.stderr)")
                #expect(
                    synced.stderr.contains("ferry sync: note: \(primary)/\(repository):v1 was pulled from the mirror \(mirror)/\(repository):v1"),
                    "\(synced.stderr)")
                let landed = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(landing)/site/\(repository):v1"], environment: none)
                #expect(landed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v1, "the destination was rewritten to its location: \(landed.stderr)")
                // Run again with --json: up to date, and the report's notes name the mirror.
                let again = try await ExternalTool.run(
                    ferry, ["sync", "--json", "--image", "\(primary)/\(repository):v1", "docker://images.example.test/site"], environment: env)
                let report = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any], "\(again.stderr)")
                #expect((report["images"] as? [[String: Any]])?.first?["status"] as? String == "up-to-date")
                #expect((report["notes"] as? [String])?.first?.contains("was pulled from the mirror \(mirror)/\(repository):v1") == true, "\(again.stdout)")
                // ferry inventory of that destination reads the location too.
                let inventory = try await ExternalTool.run(ferry, ["inventory", "docker://images.example.test/site"], environment: env)
                #expect(inventory.exitCode == 0, "\(inventory.stderr)")
                #expect(inventory.stdout.contains(v1) && inventory.stdout.contains("\(landing)/site/\(repository)"), "\(inventory.stdout)")
                // With --keep-going and a failed image, the note still comes.
                let partial = try await ExternalTool.run(
                    ferry,
                    [
                        "sync", "--keep-going", "--no-sync", "--image", "\(primary)/\(repository):v1", "--image", "\(primary)/\(repository):absent",
                        "oci:\(dir)/partial",
                    ], environment: env)
                #expect(partial.exitCode != 0, "\(partial.stderr)")
                #expect(partial.stderr.contains("ferry sync: note: \(primary)/\(repository):v1 was pulled from the mirror"), "\(partial.stderr)")
                let blocked = try await ExternalTool.run(
                    ferry, ["sync", "--image", "\(primary)/\(repository):v1", "docker://closed.example.test/site"], environment: env)
                #expect(blocked.exitCode != 0, "\(blocked.stderr)")
                #expect(blocked.stderr.contains("blocked by the registries.conf entry at \(dir)/registries.conf:10"), "\(blocked.stderr)")
                let blockedSource = try environment(dir + "/b", conf: "[[registry]]\nprefix = \"\(primary)/\(repository)\"\nblocked = true\n")
                let refused = try await ExternalTool.run(
                    ferry, ["sync", "--image", "\(primary)/\(repository):v1", "oci:\(dir)/never"], environment: blockedSource)
                #expect(
                    refused.exitCode != 0 && refused.stderr.contains("blocked by the registries.conf entry at \(dir)/b/registries.conf:1"), "\(refused.stderr)")
                #expect(!FileManager.default.fileExists(atPath: dir + "/never/index.json"))
            }
        }
    }

    /// `ferry catalog` lists a host registries.conf rewrites at its location (under the
    /// location's namespace, shown without it), and refuses a blocked host.
    @Test func catalogFollowsTheLocationAndRefusesBlockedHosts() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 1604)
            let namespace = SharedFixtures.uniqueRepository("catalogns")
            let none = try environment(dir + "/plain", conf: "")
            for name in ["one", "two/three"] {
                let pushed = try await ExternalTool.run(
                    ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(primary)/\(namespace)/\(name):v1"], environment: none)
                try #require(pushed.succeeded, "\(pushed.stderr)")
            }
            let conf = """
                [[registry]]
                prefix = "catalog.example.test"
                location = "\(primary)/\(namespace)"

                [[registry]]
                prefix = "shut.example.test"
                blocked = true
                """
            let env = try environment(dir, conf: conf)
            let listed = try await ExternalTool.run(ferry, ["catalog", "catalog.example.test"], environment: env)
            #expect(listed.exitCode == 0, "\(listed.stderr)")
            #expect(listed.stdout == "one\ntwo/three\n", "\(listed.stdout)")
            let blocked = try await ExternalTool.run(ferry, ["catalog", "shut.example.test"], environment: env)
            #expect(blocked.exitCode == 3, "\(blocked.stderr)")
            #expect(blocked.stderr.contains("blocked by the registries.conf entry at \(dir)/registries.conf:5"), "\(blocked.stderr)")
        }
    }

    /// Short names: an alias wins; otherwise the unqualified-search registries are tried in
    /// order for a pull (a dead one and one lacking the image are passed over, and a note says
    /// which served), `enforcing` refuses the ambiguity, and a push refuses it whatever the mode
    /// but takes a single search registry.
    @Test func shortNamesUseAliasesAndSearchRegistries() async throws {
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 1605)
            let v1 = try #require(summary["v1"]?.digest.description)
            let multi = try #require(summary["multi"]?.digest.description)
            let repository = SharedFixtures.uniqueRepository("short")
            let none = try environment(dir + "/plain", conf: "")
            let pushed = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(primary)/\(repository):v1"], environment: none)
            try #require(pushed.succeeded, "\(pushed.stderr)")
            let dead = try await freeLoopbackPort()
            try await withScratchRegistry(in: dir + "/other") { other in
                let search = "unqualified-search-registries = [\"127.0.0.1:\(dead)\", \"\(other)\", \"\(primary)\"]\n"
                let env = try environment(dir + "/search", conf: search)
                let pulled = try await ExternalTool.run(ferry, ["copy", "docker://\(repository):v1", "oci:\(dir)/out:v1"], environment: env)
                #expect(pulled.exitCode == 0, "\(pulled.stderr)")
                #expect(
                    pulled.stderr.contains("note: the short name \(repository):v1 was looked up on \(primary) as \(primary)/\(repository):v1"),
                    "\(pulled.stderr)")
                let digest = try await ExternalTool.run(ferry, ["digest", "docker://\(repository):v1"], environment: env)
                #expect(digest.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v1, "\(digest.stderr)")
                // A push cannot pick one of several.
                let ambiguous = try await ExternalTool.run(ferry, ["copy", "oci:\(dir)/src:multi", "docker://\(repository):multi"], environment: env)
                #expect(ambiguous.exitCode != 0, "\(ambiguous.stderr)")
                #expect(ambiguous.stderr.contains("is a short name, which a push, tags or delete cannot resolve"), "\(ambiguous.stderr)")
                // enforcing: a pull with several search registries and no alias is refused.
                let enforcing = try environment(dir + "/enforcing", conf: "short-name-mode = \"enforcing\"\n" + search)
                let refused = try await ExternalTool.run(ferry, ["digest", "docker://\(repository):v1"], environment: enforcing)
                #expect(refused.exitCode != 0 && refused.stderr.contains("short-name-mode is enforcing"), "\(refused.stderr)")
                // An alias wins over the search registries, for pulls and pushes, in any mode.
                let aliased = try environment(
                    dir + "/alias", conf: "short-name-mode = \"enforcing\"\n" + search + "[aliases]\n\"shorty\" = \"\(primary)/\(repository)\"\n")
                let viaAlias = try await ExternalTool.run(ferry, ["digest", "docker://shorty:v1"], environment: aliased)
                #expect(viaAlias.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v1, "\(viaAlias.stderr)")
                let pushAlias = try await ExternalTool.run(ferry, ["copy", "oci:\(dir)/src:multi", "docker://shorty:multi"], environment: aliased)
                #expect(pushAlias.exitCode == 0, "\(pushAlias.stderr)")
                #expect(
                    pushAlias.stderr.contains(
                        "note: the short name shorty:multi is \(primary)/\(repository):multi (the alias at \(dir)/alias/registries.conf:4)"),
                    "\(pushAlias.stderr)")
                let landed = try await ExternalTool.run(ferry, ["digest", "docker://\(primary)/\(repository):multi"], environment: none)
                #expect(landed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == multi, "\(landed.stderr)")
                // One search registry: a push goes there.
                let single = try environment(dir + "/single", conf: "unqualified-search-registries = [\"\(other)\"]\n")
                let pushSingle = try await ExternalTool.run(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(repository):single"], environment: single)
                #expect(pushSingle.exitCode == 0, "\(pushSingle.stderr)")
                let inOther = try await ExternalTool.run(ferry, ["digest", "docker://\(other)/\(repository):single"], environment: none)
                #expect(inOther.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v1, "\(inOther.stderr)")
                // tags and delete resolve a short name as a push does.
                let tags = try await ExternalTool.run(ferry, ["tags", "docker://\(repository)"], environment: single)
                #expect(tags.stdout == "single\n", "\(tags.stderr)")
                let ambiguousTags = try await ExternalTool.run(ferry, ["tags", "docker://\(repository)"], environment: env)
                #expect(ambiguousTags.exitCode != 0 && ambiguousTags.stderr.contains("which a push, tags or delete cannot resolve"), "\(ambiguousTags.stderr)")
                let deleted = try await ExternalTool.run(ferry, ["delete", "--yes", "docker://\(repository):single"], environment: single)
                #expect(deleted.exitCode == 0, "\(deleted.stderr)")
                let gone = try await ExternalTool.run(ferry, ["tags", "docker://\(other)/\(repository)"], environment: none)
                #expect(!gone.stdout.contains("single"), "\(gone.stdout)")
            }
        }
    }

    /// A mirror gets its own credentials from the auth files, whatever `--creds` says for the
    /// registry: the auth registry (htpasswd, private CA, `insecure = true` in the mirror entry)
    /// serves an image the primary lacks only when the auth file has an entry for it.
    @Test(.enabled(if: SharedFixtures.testAuthRegistry != nil, "no auth registry"))
    func aMirrorGetsItsOwnCredentialsFromTheAuthFiles() async throws {
        let auth = try #require(SharedFixtures.testAuthRegistry)
        try await withTemporaryDirectory { dir in
            let summary = try await buildLayout(dir + "/src", seed: 1606)
            let v1 = try #require(summary["v1"]?.digest.description)
            let repository = SharedFixtures.uniqueRepository("mirrorauth")
            let none = try environment(dir + "/plain", conf: "")
            let pushed = try await ExternalTool.run(
                ferry,
                [
                    "copy", "-q", "--dest-creds", "\(auth.username):\(auth.password)", "--dest-cert-dir", auth.certificateDirectory,
                    "oci:\(dir)/src:v1", "docker://\(auth.host)/\(repository):v1",
                ], environment: none)
            try #require(pushed.succeeded, "\(pushed.stderr)")
            let conf = "[[registry]]\nlocation = \"\(primary)\"\n[[registry.mirror]]\nlocation = \"\(auth.host)\"\ninsecure = true\n"
            var env = try environment(dir, conf: conf)
            // No entry for the mirror: it answers 401, is passed over, and the primary lacks the image.
            let without = try await ExternalTool.run(ferry, ["digest", "--creds", "nobody:wrong", "docker://\(primary)/\(repository):v1"], environment: env)
            #expect(without.exitCode != 0, "\(without.stdout)")
            let entry = Data("\(auth.username):\(auth.password)".utf8).base64EncodedString()
            try #"{"auths":{"\#(auth.host)":{"auth":"\#(entry)"}}}"#.write(toFile: dir + "/auth.json", atomically: true, encoding: .utf8)
            env["REGISTRY_AUTH_FILE"] = dir + "/auth.json"
            let with = try await ExternalTool.run(ferry, ["digest", "--creds", "nobody:wrong", "docker://\(primary)/\(repository):v1"], environment: env)
            #expect(with.exitCode == 0, "\(with.stderr)")
            #expect(with.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v1)
        }
    }
}
