import ArgumentParser
import FerryEngine
import FerryRegistry
import FerryStreams
import FerryTransports
import Foundation

/// `ferry verify SRC...`
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check images offline: every blob, document, config, layer and the layout itself.",
        usage: "ferry verify [<options>] <source> ...",
        discussion: """
            Without a REF the whole layout is verified (and unreferenced blobs are reported); \
            with one, that image only. Problems are collected, not stopped at.

            Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage, 3 a source could not be \
            read. The --json schema is described in docs/verify-report.md.

            Examples:
              ferry verify oci:./app
              ferry verify --fast oci:./app:1.0 oci-archive:app.tar
              ferry verify docker://registry.example:5000/app:1.0
            """)

    @Argument(
        help: "What to verify: oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF], dir:PATH or docker://HOST/REPO[:TAG|@DIGEST].",
        completion: Completions.place)
    var sources: [String] = []

    @Flag(help: "Check digests, sizes and documents only; do not decompress layers.")
    var fast = false

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Flag(help: "Print the reports as JSON.")
    var json = false

    @Option(help: "How many blobs to check at once.")
    var parallel = 4

    @OptionGroup var registry: RegistryFlags

    func run() async throws {
        guard !sources.isEmpty else { throw usage("give at least one source to verify") }
        guard parallel >= 1 && parallel <= 64 else { throw usage("--parallel must be between 1 and 64") }
        var references: [TransportReference] = []
        for source in sources {
            let reference: TransportReference
            do {
                reference = try TransportReference(parsing: source)
            } catch {
                throw usage(error.message)
            }
            // Verifying reads an archive's blobs after its catalogue: a pipe cannot be read twice.
            if reference.kind == .dockerArchive || reference.kind == .ociArchive, reference.path == "-" || FileSystem.isStream(reference.path) {
                throw usage(
                    "\(source) is a pipe, which verify would need to read twice; write the archive to a file and verify that (ferry copy reads a pipe in one pass)"
                )
            }
            references.append(reference)
        }
        let options = VerifyOptions(parallelism: parallel, mode: fast ? .fast : .full, strict: strict)
        var reports: [VerificationReport] = []
        for reference in references {
            reports.append(await Verifier(reference: reference, options: options, registry: try registry.options).run())
        }
        if json {
            print(try prettyJSON(VerificationOutput(reports: reports)))
        } else {
            print(reports.map(VerificationText.render).joined(separator: "\n"), terminator: "")
        }
        if reports.contains(where: { $0.status == .unreadable }) { throw ExitCode(3) }
        if reports.contains(where: { $0.status == .invalid }) { throw ExitCode(1) }
    }

    /// Prints a usage error and returns exit status 2.
    private func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("ferry verify: error: \(message)\n\(Self.helpMessage())\n".utf8))
        return ExitCode(2)
    }
}

/// The top level of `ferry verify --json`: one report per source, and whether all are valid.
struct VerificationOutput: Encodable {
    var reportVersion = 1
    var valid: Bool
    var reports: [VerificationReport]

    init(reports: [VerificationReport]) {
        self.reports = reports
        valid = reports.allSatisfy { $0.status == .valid }
    }
}
