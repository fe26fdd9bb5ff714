import Foundation
import FerryTestSupport
import Testing

/// A registry's 404 for a tag lists tags the repository does have, and says when `latest` was
/// assumed; still exit 3 (not found). Against the plain test registry (Scripts/test starts it).
@Suite(.enabled(if: SharedFixtures.ferryBinary != nil && SharedFixtures.testRegistry != nil && ExternalTool.gzipAvailable, "FERRY_BIN or FERRY_TEST_REGISTRY not set (run Scripts/test)"))
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
            #expect(wrongTag.exitCode == 3)
            #expect(wrongTag.stderr.contains("\(repository) has 2 tags: 1.0, 2.0"), "\(wrongTag.stderr)")
            #expect(!wrongTag.stderr.contains("latest was assumed"))

            let noTag = try await ExternalTool.run(ferry, ["copy", "--progress", "none", "docker://\(repository)", "oci:\(dir)/out"])
            #expect(noTag.exitCode == 3)
            #expect(noTag.stderr.contains("no tag was given, so latest was assumed"), "\(noTag.stderr)")
            #expect(noTag.stderr.contains("has 2 tags: 1.0, 2.0"))

            let noRepository = try await ExternalTool.run(ferry, ["digest", "docker://\(registry)/ferry-test/absent-\(UUID().uuidString.lowercased().prefix(8)):1"])
            #expect(noRepository.exitCode == 3)
            #expect(!noRepository.stderr.contains("tags"), "\(noRepository.stderr)")
        }
    }
}
