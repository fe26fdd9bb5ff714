import FerrySigning
import FerrySpec
import FerryStreams
import FerryTransports

/// A blob the walk found, to be checked in the parallel phase.
struct VerificationJob: Sendable {
    /// `artifactLayer`: a layer of a manifest that is not an image (an oras artifact, an
    /// attestation): its digest and size are checked, its content is not read as a tar.
    enum Role: Sendable { case config, layer, artifactLayer, other }
    var descriptor: Descriptor
    /// The first image that referenced it, for locations.
    var image: String
    var role: Role
}

/// Walks manifests and indexes from the top, checking each document and collecting the blobs
/// below. Unlike ``GraphReader`` it never stops: a bad document is reported and its siblings
/// are still walked. Documents are small and read one at a time; blobs wait for the parallel phase.
///
/// Owned by one task.
final class GraphWalk {
    /// An image manifest the walk reached.
    struct Image: Sendable {
        var label: String
        var config: Descriptor?
        var layers: [Descriptor]
        /// Whether the config must be an image config matching the layers (not an artifact).
        var isImage: Bool
    }

    let source: any ImageSource
    /// Digests whose blob files are unsafe to read (already reported by the layout checks).
    let unsafe: Set<Digest>
    private(set) var problems = ProblemList()
    private(set) var jobs: [VerificationJob] = []
    private(set) var images: [Image] = []
    /// Every digest reached, documents and blobs.
    private(set) var referenced = Set<Digest>()
    private(set) var documentsRead = 0
    private(set) var documentBytes: Int64 = 0
    private var visited = Set<Digest>()

    init(source: any ImageSource, unsafe: Set<Digest>) {
        self.source = source
        self.unsafe = unsafe
    }

    func visit(_ descriptor: Descriptor, image: String, depth: Int, path: [Digest]) async {
        referenced.insert(descriptor.digest)
        let location = VerificationProblem.Location(image: image, blob: descriptor.digest.description)
        guard descriptor.mediaType.isManifestOrIndex else {
            if !descriptor.mediaType.isKnown {
                problems.warning(.mediaTypeUnknown, "unknown media type \(descriptor.mediaType); only its digest and size are checked", at: location)
            }
            addJob(descriptor, image: image, role: .other)
            return
        }
        guard !path.contains(descriptor.digest) else {
            problems.error(.indexCycle, "index contains itself (a cycle)", at: location)
            return
        }
        guard depth < GraphReader.maximumDepth else {
            problems.error(.indexCycle, "indexes nest deeper than \(GraphReader.maximumDepth) levels", at: location)
            return
        }
        guard visited.insert(descriptor.digest).inserted, !unsafe.contains(descriptor.digest) else { return }
        guard let bytes = await read(descriptor, indexEntry: depth > 0, at: location) else { return }
        if descriptor.mediaType.isSchema1 {
            // Read as a copy reads it (Schema1Document): what a copy refuses is an error here too.
            if let problem = Schema1Document.problem(bytes, context: "manifest") {
                problems.error(problem.code, problem.message, at: location)
            } else {
                problems.warning(.schema1NotChecked, "Docker schema 1 manifest: only its digest, size and fields are checked", at: location)
            }
            return
        }
        var checks = DocumentChecks()
        let what = descriptor.mediaType.isIndex ? "index" : "manifest"
        guard let object = checks.object(bytes, what: what, at: location) else {
            problems.append(contentsOf: checks.problems)
            return
        }
        // Content of the other kind (what copy refuses too): checked no further as either.
        if let contradiction = DocumentShape.contradiction(bytes, labelled: descriptor.mediaType) {
            problems.error(.mediaTypeMismatch, "\(what) \(contradiction)", at: location)
            return
        }
        if descriptor.mediaType.isIndex {
            let children = checks.index(object, descriptor: descriptor, at: location)
            problems.append(contentsOf: checks.problems)
            for child in children {
                await visit(child, image: image, depth: depth + 1, path: path + [descriptor.digest])
            }
        } else {
            let attestation = descriptor.annotations?[AnnotationKey.dockerReferenceType] != nil
            let refs = checks.manifest(object, descriptor: descriptor, attestation: attestation, at: location)
            problems.append(contentsOf: checks.problems)
            images.append(Image(label: image, config: refs.config, layers: refs.layers, isImage: refs.isImage))
            if let config = refs.config {
                referenced.insert(config.digest)
                addJob(config, image: image, role: .config)
            }
            for layer in refs.layers {
                referenced.insert(layer.digest)
                addJob(layer, image: image, role: refs.isImage ? .layer : .artifactLayer)
            }
        }
    }

    /// Reads a document and checks its size and digest (for Docker schema 1, the digest of the
    /// signed payload, as ``GraphReader`` and `ferry digest` compute it); `nil` (with a problem)
    /// when it cannot be used.
    /// - Parameter indexEntry: the descriptor is an entry of an index, which the source may leave
    ///   out (a sparse index): its absence is a note, not an error.
    private func read(_ descriptor: Descriptor, indexEntry: Bool, at location: VerificationProblem.Location) async -> [UInt8]? {
        guard let algorithm = descriptor.digest.knownAlgorithm else {
            problems.uncomputable(descriptor.digest, what: "document", at: location)
            return nil
        }
        guard descriptor.size <= Int64(DocumentLimits.maximumDocumentSize) else {
            problems.error(
                .documentTooLarge, "declared size \(descriptor.size) is over the \(DocumentLimits.maximumDocumentSize)-byte limit for documents; not read",
                at: location)
            return nil
        }
        let bytes: [UInt8]
        do {
            bytes = try await source.document(descriptor)
        } catch  where indexEntry && SparseIndex.isAbsent(error) {
            problems.indexChildAbsent(descriptor, at: location)
            return nil
        } catch let error as TransportError where error.code == .notFound {
            problems.error(.blobMissing, "\(descriptor.mediaType) is missing from the source", at: location)
            return nil
        } catch let error as TransportError where error.message.contains("limit") {
            problems.error(.documentTooLarge, "over the \(DocumentLimits.maximumDocumentSize)-byte limit for documents", at: location)
            return nil
        } catch {
            problems.error(.blobUnreadable, Verifier.message(error), at: location)
            return nil
        }
        documentsRead += 1
        documentBytes += Int64(bytes.count)
        guard Int64(bytes.count) == descriptor.size else {
            problems.error(.blobSizeMismatch, "expected \(descriptor.size) bytes, found \(bytes.count)", at: location)
            return nil
        }
        // A signed schema 1 manifest's digest is over its JWS payload, not the whole file.
        let actual =
            descriptor.mediaType.isSchema1 && algorithm == .sha256
            ? (try? Schema1Signing.digest(of: bytes, context: "manifest \(descriptor.digest)"))
            : (try? DigestHasher.digest(bytes, algorithm: algorithm))
        guard actual == descriptor.digest else {
            problems.error(.blobDigestMismatch, "content has digest \(actual?.description ?? "?"), expected \(descriptor.digest)", at: location)
            return nil
        }
        return bytes
    }

    private func addJob(_ descriptor: Descriptor, image: String, role: VerificationJob.Role) {
        // The same digest under another declared size is a separate check (one of them is wrong).
        guard !jobs.contains(where: { $0.descriptor.digest == descriptor.digest && $0.descriptor.size == descriptor.size }) else { return }
        jobs.append(VerificationJob(descriptor: descriptor, image: image, role: role))
    }
}
