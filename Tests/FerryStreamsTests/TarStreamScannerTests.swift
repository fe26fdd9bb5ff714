import Foundation
import FerryStreams
import FerryTestSupport
import Testing

/// The streaming tar header scanner against archives written by real tools: GNU tar (gnu and
/// posix formats) and Python's tarfile (ustar, gnu, pax), with long names, links and devices.
@Suite struct TarStreamScannerTests {
    private static let longName = "d/" + String(repeating: "long-directory-name/", count: 8) + "file-with-a-long-name.txt"

    /// Python writes an archive with every member kind the scanner must describe.
    private static func pythonArchive(format: String) async throws -> [UInt8] {
        let script = """
            import io, sys, tarfile
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.\(format)) as t:
                def add(name, type=tarfile.REGTYPE, data=b"", link=""):
                    i = tarfile.TarInfo(name); i.type = type; i.mtime = 1700000000; i.linkname = link
                    i.size = len(data) if type == tarfile.REGTYPE else 0
                    t.addfile(i, io.BytesIO(data) if type == tarfile.REGTYPE else None)
                add("d/", tarfile.DIRTYPE)
                add("d/a.txt", data=b"x" * 1000)
                add("\(longName)", data=b"long")
                add("d/hard", tarfile.LNKTYPE, link="d/a.txt")
                add("d/sym", tarfile.SYMTYPE, link="d/a.txt")
                add("dev/null", tarfile.CHRTYPE)
                if t.format != tarfile.USTAR_FORMAT:
                    add("d/longsym", tarfile.SYMTYPE, link="\(longName)")
            sys.stdout.buffer.write(buf.getvalue())
            """
        return try await ExternalTool.runChecked("python3", ["-c", script]).stdoutBytes
    }

    private func scan(_ bytes: [UInt8], chunkSize: Int = 1 << 20) async throws -> ([TarStreamScanner.Member], Bool) {
        let scanner = TarStreamScanner(MemoryByteStream(bytes, chunkSize: chunkSize), context: "test")
        var members: [TarStreamScanner.Member] = []
        while let member = try await scanner.next() { members.append(member) }
        return (members, scanner.sawEndMarker)
    }

    /// Rows: each Python format, read in one chunk and in awkward 7-byte chunks.
    @Test(
        .enabled(if: ExternalTool.find("python3") != nil, "python3 not installed"),
        arguments: ["USTAR_FORMAT", "GNU_FORMAT", "PAX_FORMAT"], [7, 1 << 20])
    func readsPythonArchives(format: String, chunkSize: Int) async throws {
        let archive = try await Self.pythonArchive(format: format)
        let (members, sawEnd) = try await scan(archive, chunkSize: chunkSize)
        #expect(sawEnd)
        let expected = ["d/", "d/a.txt", Self.longName, "d/hard", "d/sym", "dev/null"] + (format == "USTAR_FORMAT" ? [] : ["d/longsym"])
        #expect(members.map(\.name) == expected)
        #expect(members[1].size == 1000)
        #expect(members[3].isHardLink && members[3].linkTarget == "d/a.txt")
        #expect(members[4].linkTarget == "d/a.txt")
        #expect(members[5].isDevice)
        if format != "USTAR_FORMAT" { #expect(members[6].linkTarget == Self.longName) }
    }

    /// Rows: GNU tar's own format (`L` long names) and POSIX pax.
    @Test(.enabled(if: ExternalTool.find("tar") != nil, "tar not installed"), arguments: ["gnu", "posix"])
    func readsGNUTarArchives(format: String) async throws {
        try await withTemporaryDirectory { dir in
            let tree = dir + "/tree"
            try FileManager.default.createDirectory(
                atPath: tree + "/" + Self.longName.split(separator: "/").dropLast().joined(separator: "/"), withIntermediateDirectories: true)
            try Data(repeating: 65, count: 700).write(to: URL(fileURLWithPath: tree + "/" + Self.longName))
            try Data("a".utf8).write(to: URL(fileURLWithPath: tree + "/a"))
            try FileManager.default.linkItem(atPath: tree + "/a", toPath: tree + "/hard")
            try await ExternalTool.runChecked("tar", ["--format=\(format)", "--sort=name", "-C", tree, "-cf", dir + "/out.tar", "."])
            let archive = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/out.tar")))
            let listed = try await ExternalTool.runChecked("tar", ["-tf", dir + "/out.tar"]).stdout
                .split(separator: "\n").map(String.init)
            let (members, sawEnd) = try await scan(archive, chunkSize: 100)
            #expect(sawEnd)
            #expect(members.map(\.name) == listed)
            let hard = try #require(members.first { $0.name == "./hard" })
            #expect(hard.isHardLink && hard.linkTarget == "./a")
            #expect(members.first { $0.name == "./" + Self.longName }?.size == 700)
        }
    }

    @Test func missingEndMarkerIsReported() async throws {
        let archive = try await Self.pythonArchive(format: "USTAR_FORMAT")
        // Six members take nine blocks in ustar; keep them and drop the zero blocks after.
        let (members, sawEnd) = try await scan(Array(archive.prefix(9 * 512)))
        #expect(members.count == 6)
        #expect(!sawEnd)
    }

    @Test func corruptHeaderChecksumThrows() async throws {
        var archive = try await Self.pythonArchive(format: "USTAR_FORMAT")
        archive[10] ^= 0x55
        await #expect(throws: StreamError.self) { _ = try await scan(archive) }
    }

    @Test func truncatedDataThrows() async throws {
        let archive = try await Self.pythonArchive(format: "USTAR_FORMAT")
        // The header of d/a.txt is at 512; cut inside its 1000 bytes of data.
        let error = await #expect(throws: StreamError.self) { _ = try await scan(Array(archive.prefix(1024 + 600))) }
        #expect(error?.message.contains("truncated") == true)
    }

    @Test func emptyStreamHasNoMembersAndNoMarker() async throws {
        let (members, sawEnd) = try await scan([])
        #expect(members.isEmpty && !sawEnd)
    }
}
