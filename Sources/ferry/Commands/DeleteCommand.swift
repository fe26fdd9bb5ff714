import ArgumentParser
import FerryRegistry
import FerrySpec
import FerryTransports
import Foundation

/// `ferry delete docker://HOST/REPO@DIGEST` (or `:TAG`, resolved to its digest first)
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a manifest from a registry repository.",
        usage: "ferry delete [<options>] <image>",
        discussion: """
            A tag is resolved to its digest first, and the manifest deleted by digest: every tag \
            pointing at it goes with it (distribution deletes manifests only by digest). Those other \
            tags are named; on a terminal, deleting a tag that others share needs --yes.

            Examples:
              ferry delete docker://localhost:5000/app@sha256:…
              ferry delete docker://localhost:5000/app:old
            """)

    @Argument(help: "The image: docker://HOST[:PORT]/REPO@DIGEST or docker://HOST[:PORT]/REPO:TAG.")
    var image: String

    @OptionGroup var registry: RegistryFlags

    @Flag(help: "Delete even when other tags point at the same manifest (they go too); needed on a terminal.")
    var yes = false

    func run() async throws {
        let place = try parsePlace(image)
        guard place.dockerReference != nil else {
            throw ValidationError("\(image) is not a registry image; write docker://HOST/REPO@DIGEST")
        }
        try await runReportingErrors {
            guard let (direct, options) = try place.direct(try registry.options) else { return }
            let reference = direct.normalized
            try await withRegistryClient(reference.domain, options: options) { client in
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
                let others = reference.digest == nil ? try await otherTags(client, reference, digest) : []
                if !others.isEmpty && !yes && isatty(STDIN_FILENO) == 1 {
                    throw ValidationError(
                        "tags \(others.joined(separator: ", ")) point at the same manifest \(digest) and would be deleted with \(reference.tag ?? "latest"); run again with --yes to delete them all"
                    )
                }
                try await client.deleteManifest(reference.repository, digest)
                print(
                    "Deleted docker://\(reference.name)@\(digest)\(others.isEmpty ? "" : "; tags \(others.joined(separator: ", ")) pointed at it too and are gone")"
                )
            }
        }
    }

    /// The repository's other tags that point at `digest` (each checked with a HEAD request; the
    /// first 200 tags at most).
    private func otherTags(_ client: RegistryClient, _ reference: Reference, _ digest: Digest) async throws -> [String] {
        let named = reference.tag ?? "latest"
        guard let tags = try? await client.tags(reference.repository) else { return [] }
        var others: [String] = []
        for tag in tags.sorted().prefix(200) where tag != named {
            if try await client.manifestDescriptor(reference.repository, .tag(tag))?.digest == digest { others.append(tag) }
        }
        return others
    }
}
