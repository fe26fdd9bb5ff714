import ArgumentParser

/// The `ferry` command: moves container images between the places they live, verifying every byte.
@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Move container images between OCI layouts and archives, verifying every byte.",
        discussion: """
        Places are written as TRANSPORT:PATH[:REF]:
          oci:PATH[:REF]          an OCI image layout directory; REF is a tag (ref.name) or @N
          oci-archive:PATH[:REF]  the same layout in one tar file
          docker-archive:PATH[:REF]  a docker save archive
          docker://HOST[:PORT]/REPO[:TAG|@DIGEST]  a registry (HTTPS; localhost and 127.x also plain HTTP)
        """,
        version: "0.1.0",
        subcommands: [
            CopyCommand.self, InspectCommand.self, DigestCommand.self, VerifyCommand.self,
            TagsCommand.self, DeleteCommand.self, LoginCommand.self, LogoutCommand.self,
        ])
}
