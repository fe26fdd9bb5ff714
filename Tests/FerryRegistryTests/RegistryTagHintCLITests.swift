import Foundation
import FerryTestSupport
import Testing

/// A registry's 404 for a tag lists tags the repository does have, and says when `latest` was
/// assumed; still exit 3 (not found). Against the plain test registry (TestServices starts it).
@Suite(.needs(.registry), .enabled(if: SharedFixtures.ferryBinary != nil && ExternalTool.gzipAvailable, "no ferry binary, or gzip missing"))
struct RegistryTagHintCLITests {
    let ferry = SharedFixtures.ferryBinary ?? ""
    let registry = SharedFixtures.testRegistry ?? ""

    @Test func aMissingTagListsTheTagsThereAre() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 741)
            let repository = "\(registry)/\(SharedFixtures.uniqueRepository("hint"))"
            for tag in ["1.0", "2.0"] {
                try await ExternalTool.runChecked(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(repository):\(tag)"])
            }
            let wrongTag = try await ExternalTool.run(ferry, ["inspect", "docker://\(repository):3.0"])
            // No such image: invalid input (exit 1), as for every transport.
            #expect(wrongTag.exitCode == 1)
            #expect(wrongTag.stderr.contains("\(repository) has 2 tags: 1.0, 2.0"), "\(wrongTag.stderr)")
            #expect(!wrongTag.stderr.contains("latest was assumed"))

            let noTag = try await ExternalTool.run(ferry, ["copy", "--progress", "none", "docker://\(repository)", "oci:\(dir)/out"])
            #expect(noTag.exitCode == 1)
            #expect(noTag.stderr.contains("no tag was given, so latest was assumed"), "\(noTag.stderr)")
            #expect(noTag.stderr.contains("has 2 tags: 1.0, 2.0"))

            let noRepository = try await ExternalTool.run(
                ferry, ["digest", "docker://\(registry)/ferry-test/absent-\(UUID().uuidString.lowercased().prefix(8)):1"])
            #expect(noRepository.exitCode == 1)
            #expect(!noRepository.stderr.contains("tags"), "\(noRepository.stderr)")
        }
    }

    @Test func deletingATagNamesTheOtherTagsThatGoWithIt() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 742)
            let repository = "\(registry)/\(SharedFixtures.uniqueRepository("delete"))"
            for (name, tag) in [("v1", "a"), ("v1", "b"), ("multi", "c")] {
                try await ExternalTool.runChecked(ferry, ["copy", "-q", "oci:\(dir)/src:\(name)", "docker://\(repository):\(tag)"])
            }
            // Standard input is not a terminal here, so no --yes is needed; the other tag is named.
            let deleted = try await ExternalTool.run(ferry, ["delete", "docker://\(repository):a"])
            #expect(deleted.exitCode == 0, "\(deleted.stderr)")
            #expect(deleted.stdout.contains("; tags b pointed at it too and are gone"), "\(deleted.stdout)")
            #expect(try await ExternalTool.runChecked(ferry, ["tags", "docker://\(repository)"]).stdout == "c\n")
            let alone = try await ExternalTool.run(ferry, ["delete", "docker://\(repository):c"])
            #expect(alone.exitCode == 0, "\(alone.stderr)")
            #expect(!alone.stdout.contains("pointed at it too"))
        }
    }

    /// On a terminal (util-linux `script` gives the command one), a tag other tags share is not
    /// deleted without --yes.
    @Test(.enabled(if: ExternalTool.find("script") != nil, "script (util-linux) not installed"))
    func onATerminalSharedTagsNeedYes() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await buildLayout(dir + "/src", seed: 743)
            let repository = "\(registry)/\(SharedFixtures.uniqueRepository("delete-tty"))"
            for tag in ["a", "b"] {
                try await ExternalTool.runChecked(ferry, ["copy", "-q", "oci:\(dir)/src:v1", "docker://\(repository):\(tag)"])
            }
            let refused = try await ExternalTool.run("script", ["-qec", "'\(ferry)' delete docker://\(repository):a", "/dev/null"])
            #expect(refused.exitCode == 2, "\(refused.stdout)")
            #expect(refused.stdout.contains("tags b point at the same manifest"), "\(refused.stdout)")
            #expect(refused.stdout.contains("--yes"))
            #expect(try await ExternalTool.runChecked(ferry, ["tags", "docker://\(repository)"]).stdout.split(separator: "\n").sorted() == ["a", "b"])
            let confirmed = try await ExternalTool.run("script", ["-qec", "'\(ferry)' delete --yes docker://\(repository):a", "/dev/null"])
            #expect(confirmed.exitCode == 0, "\(confirmed.stdout)")
            #expect(try await ExternalTool.run(ferry, ["tags", "docker://\(repository)"]).stdout.isEmpty)
        }
    }
}
