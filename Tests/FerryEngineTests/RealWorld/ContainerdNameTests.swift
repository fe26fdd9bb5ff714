import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// containerd's full names (`io.containerd.image.name`): read, selected by, kept on copies, and
/// used for `RepoTags` where the short `ref.name` is only a tag.
@Suite(.enabled(if: ExternalTool.gzipAvailable, "gzip not installed"))
struct ContainerdNameTests {
    /// A one-image layout whose entry has `ref.name` `refName` and, if given, a containerd name.
    private func layout(_ path: String, refName: String, fullName: String?) async throws -> Digest {
        var builder = TestImageBuilder(seed: 1304)
        builder.addImage(tag: refName, layerCount: 1)
        let summary = try await builder.write(to: path)
        if let fullName {
            try LayoutSurgery(path).editFirstIndexEntry { entry in
                var annotations = entry["annotations"] as? [String: String] ?? [:]
                annotations[AnnotationKey.containerdImageName] = fullName
                entry["annotations"] = annotations
            }
        }
        return try #require(summary[refName]?.digest)
    }

    private func archiveManifest(_ path: String) async throws -> [[String: Any]] {
        let bytes = try await ExternalTool.runChecked("tar", ["-xOf", path, "manifest.json"]).stdoutBytes
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
    }

    @Test(
        arguments: [
            // (ref.name, io.containerd.image.name, selector, found)
            ("latest", "docker.io/library/hello:latest", "latest", true),
            ("latest", "docker.io/library/hello:latest", "docker.io/library/hello:latest", true),
            ("docker.io/library/busybox:latest", nil, "latest", true),  // a docker-archive converted to oci:
            ("docker.io/library/busybox:1.36", nil, "latest", false),
            ("1.0", nil, "latest", false),
        ] as [(String, String?, String, Bool)])
    func aBareTagFindsTheImageWhoseFullNameHasIt(refName: String, fullName: String?, selector: String, found: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let digest = try await layout(dir + "/src", refName: refName, fullName: fullName)
            let entry = try? await OCILayoutSource(path: dir + "/src").entry(matching: .name(selector))
            #expect((entry?.descriptor.digest == digest) == found)
        }
    }

    @Test func layoutToLayoutKeepsTheFullNameNextToTheTag() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await layout(dir + "/src", refName: "latest", fullName: "registry.local/app:latest")
            _ = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/dst", durable: false)
            ).run()
            let entry = try #require(try await OCILayoutSource(path: dir + "/dst").entries().first)
            #expect(entry.descriptor.annotations?[AnnotationKey.containerdImageName] == "registry.local/app:latest")
            #expect(entry.descriptor.referenceName == "latest")
            // A name given to the destination replaces the source's full name.
            _ = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/src"),
                destination: try OCILayoutDestination(path: dir + "/renamed", durable: false),
                options: CopyOptions(destinationNames: ["demo"])
            ).run()
            let renamed = try #require(try await OCILayoutSource(path: dir + "/renamed").entries().first)
            #expect(renamed.descriptor.annotations?[AnnotationKey.containerdImageName] == nil)
        }
    }

    @Test func dockerArchiveGetsTheFullNameOrSaysItIsUntagged() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await layout(dir + "/named", refName: "latest", fullName: "registry.local/app:latest")
            let named = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/named"),
                destination: try DockerArchiveDestination(path: dir + "/named.tar", durable: false)
            ).run()
            #expect(try await archiveManifest(dir + "/named.tar").first?["RepoTags"] as? [String] == ["registry.local/app:latest"])
            #expect(!named.notes.contains { $0.contains("untagged") })

            _ = try await layout(dir + "/bare", refName: "1.0", fullName: nil)
            let bare = try await CopyOperation(
                source: try OCILayoutSource(path: dir + "/bare"),
                destination: try DockerArchiveDestination(path: dir + "/bare.tar", durable: false)
            ).run()
            #expect((try await archiveManifest(dir + "/bare.tar").first?["RepoTags"] as? [String] ?? []).isEmpty)
            #expect(bare.notes.contains { $0.contains("written untagged") && $0.contains("\"1.0\"") && $0.contains(":REPOSITORY:TAG") })
        }
    }
}
