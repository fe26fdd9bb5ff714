import FerrySpec
import FerryStreams

/// The OCI image layout that Docker 25+, BuildKit and containerd write next to `manifest.json`:
/// the manifests it stores, found through `index.json` (and one level of indexes below it, for
/// containerd's multi-platform entries), so that each `manifest.json` item can be served with its
/// original manifest instead of a synthesised one.
///
/// Everything here is best effort: a missing or unreadable `index.json` (Docker 25.0 wrote
/// `"manifests": null`), a document that is absent (another platform's, in a containerd export)
/// or whose bytes do not match its digest simply offers no stored manifest, and the item's
/// manifest is synthesised. `manifest.json` stays authoritative (formats.md §5.3).
struct StoredLayoutDocuments {
    /// A stored image manifest and the descriptor that reaches it.
    struct Match {
        var descriptor: Descriptor
        var manifest: ImageManifest
    }

    private let members: ArchiveMembers
    /// Manifests and indexes `index.json` lists whose blobs are present.
    private let topLevel: [Descriptor]

    init(members: ArchiveMembers) {
        self.members = members
        guard members.contains(OCILayout.layoutFileName), members.contains(OCILayout.indexFileName),
            let bytes = try? members.read(OCILayout.indexFileName, limit: DocumentLimits.maximumDocumentSize),
            let index = try? JSONDocument.decode(ImageIndex.self, from: bytes, context: OCILayout.indexFileName)
        else {
            topLevel = []
            return
        }
        topLevel = index.manifests.filter { Self.isReadable($0, in: members) }
    }

    /// The members holding the documents `index.json` lists.
    var topLevelMembers: Set<String> { Set(topLevel.map { DockerArchiveCatalog.layoutMember($0.digest) }) }

    /// Stored image manifests by config digest; the first one found for a config wins.
    /// - Parameter topLevel: bytes already read, by member (must include ``topLevelMembers``).
    func manifestsByConfig(topLevel bytes: [String: [UInt8]]) throws -> [Digest: Match] {
        var result: [Digest: Match] = [:]
        var children: [Descriptor] = []
        func consider(_ descriptor: Descriptor, _ data: [UInt8]?, platform: Platform?) {
            guard let data, (try? DigestHasher.digest(data)) == descriptor.digest else { return }
            let document = RawDocument(bytes: data, mediaType: descriptor.mediaType, digest: descriptor.digest)
            switch try? document.decode(context: descriptor.digest.description) {
            case .manifest(let manifest)?:
                let entry = Descriptor(mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, platform: platform)
                if result[manifest.config.digest] == nil { result[manifest.config.digest] = Match(descriptor: entry, manifest: manifest) }
            case .index(let index)?:
                children += index.manifests.filter { $0.mediaType.isManifest && Self.isReadable($0, in: members) }
            default:
                break
            }
        }
        for descriptor in topLevel {
            consider(descriptor, bytes[DockerArchiveCatalog.layoutMember(descriptor.digest)], platform: descriptor.platform)
        }
        guard !children.isEmpty else { return result }
        var childBytes: [String: [UInt8]] = [:]
        try members.scan(Set(children.map { DockerArchiveCatalog.layoutMember($0.digest) })) { member, next in
            childBytes[member] = try ArchiveMembers.readAll(next, limit: DocumentLimits.maximumDocumentSize, context: "\(members.name): member \(member)")
        }
        for child in children {
            consider(child, childBytes[DockerArchiveCatalog.layoutMember(child.digest)], platform: child.platform)
        }
        return result
    }

    /// The image manifests that a stored index names but whose blobs the archive does not hold:
    /// the other platforms of a multi-platform image in a containerd export (Docker 29+), which
    /// saves only the platforms it has.
    /// - Parameter topLevel: bytes already read, by member (must include ``topLevelMembers``).
    func absentManifests(topLevel bytes: [String: [UInt8]]) -> [Descriptor] {
        var absent: [Descriptor] = []
        for descriptor in topLevel where descriptor.mediaType.isIndex {
            guard let data = bytes[DockerArchiveCatalog.layoutMember(descriptor.digest)],
                (try? DigestHasher.digest(data)) == descriptor.digest,
                case .index(let index)? = try? RawDocument(bytes: data, mediaType: descriptor.mediaType, digest: descriptor.digest).decode(
                    context: descriptor.digest.description)
            else { continue }
            absent += index.manifests.filter {
                $0.mediaType.isManifestOrIndex && !members.contains(DockerArchiveCatalog.layoutMember($0.digest))
            }
        }
        return absent
    }

    /// A manifest or index whose blob is in the archive and small enough to be a document.
    private static func isReadable(_ descriptor: Descriptor, in members: ArchiveMembers) -> Bool {
        descriptor.mediaType.isManifestOrIndex && !descriptor.mediaType.isSchema1
            && descriptor.size <= Int64(DocumentLimits.maximumDocumentSize)
            && members.contains(DockerArchiveCatalog.layoutMember(descriptor.digest))
    }
}
