import ArgumentParser
import Foundation

/// The `ferry` command: moves container images between the places they live, verifying every byte.
@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Move container images between registries, OCI layouts and docker-save archives, verifying every byte.",
        discussion: """
            Places are written as TRANSPORT:PATH[:REF]:
              oci:PATH[:REF]             an OCI image layout directory;
                                         REF is a tag (ref.name) or @N
              oci-archive:PATH[:REF]     the same layout in one tar file
                                         (read plain or compressed; written
                                         compressed as .tar.gz / .tar.zst)
              docker-archive:PATH[:REF]  a `docker save` tarball (legacy, Docker 25+,
                                         gzip/zstd/xz wrapped); REF is a name
                                         such as busybox:latest, or @N
              dir:PATH                   skopeo's directory layout (manifest.json
                                         + blobs by hex), the one place that keeps
                                         Docker schema 1 verbatim
              docker://HOST[:PORT]/REPO[:TAG|@DIGEST]
                                         a registry (HTTPS; localhost and 127.x
                                         also plain HTTP)
            PATH - is standard input for docker-archive: sources and standard
            output for docker-archive: and oci-archive: destinations.

            Exit codes: 0 success, 1 invalid input or verification failure (no such image, a \
            blob missing, a digest mismatch, …), 2 usage, 3 the source could not be read or \
            reached, 4 the destination could not be written; 130 / 143 stopped by SIGINT / \
            SIGTERM (a rerun continues). --json output: docs/json-output.md.
            """,
        version: "0.1.0",
        subcommands: [
            CopyCommand.self, SyncCommand.self, InventoryCommand.self, InspectCommand.self, DigestCommand.self, VerifyCommand.self,
            TagsCommand.self, CatalogCommand.self, ReferrersCommand.self, DeleteCommand.self, LoginCommand.self, LogoutCommand.self,
        ])

    /// Runs the command, with usage errors exiting 2 (argument-parser's own default is 64).
    static func main() async {
        AllocatorTuning.apply()
        let command = Task { await runCommand() }
        Interruption.cancelOnSignals(command)
        await command.value
        if let signal = Interruption.signal { Interruption.end(by: signal) }
    }

    private static func runCommand() async {
        var parsed: (any ParsableCommand.Type)?
        do {
            var command = try parseAsRoot(BareBooleanOptions.rewrite(Array(CommandLine.arguments.dropFirst())))
            parsed = type(of: command)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if let signal = Interruption.signal { Interruption.end(by: signal) }
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data(TerminalText.escaped(UsageErrorText.render(error, command: parsed), keepingLines: true).utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
