import FerrySigning
import FerrySpec
import FerryStreams
import FerryTransports

/// Everything below one top-level entry: its documents (verified) and the blobs they reference.
public struct ImageGraph: Sendable {
    /// The top-level descriptor.
    public var root: Descriptor
    /// Manifests and indexes, children before parents, the root last; each verified against its
    /// descriptor.
    public var documents: [RawDocument]
    /// Configs, layers and any other non-document children, without duplicates, in first-seen order
    /// (a digest appears twice only when two descriptors disagree on its size; see ``BlobKey``).
    public var blobs: [Descriptor]
    /// Each image manifest in the graph, with the platform its index gave it (if any).
    public var images: [(manifest: RawDocument, decoded: ImageManifest, platform: Platform?)]
    /// Index entries the source does not hold (a sparse index, as containerd exports write).
    public var absent: [Descriptor] = []
}

/// Reads and verifies the manifest graph below a descriptor.
public struct GraphReader: Sendable {
    /// How deep indexes may nest before the graph is refused.
    public static let maximumDepth = 8
    /// The source documents are read from.
    public let source: any ImageSource

    public init(source: any ImageSource) {
        self.source = source
    }

    /// Reads the graph below `root`.
    /// - Throws: ``EngineError`` for cycles, excessive depth and undecodable documents;
    ///   ``StreamError`` for documents whose bytes do not match their descriptor.
    public func read(_ root: Descriptor) async throws -> ImageGraph {
        var graph = ImageGraph(root: root, documents: [], blobs: [], images: [])
        var seenBlobs = Set<BlobKey>()
        var seenDocuments = Set<BlobKey>()
        try await visit(root, platform: root.platform, depth: 0, path: [], graph: &graph, seenBlobs: &seenBlobs, seenDocuments: &seenDocuments)
        return graph
    }

    /// Reads one document and checks its size and digest (for Docker schema 1, the digest of the
    /// signed payload, formats.md §6.2).
    public func verifiedDocument(_ descriptor: Descriptor) async throws -> RawDocument {
        let context = "\(descriptor.mediaType.isIndex ? "index" : "manifest") \(descriptor.digest) in \(source.name)"
        guard descriptor.size <= Int64(DocumentLimits.maximumDocumentSize) else {
            throw SpecError(
                .documentTooLarge, "\(context): declared size \(descriptor.size) is over the \(DocumentLimits.maximumDocumentSize)-byte limit for documents")
        }
        let bytes = try await source.document(descriptor)
        guard Int64(bytes.count) == descriptor.size else {
            throw StreamError(
                .sizeMismatch, "\(context): expected \(descriptor.size) bytes, found \(bytes.count)",
                facts: FailureFacts(expectedSize: descriptor.size, actualSize: Int64(bytes.count)))
        }
        guard let algorithm = descriptor.digest.knownAlgorithm else {
            throw StreamError(.unsupported, "\(context): digest algorithm \(Echo.quoted(descriptor.digest.algorithm)) cannot be verified")
        }
        // A signed schema 1 manifest's digest is over its JWS payload, not the whole bytes (§1.2).
        let actual =
            descriptor.mediaType.isSchema1 && algorithm == .sha256
            ? try Schema1Signing.digest(of: bytes, context: context)
            : try DigestHasher.digest(bytes, algorithm: algorithm)
        guard actual == descriptor.digest else {
            throw StreamError(
                .digestMismatch, "\(context): content has digest \(actual), expected \(descriptor.digest)",
                facts: FailureFacts(
                    expectedDigest: descriptor.digest, actualDigest: actual,
                    expectedSize: descriptor.size, actualSize: Int64(bytes.count)))
        }
        return RawDocument(bytes: bytes, mediaType: descriptor.mediaType, digest: descriptor.digest)
    }

    private func visit(
        _ descriptor: Descriptor, platform: Platform?, depth: Int, path: [Digest], graph: inout ImageGraph, seenBlobs: inout Set<BlobKey>,
        seenDocuments: inout Set<BlobKey>
    ) async throws {
        guard descriptor.mediaType.isManifestOrIndex else {
            // Configs, layers and anything Ferry does not know: carried verbatim as blobs.
            if seenBlobs.insert(BlobKey(descriptor)).inserted { graph.blobs.append(descriptor) }
            return
        }
        guard !path.contains(descriptor.digest) else {
            throw EngineError(.invalidGraph, "\(source.name): index \(descriptor.digest) contains itself (a cycle)")
        }
        guard depth < Self.maximumDepth else {
            throw EngineError(.invalidGraph, "\(source.name): indexes nest deeper than \(Self.maximumDepth) levels at \(descriptor.digest)")
        }
        guard !seenDocuments.contains(BlobKey(descriptor)) else { return }
        let document = try await verifiedDocument(descriptor)
        let context = "\(descriptor.mediaType.isIndex ? "index" : "manifest") \(descriptor.digest) in \(source.name)"
        switch try document.decode(context: context) {
        case .index(let index):
            for child in index.manifests {
                do {
                    try await visit(
                        child, platform: child.platform, depth: depth + 1, path: path + [descriptor.digest], graph: &graph, seenBlobs: &seenBlobs,
                        seenDocuments: &seenDocuments)
                } catch  where child.mediaType.isManifestOrIndex && SparseIndex.isAbsent(error) && !seenDocuments.contains(BlobKey(child)) {
                    // Absent itself (not something below it): a sparse index.
                    guard (try? await source.document(child)) == nil else { throw error }
                    graph.absent.append(child)
                }
            }
        case .manifest(let manifest):
            for child in manifest.children where seenBlobs.insert(BlobKey(child)).inserted {
                graph.blobs.append(child)
            }
            graph.images.append((document, manifest, platform))
        case .schema1:
            throw EngineError(.unsupported, "\(context): Docker schema 1 manifests are not supported yet")
        }
        seenDocuments.insert(BlobKey(descriptor))
        graph.documents.append(document)
    }
}

/// What makes two descriptors the same blob for de-duplication: the digest **and** the declared
/// size. Two descriptors of one digest that disagree on the size are both kept, so each is
/// verified and the wrong one fails, instead of the first one vouching for the other.
struct BlobKey: Hashable, Sendable {
    let digest: Digest
    let size: Int64

    init(_ descriptor: Descriptor) {
        digest = descriptor.digest
        size = descriptor.size
    }

    init(digest: Digest, size: Int64) {
        self.digest = digest
        self.size = size
    }
}
