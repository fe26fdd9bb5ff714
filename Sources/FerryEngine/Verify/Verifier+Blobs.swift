import FerrySpec
import FerryStreams
import FerryTransports

/// What checking one blob found.
struct BlobResult: Sendable {
    var problems = ProblemList()
    /// Whether its bytes were read.
    var checked = false
    var bytes: Int64 = 0
    /// The bytes of an image config whose digest matched.
    var configBytes: [UInt8]?
    /// The DiffID of a layer (full mode).
    var diffID: Digest?
}

extension Verifier {
    /// Checks blobs with a sliding window of `parallelism` tasks; results come back in `jobs` order.
    func checkBlobs(_ jobs: [VerificationJob], source: any ImageSource, unsafe: Set<Digest>) async -> [BlobResult] {
        await jobs.mapConcurrently(limit: options.parallelism) { job in
            await self.checkBlob(job, source: source, unsafe: unsafe)
        }
    }

    private func checkBlob(_ job: VerificationJob, source: any ImageSource, unsafe: Set<Digest>) async -> BlobResult {
        var result = BlobResult()
        let descriptor = job.descriptor
        let location = VerificationProblem.Location(image: job.image, blob: descriptor.digest.description)
        let kind = job.role == .layer || job.role == .artifactLayer ? "layer" : (job.role == .config ? "config" : "blob")
        guard descriptor.digest.isVerifiable else {
            result.problems.uncomputable(descriptor.digest, what: kind, at: location)
            return result
        }
        guard !unsafe.contains(descriptor.digest) else { return result }
        let raw: RecordingStream
        do {
            let stream = try await source.blob(descriptor)
            raw = RecordingStream(try VerifyingStream(stream, expected: descriptor, context: "\(kind) \(descriptor.digest.short)"))
        } catch let error as TransportError where error.code == .notFound {
            result.problems.error(.blobMissing, "\(kind) (\(descriptor.mediaType)) is missing from the source", at: location)
            return result
        } catch {
            result.problems.error(.blobUnreadable, Self.message(error), at: location)
            return result
        }
        result.checked = true
        result.bytes = descriptor.size
        switch job.role {
        case .config where descriptor.mediaType.isImageConfig:
            if descriptor.size > Int64(DocumentLimits.maximumDocumentSize) {
                result.problems.error(
                    .documentTooLarge, "config of \(descriptor.size) bytes is over the \(DocumentLimits.maximumDocumentSize)-byte limit for documents",
                    at: location)
                await raw.finish()
            } else {
                result.configBytes = try? await raw.readAll(limit: DocumentLimits.maximumDocumentSize, context: kind)
            }
        case .layer where options.mode == .full && descriptor.mediaType.layerCompression != nil:
            result.diffID = await LayerChecks.check(
                raw, mediaType: descriptor.mediaType, context: "layer \(descriptor.digest.short)", at: location, problems: &result.problems)
        default:
            await raw.finish()
        }
        if let failure = raw.failure {
            result.configBytes = nil
            result.diffID = nil
            switch failure {
            case let e as StreamError where e.code == .digestMismatch:
                result.problems.error(.blobDigestMismatch, e.message, at: location)
            case let e as StreamError where e.code == .sizeMismatch:
                result.problems.error(.blobSizeMismatch, e.message, at: location)
            default:
                result.problems.error(.blobUnreadable, Self.message(failure), at: location)
            }
        }
        return result
    }
}
