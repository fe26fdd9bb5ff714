import FerrySpec
import FerryStreams
import FerryTransports

extension CopyOperation {
    /// Writes schema 1 (``CopyOptions/schema1Output``): the copy's phases run as Docker schema 2
    /// into a ``Schema1Destination``, which rewrites each manifest; the report is mapped back to
    /// the schema 1 digests.
    func runWritingSchema1(_ output: Schema1Output) async throws -> CopyReport {
        if options.includeReferrers {
            throw EngineError(
                .unsupported,
                "--referrers cannot be combined with --format v2s1: schema 1 rewrites every manifest digest, and referrers point at their subject by digest")
        }
        var inner = options
        inner.schema1Output = nil
        inner.format = .v2s2
        let wrapped = try Schema1Destination(base: destination, source: source, output: output)
        var report = try await CopyOperation(source: source, destination: wrapped, selector: selector, options: inner).runPhases()
        for i in report.entries.indices {
            guard let schema1 = wrapped.rewrittenDescriptor(for: report.entries[i].descriptor.digest) else { continue }
            report.entries[i].descriptor = schema1
            report.digestMap[report.entries[i].sourceDigest] = schema1.digest
        }
        return report
    }

    /// Reading schema 1 that must be converted: ``Schema1Conversion`` makes the schema 2 / OCI
    /// image, and the copy plans and executes from the converted source; the report is mapped
    /// back to the digests the caller knows. `nil` when no selected entry needs it.
    func runConvertingSchema1(_ selected: [SourceEntry]) async throws -> CopyReport? {
        let conversion = Schema1Conversion(source: source, destination: destination, options: options)
        guard let converted = try await conversion.run(selected) else { return nil }
        if options.includeReferrers {
            throw EngineError(.unsupported, "--referrers: \(source.name) holds Docker schema 1, which is converted (new digests) and has no referrers")
        }
        var inner = CopyOperation(source: converted.source, destination: destination, selector: .all, options: options)
        let landed = LandedAhead(reportedProgress: true)
        for descriptor in converted.landed.values {
            let key = BlobKey(descriptor)
            landed.record(.init(member: descriptor.digest.description, source: key, target: nil, level: nil, landed: key, wasPresent: false))
        }
        inner.landedAhead = landed
        var report = try await inner.planAndExecute(try await converted.source.entries())
        let original = Dictionary(uniqueKeysWithValues: converted.digestMap.map { ($0.value, $0.key) })
        for i in report.entries.indices {
            if let schema1 = original[report.entries[i].sourceDigest] { report.entries[i].sourceDigest = schema1 }
        }
        report.digestMap.merge(converted.digestMap) { $1 }
        report.schema1Signatures.merge(converted.signatures) { $1 }
        return report
    }

    /// Copies a blob whose size is not known (a schema 1 layer): verified by digest only.
    func copyUnsized(_ job: BlobJob) async throws -> (BlobJob, Descriptor, Bool) {
        let descriptor = job.descriptor
        options.progress?(.blobStarted(descriptor))
        let verified = try VerifyingStream(
            try await source.blob(descriptor), expectedDigest: descriptor.digest, context: "layer \(descriptor.digest) from \(source.name)")
        let (_, size) = try await destination.putBlob(verified)
        var landed = descriptor
        landed.size = size
        options.progress?(.blobFinished(landed, skipped: false))
        return (job, landed, false)
    }
}
