import FerrySpec
import FerryStreams
import FerryTransports

extension CopyOperation {
    /// The first phase for a source best read once (a compressed docker-archive, a bundle on a
    /// pipe): reads it front to back, landing each member that may be a layer in the destination
    /// as it passes (``AheadLander``), then runs `rest` — the later phases, which take each blob
    /// job's result from what landed.
    ///
    /// Blobs landed that no image needs (a guess that proved wrong, the other images of an
    /// archive when one is selected) are removed before the commit; on failure every blob the
    /// pass wrote is removed.
    func landingAhead(_ source: any OnePassImageSource, then rest: (LandedAhead) async throws -> CopyReport) async throws -> CopyReport {
        let landed = LandedAhead(source: source)
        let planner = CopyPlanner(source: source, capabilities: destination.capabilities, options: options)
        let lander = AheadLander(destination: destination, planner: planner, options: options, sourceName: source.name, landed: landed)
        do {
            try await source.readOnce { offer, stream in try await lander.land(offer, stream) }
            return try await rest(landed)
        } catch {
            for digest in landed.written() { try? await destination.discardBlob(digest) }
            throw error
        }
    }

    /// Takes the results of jobs whose blobs landed while the source was read once.
    /// - Returns: the results, and the jobs still to run.
    func takeLandedAhead(_ jobs: [BlobJob]) throws -> ([(BlobJob, Descriptor, Bool)], [BlobJob]) {
        guard let landedAhead else { return ([], jobs) }
        var results: [(BlobJob, Descriptor, Bool)] = []
        var remaining: [BlobJob] = []
        for job in jobs {
            let context = "layer \(job.descriptor.digest) from \(source.name)"
            guard let (descriptor, skipped) = try landedAhead.take(job, context: context) else {
                // A member that passed with other bytes than the plan says: reading it again
                // would only say so later (and a pipe cannot be read again).
                if let member = landedAhead.source?.member(holding: job.descriptor), let passed = landedAhead.passed(member), passed != BlobKey(job.descriptor)
                {
                    throw StreamError(
                        .digestMismatch,
                        "\(context): member \(member) has digest \(passed.digest) (\(passed.size) bytes), expected \(job.descriptor.digest) (\(job.descriptor.size) bytes)"
                    )
                }
                remaining.append(job)
                continue
            }
            if !landedAhead.reportedProgress { options.progress?(.blobFinished(job.descriptor, skipped: skipped)) }
            results.append((job, descriptor, skipped))
        }
        return (results, remaining)
    }

    /// Removes the blobs landed ahead that the copy did not use.
    /// - Parameter used: every digest the copy's images refer to.
    func discardUnusedLandings(used: Set<Digest>) async throws {
        guard let landedAhead else { return }
        for digest in landedAhead.untaken() where !used.contains(digest) {
            try await destination.discardBlob(digest)
        }
    }
}
