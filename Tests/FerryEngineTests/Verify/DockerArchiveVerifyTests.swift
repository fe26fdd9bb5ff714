import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// `ferry verify` on docker-archives: `manifest.json` against the members, `RepoTags`,
/// `repositories`, unreferenced members — each with its documented code.
@Suite struct DockerArchiveVerifyTests {
    private func verify(_ path: String) async throws -> VerificationReport {
        await Verifier(reference: try TransportReference(parsing: "docker-archive:\(path)"), options: VerifyOptions(mode: .full)).run()
    }

    /// Rewrites the bundled hello archive with `edit` applied to its members (name → bytes).
    private func rewrittenHello(to path: String, _ edit: (inout [(String, [UInt8])]) throws -> Void) async throws {
        let hello = try #require(SharedFixtures.testImagesDirectory).appending("/hello.docker.tar")
        let reader = try TarReader(path: hello)
        var members: [(String, [UInt8])] = []
        while let entry = try reader.nextEntry() {
            guard entry.kind == .regular else { continue }
            var bytes: [UInt8] = []
            while let chunk = try reader.readChunk() { bytes += chunk }
            members.append((entry.name, bytes))
        }
        try edit(&members)
        let writer = try TarWriter(path: path)
        for (name, bytes) in members { try writer.addFile(name, bytes: bytes) }
        try writer.finish()
    }

    @Test func bundledArchiveIsValidWithoutWarnings() async throws {
        let hello = try #require(SharedFixtures.testImagesDirectory).appending("/hello.docker.tar")
        let report = try await verify(hello)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.images.count == 1)
    }

    @Test func repoTagsRepositoriesAndStrayMembersAreReported() async throws {
        try await withTemporaryDirectory { dir in
            try await rewrittenHello(to: dir + "/x.tar") { members in
                let i = members.firstIndex { $0.0 == "manifest.json" }!
                var json = String(decoding: members[i].1, as: UTF8.self)
                json = json.replacingOccurrences(of: "\"ferry/hello:1.0\"", with: "\"ferry/hello:1.0\",\"Bad Name!\"")
                members[i].1 = Array(json.utf8)
                let r = members.firstIndex { $0.0 == "repositories" }!
                members[r].1 = Array(#"{"ferry/hello":{"1.0":"x","2.0":"y"}}"#.utf8)
                members.append(("stray.txt", Array("left behind".utf8)))
            }
            let report = try await verify(dir + "/x.tar")
            let codes = report.problems.map(\.code)
            #expect(codes.contains(.archiveRepoTagInvalid))
            #expect(codes.contains(.archiveMemberUnreferenced))
            #expect(report.problems.contains { $0.code == .archiveRepositoriesInconsistent && $0.message.contains("2.0") })
            #expect(report.problems.first { $0.code == .archiveMemberUnreferenced }?.location.file == "stray.txt")
            #expect(report.status == .invalid)
        }
    }

    @Test func manifestNamingAMissingMemberIsInvalid() async throws {
        try await withTemporaryDirectory { dir in
            try await rewrittenHello(to: dir + "/x.tar") { members in
                let last = members.last { $0.0.hasSuffix("/layer.tar") }!.0
                members.removeAll { $0.0 == last }
            }
            let report = try await verify(dir + "/x.tar")
            #expect(report.status == .invalid)
            #expect(report.problems.contains { $0.message.contains("layer.tar") }, "\(report.problems)")
        }
    }
}
