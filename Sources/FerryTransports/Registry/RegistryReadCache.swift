import FerrySpec
import FerryStreams

/// The documents (manifests, indexes) and image configs registry sources read during one run,
/// kept so that each is fetched from the registry once: a sync reads every image's manifest and
/// config while planning it for each destination (images in parallel, several naming one
/// digest), and again while moving its blobs.
///
/// Documents are kept by digest (content-addressed: whoever reads one verifies it, so one
/// repository's copy serves another's), and a tag's manifest by repository and tag for the run.
/// Readers of one key at the same time share one fetch. What it keeps is bounded by ``limit``
/// bytes; past it, reads go to the registry.
public final class RegistryReadCache: Sendable {
    /// The most bytes kept.
    public let limit: Int
    private struct State {
        var fetches: [String: Task<RawDocument, any Error>] = [:]
        var counted: Set<String> = []
        var bytes = 0
    }
    private let state = Locked(State())

    /// A cache keeping up to `limit` bytes (64 MiB by default: configs and manifests of
    /// thousands of images).
    public init(limit: Int = 64 << 20) {
        self.limit = limit
    }

    /// The document kept under `key`, fetched with `fetch` when this run has not read it yet
    /// (once for every caller asking at the same time); a failed fetch is not kept.
    func document(_ key: String, fetch: @escaping @Sendable () async throws -> RawDocument) async throws -> RawDocument {
        let task = state.withLock { state in
            if let running = state.fetches[key] { return running }
            let task = Task { try await fetch() }
            state.fetches[key] = task
            return task
        }
        do {
            let document = try await task.value
            keep(key, document.bytes.count)
            return document
        } catch {
            state.withLock { _ = $0.fetches.removeValue(forKey: key) }
            throw error
        }
    }

    /// Keeps a document read under another key (a tag's manifest, kept by digest too), unless
    /// the cache holds that key already or is full.
    func remember(_ document: RawDocument, as key: String) {
        state.withLock { state in
            guard state.fetches[key] == nil, state.bytes + document.bytes.count <= limit else { return }
            state.fetches[key] = Task { document }
            state.counted.insert(key)
            state.bytes += document.bytes.count
        }
    }

    /// Keeps `document`'s memory accounted for, forgetting it when the cache is over its limit.
    private func keep(_ key: String, _ size: Int) {
        state.withLock { state in
            guard state.fetches[key] != nil, state.counted.insert(key).inserted else { return }
            if state.bytes + size > limit {
                state.fetches[key] = nil
                state.counted.remove(key)
            } else {
                state.bytes += size
            }
        }
    }

    /// Configs kept are at most this size (larger ones stream as any blob does).
    static let largestConfig = 1 << 20
}
