import FerrySpec
import FerryStreams
import FerryTransports

/// Lands each member a source read once offers (``OnePassImageSource``) in the destination,
/// before the plan exists, in the form the plan will most likely want — so the source is
/// decompressed once instead of once to plan and once to copy.
///
/// The form follows the planner's own layer rule (``CopyPlanner/transcodeTarget(_:synthesized:family:)``)
/// for what the member's name suggests: a member named by its digest (`blobs/sha256/<hex>`) is
/// most likely a layer of a manifest the archive stores, anything else (`<id>/layer.tar`) a layer
/// of one Ferry synthesises. A guess that proves wrong costs a second read of that blob, never a
/// wrong result: each plan job checks what landed against itself (``LandedAhead/take(_:context:)``).
///
/// Every member is hashed as it passes (its digest and, when it is decompressed, its content's),
/// so the source learns the digests it needs to describe compressed layers without reading them
/// again.
struct AheadLander: Sendable {
    let destination: any ImageDestination
    let planner: CopyPlanner
    let options: CopyOptions
    let sourceName: String
    let landed: LandedAhead

    /// Lands one offered member.
    /// - Returns: the digest of the member's bytes when it was read to the end, else `nil`.
    func land(_ offer: BlobOffer, _ stream: sending any ByteStream) async throws -> Digest? {
        guard let current = offer.format.layerCompression else { return nil }
        let synthesized = offer.namedDigest == nil
        let target = planner.transcodeTarget(current, synthesized: synthesized, family: planner.likelyFamily(synthesized: synthesized))
        let context = "member \(offer.member) of \(sourceName)"
        let named = offer.namedDigest.map { Descriptor(mediaType: .ociLayer(current), digest: $0, size: offer.size) }
        if let named, target == nil, try await destination.hasBlob(named) {
            landed.record(
                .init(member: offer.member, source: BlobKey(named), contentDigest: nil, target: nil, level: nil, landed: BlobKey(named), wasPresent: true))
            return nil
        }
        options.progress?(.memberStarted(offer.member, size: offer.size))
        let raw = try Self.reading(withProgress(stream, member: offer.member), expected: named, context: context)
        let digest: Digest?
        if options.checkLayers {
            // `--check-layers`: the member is walked as verify walks a layer on its way in; what it
            // hashed to is kept as its content digest, for the plan's DiffID.
            let destination = self.destination
            let checked = try await LayerContentCheck.checking(raw, mediaType: .ociLayer(current), diffID: nil, context: context) { stream in
                if let target {
                    return try await transcode(
                        try VerifyingStream(stream, computing: .sha256, context: context), member: offer.member, from: current, to: target, context: context)
                }
                return try await destination.putBlob(try VerifyingStream(stream, computing: .sha256, context: context))
            }
            digest = checked.result.digest
            if target == nil, let digest { record(offer.member, verbatim: BlobKey(digest: digest, size: checked.result.size), contentDigest: checked.diffID) }
        } else if let target {
            digest = try await transcode(raw, member: offer.member, from: current, to: target, context: context).digest
        } else {
            let result = try await destination.putBlob(raw)
            record(offer.member, verbatim: BlobKey(digest: result.digest, size: result.size), contentDigest: current == .none ? result.digest : nil)
            digest = result.digest
        }
        options.progress?(.memberFinished(offer.member))
        return digest
    }

    /// Records a member landed as it is.
    private func record(_ member: String, verbatim key: BlobKey, contentDigest: Digest?) {
        landed.record(.init(member: member, source: key, contentDigest: contentDigest, target: nil, level: nil, landed: key, wasPresent: false))
    }

    /// Decompresses, hashes and recompresses a member into the destination.
    /// - Returns: the member's own digest (`nil` when the decompressor stopped before its end) and size.
    private func transcode(
        _ raw: sending VerifyingStream, member: String, from current: LayerCompression, to target: LayerCompression, context: String
    ) async throws -> (digest: Digest?, size: Int64) {
        let level = planner.level(for: target)
        let sourceResult = DigestResult()
        let contentResult = DigestResult()
        var plain = try decompressed(ReportingStream(raw, into: sourceResult), format: current, context: context)
        if current != .none {
            plain = ReportingStream(try VerifyingStream(plain, computing: .sha256, context: "\(context): uncompressed content"), into: contentResult)
        }
        let output = try VerifyingStream(
            try compressed(plain, format: target, level: level), computing: .sha256, context: "\(context) recompressed to \(target.rawValue)")
        let result = try await destination.putBlob(output)
        guard let source = sourceResult.value else {
            // The decompressor stopped before the member's end: what landed cannot be tied to it.
            try await destination.discardBlob(result.digest)
            return (nil, 0)
        }
        landed.record(
            .init(
                member: member, source: BlobKey(digest: source.digest, size: source.size),
                contentDigest: current == .none ? source.digest : contentResult.value?.digest,
                target: target, level: level, landed: BlobKey(digest: result.digest, size: result.size), wasPresent: false))
        return (source.digest, source.size)
    }

    private func withProgress(_ stream: sending any ByteStream, member: String) -> sending any ByteStream {
        guard let progress = options.progress else { return stream }
        return ProgressStream(stream) { progress(.memberProgress(member, bytes: $0)) }
    }

    /// The member's bytes, checked against the digest its name gives, or hashed.
    private static func reading(_ stream: sending any ByteStream, expected: Descriptor?, context: String) throws -> sending VerifyingStream {
        if let expected { return try VerifyingStream(stream, expected: expected, context: context) }
        return try VerifyingStream(stream, computing: .sha256, context: context)
    }
}
