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
                                     (read plain or compressed)
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

        Exit codes: 0 success, 1 failure (invalid input, a digest mismatch, …),
        2 usage, 3 could not read the source. --json output: docs/json-output.md.
        """,
        version: "0.1.0",
        subcommands: [
            CopyCommand.self, InspectCommand.self, DigestCommand.self, VerifyCommand.self,
            TagsCommand.self, CatalogCommand.self, ReferrersCommand.self, DeleteCommand.self, LoginCommand.self, LogoutCommand.self,
        ])

    /// Runs the command, with usage errors exiting 2 (argument-parser's own default is 64).
    static func main() async {
        AllocatorTuning.apply()
        var parsed: (any ParsableCommand.Type)?
        do {
            var command = try parseAsRoot()
            parsed = type(of: command)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data(UsageErrorText.render(error, command: parsed).utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
