import FerrySpec
import FerryStreams

/// `--check-layers`: a layer is checked while it is copied as `ferry verify` checks it — its
/// content decompressed and hashed against the config's DiffID, its tar members walked
/// (``LayerChecks``) — so that such a copy refuses every layer `verify` reports.
///
/// Without it a copy checks each blob's digest and size only and never inflates a layer it
/// carries as it is, as skopeo and crane do: the inflation costs more CPU than the rest of a
/// local copy together. The check runs on a task of its own, beside the write, and the blob
/// lands only when it passed (``TeeStream`` waits for it before the stream ends).
///
/// The one finding left out is a label that names another compression than the content has:
/// the copy corrects such a label (``MislabelledLayer``) instead of refusing it.
enum LayerContentCheck {
    /// Chunks queued between the copy and the check.
    static let queuedChunks = 8

    /// Runs `body` on `verified` while the check reads the same bytes; returns what `body`
    /// returned, once both finished, and the DiffID the content hashed to (`nil` when it is not
    /// a layer's compression).
    /// - Parameters:
    ///   - mediaType: the layer's media type as the manifest gives it.
    ///   - diffID: the config's DiffID for it, `nil` when the config names none.
    ///   - context: how errors name the layer.
    /// - Throws: ``EngineError`` (`invalidGraph`) naming the first problem the check found, or
    ///   what `body` throws.
    static func checking<T: Sendable>(
        _ verified: sending any ByteStream, mediaType: MediaType, diffID: Digest?, context: String,
        _ body: (sending any ByteStream) async throws -> T
    ) async throws -> (result: T, diffID: Digest?) {
        let channel = ChunkChannel(capacity: queuedChunks)
        async let checked: Digest? = check(channel, mediaType: mediaType, diffID: diffID, context: context)
        do {
            let result = try await body(TeeStream(verified, into: channel))
            return (result, try await checked)
        } catch {
            channel.fail(error)
            _ = try? await checked
            throw error
        }
    }

    /// Reads a layer only to check it (it is at the destination already): the whole check,
    /// nothing written.
    static func check(_ verified: sending any ByteStream, mediaType: MediaType, diffID: Digest?, context: String) async throws {
        _ = try await checking(verified, mediaType: mediaType, diffID: diffID, context: context) { stream in
            _ = try await stream.drain()
        }
    }

    /// The consuming side: fails the channel with the first problem, or reports it done (the
    /// producer waits for one or the other).
    private static func check(_ channel: ChunkChannel, mediaType: MediaType, diffID: Digest?, context: String) async throws -> Digest? {
        do {
            let computed = try await findProblem(channel, mediaType: mediaType, diffID: diffID, context: context)
            channel.consumerDone()
            return computed
        } catch {
            channel.fail(error)
            throw error
        }
    }

    /// The DiffID the content hashed to, once the check found nothing wrong.
    private static func findProblem(_ channel: ChunkChannel, mediaType: MediaType, diffID: Digest?, context: String) async throws -> Digest? {
        let raw = RecordingStream(ChannelByteStream(channel))
        var problems = ProblemList()
        let computed = await LayerChecks.check(raw, mediaType: mediaType, context: context, at: .init(), problems: &problems)
        // The bytes themselves failed (or the copy stopped): the copy reports that, not the check.
        if let failure = raw.failure { throw failure }
        let first = problems.all.first { $0.severity == .error && $0.code != .layerCompressionMismatch }
        if let first {
            throw EngineError(.invalidGraph, "\(context): \(first.message)\(first.location.member.map { " (member \(Echo.quoted($0)))" } ?? "")")
        }
        if let diffID, let computed, computed != diffID {
            throw EngineError(.invalidGraph, "\(context): decompresses to \(computed) but the config's rootfs.diff_ids names \(diffID) for it")
        }
        return computed
    }
}
