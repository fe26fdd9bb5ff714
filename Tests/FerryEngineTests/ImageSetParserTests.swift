@testable import FerryEngine
import FerryRegistry
import FerrySpec
import Testing

/// Image-set files: skopeo sync's YAML unchanged, Ferry's additions, plain lists, and errors that
/// name their line and column.
@Suite struct ImageSetParserTests {
    @Test func readsSkopeoSyncYAMLUnchanged() throws {
        let yaml = """
            registry.example.com:
                images:
                    busybox: []
                    redis:
                        - "1.0"
                        - "2.0"
                        - "sha256:0000000000000000000000000000000000000000000000000000000000000000"
                images-by-tag-regex:
                    nginx: ^1\\.13\\.[12]-alpine-perl$
                images-by-semver:
                    alpine: ">= 3.12.0"
                credentials:
                    username: john
                    password: this is a secret
                tls-verify: true
                cert-dir: /home/john/certs
            quay.io:
                tls-verify: false
                images:
                    coreos/etcd:
                        - latest
            """
        let set = try ImageSetParser.parse(yaml, file: "sync.yaml")
        #expect(set.groups.map(\.origin) == [.registry("registry.example.com"), .registry("quay.io")])
        let first = set.groups[0]
        #expect(first.repositories.map(\.repository) == ["busybox", "redis", "nginx", "alpine"])
        #expect(first.repositories[0].selection == .references([]))
        #expect(first.repositories[1].selection == .references(["1.0", "2.0", "sha256:" + String(repeating: "0", count: 64)]))
        #expect(first.repositories[2].selection == .tagRegex(#"^1\.13\.[12]-alpine-perl$"#))
        #expect(first.credentials == Credentials(username: "john", password: "this is a secret"))
        #expect(first.tlsVerify == true && first.certificateDirectory == "/home/john/certs")
        #expect(set.groups[1].tlsVerify == false)
        #expect(set.groups[1].repositories[0].line == 20)
    }

    @Test func readsFerrysAdditionsAndLocalSources() throws {
        let yaml = """
            localhost:5000:
              images:
                app: []
              platforms: [linux/amd64, linux/arm64/v8]
              referrers: true
              newest: 3
              exclude: ["-rc", "^nightly"]
            oci:/srv/base.oci:
              images: [base, "tools:1.0"]
            """
        let set = try ImageSetParser.parse(yaml, file: "f")
        let group = set.groups[0]
        #expect(group.platforms.map(\.description) == ["linux/amd64", "linux/arm64/v8"])
        #expect(group.referrers && group.newest == 3 && group.exclude == ["-rc", "^nightly"])
        #expect(set.groups[1].origin == .local("oci:/srv/base.oci"))
        #expect(set.groups[1].repositories.map(\.repository) == ["base", "tools:1.0"])
    }

    @Test(arguments: [
        ("r.example:\n  images:\n    app: []\n  images-by-semvar:\n    app: '>=1'\n", "f:4:3: unknown key \"images-by-semvar\""),
        ("r.example:\n  images:\n    app: [\"bad tag!\"]\n", "f:3:10:"),
        ("r.example:\n  images-by-semver:\n    app: \">= banana\"\n", "f:3:10:"),
        ("r.example:\n  images-by-tag-regex:\n    app: \"([\"\n", "is not a regular expression"),
        ("r.example:\n  tls-verify: maybe\n", "f:2:15: tls-verify must be true or false"),
        ("r.example:\n  newest: -1\n", "newest must be a positive number"),
        ("r.example:\n  credentials:\n    username: a\n", "credentials need both username and password"),
        ("- a\n- b\n", "f:1:1: the top level must map"),
        ("r.example:\n  images: {app: [1.0]\n", "f:"),
    ])
    func errorsNameLineAndColumn(_ text: String, _ expected: String) {
        do {
            _ = try ImageSetParser.parse(text, file: "f")
            Issue.record("parsed: \(text)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test func readsAPlainList() throws {
        let list = """
            # base images
            docker.io/library/busybox:1.36
            docker://localhost:5000/team/app@sha256:\(String(repeating: "a", count: 64))
            localhost:5000/team/tools      # every tag
            oci:/srv/layout.oci
            """
        let set = try ImageSetParser.parse(list, file: "l")
        #expect(set.groups.map(\.origin) == [.registry("docker.io"), .registry("localhost:5000"), .local("oci:/srv/layout.oci")])
        #expect(set.groups[0].repositories == [.init(repository: "library/busybox", selection: .references(["1.36"]), line: 2)])
        #expect(set.groups[1].repositories.map(\.selection) == [.references(["sha256:" + String(repeating: "a", count: 64)]), .references([])])
        do {
            _ = try ImageSetParser.parse("localhost:5000/App:1\n", file: "l")
            Issue.record("an upper-case repository parsed")
        } catch {
            #expect("\(error)".hasPrefix("l:1:1:"))
        }
    }

    @Test(arguments: [
        (["1.0", "1.2", "latest", "1.10", "0.9"], 2, ["1.2", "1.10"]),
        (["a", "b", "c"], 2, ["b", "c"]),
        (["2.0.0-rc1", "1.9.0", "2.0.0"], 1, ["2.0.0"]),
    ])
    func newestKeepsTheHighestVersions(_ tags: [String], _ count: Int, _ expected: [String]) {
        #expect(ImageSetResolver.newest(count, of: tags) == expected)
    }

    @Test func exclusionsSearchAnywhereInTheTag() {
        #expect(ImageSetResolver.applyExclusions(["1.0", "1.1-rc1", "nightly-5", "x-nightly"], ["-rc", "^nightly"]) == ["1.0", "x-nightly"])
    }

    @Test(arguments: [
        ("docker://localhost:5000/mirror", SyncDestination.registry(host: "localhost:5000", prefix: "mirror")),
        ("docker://localhost:5000", .registry(host: "localhost:5000", prefix: "")),
        ("docker://r.example/a/b/", .registry(host: "r.example", prefix: "a/b")),
        ("oci:/srv/set", .layout("/srv/set")),
        ("oci-archive:/media/usb/site.tar", .bundle("/media/usb/site.tar")),
    ])
    func parsesDestinations(_ text: String, _ expected: SyncDestination) throws {
        #expect(try SyncDestination(parsing: text) == expected)
    }

    @Test(arguments: ["docker://r.example/Upper", "docker://r.example/app:1.0", "dir:/x", "oci:", "docker://"])
    func refusesBadDestinations(_ text: String) {
        #expect(throws: (any Error).self) { _ = try SyncDestination(parsing: text) }
    }

    @Test(arguments: [
        ("docker.io/library/busybox:1.36", "mirror", false, "mirror/library/busybox"),
        ("docker.io/library/busybox:1.36", "mirror", true, "mirror/docker.io/library/busybox"),
        ("localhost:5000/team/app:1", "", true, "localhost_5000/team/app"),
        ("quay.io/coreos/etcd:latest", "", false, "coreos/etcd"),
    ])
    func mapsRepositoriesUnderThePrefix(_ reference: String, _ prefix: String, _ scoped: Bool, _ expected: String) throws {
        #expect(SyncDestination.repository(for: try Reference(parsing: reference), prefix: prefix, scoped: scoped) == expected)
    }
}
