import FerryRegistry
import FerrySpec
import FerryTransports
import Foundation
import Testing

/// Short names as registries.conf resolves them in Ferry (aliases, unqualified-search registries,
/// short-name-mode, the alias cache), which written references are short, and where a sync
/// destination `HOST[/PREFIX]` is pushed.
@Suite struct ShortNameConfigurationTests {
    /// (reference as written, its short name or nil).
    static let shortNames: [(String, String?)] = [
        ("alpine", "alpine"),
        ("alpine:3.19", "alpine"),
        ("library/alpine@sha256:" + String(repeating: "a", count: 64), "library/alpine"),
        ("team/app:1", "team/app"),
        ("docker.io/library/alpine", nil),
        ("localhost/app:1", nil),
        ("localhost:5000/app", nil),
        ("registry.example/team/app:1", nil),
    ]

    @Test(arguments: shortNames)
    func whichReferencesAreShort(_ written: String, _ expected: String?) {
        #expect(Reference.shortName(of: written) == expected)
    }

    @Test func aShortNameKeepsItsDockerHubReadingAndIsRemembered() throws {
        let short = try TransportReference(parsing: "docker://alpine:3.19")
        #expect(short.dockerReference?.description == "docker.io/library/alpine:3.19")
        #expect(short.writtenShortName == "alpine:3.19")
        #expect(try TransportReference(parsing: "docker://docker.io/library/alpine:3.19").writtenShortName == nil)
    }

    static let conf = """
        unqualified-search-registries = ["a.example", "b.example:5000"]

        [aliases]
        "app" = "c.example/team/app"
        "team/tool" = "d.example/tools/tool"
        """

    /// (configuration, reference written, pull candidates, push target or the error's start).
    static let resolutions: [(String, String, [String], String)] = [
        ("", "alpine:3.19", ["docker.io/library/alpine:3.19"], "docker.io/library/alpine:3.19"),
        (conf, "app:1", ["c.example/team/app:1"], "c.example/team/app:1"),
        (
            conf, "team/tool@sha256:" + String(repeating: "b", count: 64), ["d.example/tools/tool@sha256:" + String(repeating: "b", count: 64)],
            "d.example/tools/tool@sha256:" + String(repeating: "b", count: 64)
        ),
        (conf, "other:2", ["a.example/other:2", "b.example:5000/other:2"], "error: other:2 is a short name, which a push, tags or delete cannot resolve"),
        (
            "short-name-mode = \"disabled\"\n" + conf, "other", ["a.example/other", "b.example:5000/other"],
            "error: other is a short name, which a push, tags or delete cannot resolve"
        ),
        ("unqualified-search-registries = [\"only.example\"]\nshort-name-mode = \"enforcing\"\n", "x/y:1", ["only.example/x/y:1"], "only.example/x/y:1"),
        ("unqualified-search-registries = []\n", "alpine", ["docker.io/library/alpine"], "docker.io/library/alpine"),
    ]

    @Test(arguments: resolutions)
    func shortNamesResolve(_ text: String, _ written: String, _ pulls: [String], _ push: String) throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(text, file: "r.conf")
        let name = try #require(Reference.shortName(of: written))
        let parsed = try Reference(parsing: written)
        let candidates = try configuration.shortNames.pullCandidates(name, written: written, parsed: parsed)
        #expect(candidates.map(\.reference.description) == pulls)
        do {
            let target = try configuration.shortNames.pushCandidate(name, written: written, parsed: parsed)
            #expect(target.reference.description == push)
        } catch {
            #expect(push.hasPrefix("error: ") && ("error: " + error.message).hasPrefix(push), "\(error.message)")
        }
    }

    @Test func enforcingRefusesAnAmbiguousPullButNotAnAlias() throws {
        var configuration = RegistriesConfiguration()
        try configuration.add("short-name-mode = \"enforcing\"\n" + Self.conf, file: "r.conf")
        let parsed = try Reference(parsing: "other:1")
        #expect { try configuration.shortNames.pullCandidates("other", written: "other:1", parsed: parsed) } throws: { error in
            (error as? RegistryError)?.message.contains(
                "short-name-mode is enforcing: it could be on a.example or b.example:5000 (unqualified-search-registries at r.conf:2)") == true
        }
        let alias = try configuration.shortNames.pullCandidates("app", written: "app", parsed: try Reference(parsing: "app"))
        #expect(alias.map(\.reference.description) == ["c.example/team/app"])
        #expect(alias.first?.note == "the short name app is c.example/team/app (the alias at r.conf:5)")
        var hub = RegistriesConfiguration()
        try hub.add("[aliases]\n\"alpine\" = \"docker.io/library/alpine\"\n", file: "shortnames.conf")
        let same = try hub.shortNames.pullCandidates("alpine", written: "alpine:3.19", parsed: try Reference(parsing: "alpine:3.19"))
        #expect(same.map(\.reference.description) == ["docker.io/library/alpine:3.19"])
        #expect(same.first?.note == nil, "an alias to the Docker Hub reading adds no note")
    }

    @Test func dropInsAndTheAliasCacheOverrideAliasesInOrder() throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(Self.conf, file: "r.conf")
        try configuration.add("unqualified-search-registries = [\"z.example\"]\n[aliases]\n\"app\" = \"\"\n\"new\" = \"n.example/new\"\n", file: "d/1.conf")
        #expect(configuration.shortNames.searchRegistries == ["z.example"])
        #expect(configuration.shortNames.aliases["app"] == nil)
        try configuration.addShortNameAliases("[aliases]\n\"new\" = \"cache.example/new\"\n", file: "cache.conf")
        #expect(configuration.shortNames.aliases["new"]?.name == "cache.example/new")
        #expect(configuration.shortNames.aliases["team/tool"]?.origin == "r.conf:5")
    }

    @Test func theAliasCacheIsWherePodmanWritesIt() {
        #expect(RegistriesConfFiles.shortNameAliasesPath(environment: ["HOME": "/h"], isRoot: false) == "/h/.cache/containers/short-name-aliases.conf")
        #expect(
            RegistriesConfFiles.shortNameAliasesPath(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/x"], isRoot: false)
                == "/x/containers/short-name-aliases.conf")
        #expect(RegistriesConfFiles.shortNameAliasesPath(environment: ["HOME": "/h"], isRoot: true) == "/var/cache/containers/short-name-aliases.conf")
    }

    static let destinationConf = """
        [[registry]]
        prefix = "site.example"
        location = "127.0.0.1:5000/site"
        insecure = true

        [[registry]]
        prefix = "closed.example"
        blocked = true

        [[registry]]
        prefix = "split.example/part"
        location = "elsewhere.example"
        """

    /// (sync destination name, where it is pushed with insecure, or the error's start).
    static let destinations: [(String, String)] = [
        ("site.example", "127.0.0.1:5000/site insecure"),
        ("site.example/mirror", "127.0.0.1:5000/site/mirror insecure"),
        ("plain.example/x", "plain.example/x secure"),
        ("closed.example/x", "error: closed.example/x is blocked by the registries.conf entry at r.conf:6"),
        ("split.example", "error: the registries.conf entry at r.conf:10 (prefix split.example/part) applies to part of split.example only"),
        ("split.example/part/a", "elsewhere.example/a secure"),
    ]

    @Test(arguments: destinations)
    func syncDestinationsArePushedToTheLocation(_ name: String, _ expected: String) throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(Self.destinationConf, file: "r.conf")
        do {
            let location = try configuration.pushLocation(forName: name)
            #expect("\(location.name) \(location.insecure ? "insecure" : "secure")" == expected)
        } catch {
            #expect(("error: " + error.message).hasPrefix(expected) && expected.hasPrefix("error: "), "\(error.message)")
        }
    }
}
