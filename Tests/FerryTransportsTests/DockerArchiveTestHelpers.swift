import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Small helpers shared by the docker-archive suites.
enum DockerArchiveTesting {
    /// `TestImages/hello.docker.tar`, or `nil` when the package's test images are absent.
    static var helloArchive: String? { SharedFixtures.testImagesDirectory.map { $0 + "/hello.docker.tar" } }

    /// The image ID of `hello.docker.tar` and its config's diff_ids (TestImages/README.md and the config member).
    static let helloConfig = try! Digest(parsing: "sha256:6efc8924d2e422b37caa990c0d12ab20caa8e2671a46a4b178c7a82333818692")
    static let helloDiffIDs = [
        try! Digest(parsing: "sha256:4f7edf5b8a78b7ed8f134488a2a505a43c72d5a2761bce19180af590861635f2"),
        try! Digest(parsing: "sha256:4ede686853aec6bf59d01e689fc089635fe4e9f1cf7e3487e4caf46060228af9"),
    ]

    /// Copies the selected image(s) into a new OCI layout at `layout` and inspects each copied entry there.
    @discardableResult
    /// Copies with layers kept as the archive stores them (`--compress keep`), so layer digests stay
    /// comparable with the archive's diff_ids.
    static func copyToLayout(_ source: any ImageSource, _ selector: ImageSelector, layout: String) async throws -> [Inspection] {
        let report = try await CopyOperation(
            source: source, destination: try OCILayoutDestination(path: layout, durable: false), selector: selector,
            options: CopyOptions(compression: .keep)
        ).run()
        let copied = try OCILayoutSource(path: layout)
        let entries = try await copied.entries()
        var result: [Inspection] = []
        for entry in report.entries {
            let position = try #require(entries.firstIndex { $0.descriptor.digest == entry.descriptor.digest })
            result.append(try await Inspector(source: copied).inspect(.index(position)))
        }
        return result
    }

    /// Writes a plain tar whose members are the given files, in order, with Ferry's tar writer.
    static func writeTar(_ path: String, _ files: [(String, [UInt8])]) throws {
        let tar = try TarWriter(path: path)
        for (name, bytes) in files { try tar.addFile(name, bytes: bytes) }
        try tar.finish()
    }

    /// The member files of a plain tar, in order, read with `tar` so the check does not depend on Ferry's reader.
    static func members(of archive: String) async throws -> [String] {
        let listing = try await ExternalTool.runChecked("tar", ["-tf", archive])
        return listing.stdout.split(separator: "\n").map(String.init)
    }

    /// One member's bytes, extracted with `tar -xOf`.
    static func member(_ name: String, of archive: String) async throws -> [UInt8] {
        try await ExternalTool.runChecked("tar", ["-xOf", archive, name]).stdoutBytes
    }

    /// Whether `path` is absent and its directory holds nothing Ferry left behind (dot-files of a failed write).
    static func nothingLeft(at path: String) throws -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".\(base)") }
        return !FileManager.default.fileExists(atPath: path) && leftovers.isEmpty
    }
}
