import ArgumentParser
import FerryRegistry
import FerrySpec
import FerryTransports

/// `ferry delete docker://HOST/REPO@DIGEST` (or `:TAG`, resolved to its digest first)
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a manifest from a registry repository.",
        usage: "ferry delete [<options>] <image>",
        discussion: """
        A tag is resolved to its digest first, and the manifest deleted by digest: every tag \
        pointing at it goes with it (distribution deletes manifests only by digest).
        Examples:
          ferry delete docker://localhost:5000/app@sha256:…
          ferry delete docker://localhost:5000/app:old
        """)

    @Argument(help: "The image: docker://HOST[:PORT]/REPO@DIGEST or docker://HOST[:PORT]/REPO:TAG.")
    var image: String

    @OptionGroup var registry: RegistryFlags

    func run() async throws {
        let place = try parsePlace(image)
        guard let reference = place.dockerReference?.normalized else {
            throw ValidationError("\(image) is not a registry image; write docker://HOST/REPO@DIGEST")
        }
        try await runReportingErrors {
            try await withRegistryClient(reference.domain, options: try registry.options) { client in
                let digest: Digest
                if let named = reference.digest {
                    digest = named
                } else {
                    let tag = reference.tag ?? "latest"
                    guard let found = try await client.manifestDescriptor(reference.repository, .tag(tag)) else {
                        throw RegistryError(.notFound, "docker://\(reference): no such tag")
                    }
                    digest = found.digest
                }
                try await client.deleteManifest(reference.repository, digest)
                print("Deleted docker://\(reference.name)@\(digest)")
            }
        }
    }
}
