import FerrySpec
import FerryStreams
import FerryTransports

/// What a copy reports while it runs.
public enum CopyEvent: Sendable {
    /// The plan is ready: this many blobs and bytes to consider.
    case planned(blobs: Int, bytes: Int64)
    /// A blob started moving.
    case blobStarted(Descriptor)
    /// Bytes of a blob moved (the count since the last event for that blob).
    case blobProgress(Digest, bytes: Int64)
    /// A blob finished; `skipped` when the destination already had it.
    case blobFinished(Descriptor, skipped: Bool)
}

/// What a copy did.
public struct CopyReport: Sendable {
    /// One copied top-level entry.
    public struct Entry: Sendable {
        /// Its descriptor (the digest is the manifest or index digest at the destination).
        public var descriptor: Descriptor
        /// The names it was given.
        public var names: [String]
    }

    /// The copied entries.
    public var entries: [Entry] = []
    /// Blobs written.
    public var blobsCopied = 0
    /// Blobs the destination already had.
    public var blobsSkipped = 0
    /// Bytes of blobs written.
    public var bytesCopied: Int64 = 0
    /// Documents written.
    public var documentsWritten = 0
}

/// Copies images from a source to a destination, verifying every byte on the way.
///
/// The copy reads the whole manifest graph first (every document verified), then moves blobs in
/// parallel under ``CopyOptions/parallelism`` (each through a ``VerifyingStream``, skipped when
/// the destination already has it), then writes documents children first, then names the
/// top-level entries, then commits.
public struct CopyOperation: Sendable {
    public let source: any ImageSource
    public let destination: any ImageDestination
    public let selector: ImageSelector
    public let options: CopyOptions

    public init(source: any ImageSource, destination: any ImageDestination, selector: ImageSelector = .only, options: CopyOptions = CopyOptions()) {
        self.source = source
        self.destination = destination
        self.selector = selector
        self.options = options
    }

    /// Runs the copy.
    /// - Returns: what was copied.
    /// - Throws: the first error from the source, the destination or verification; blobs copied
    ///   before it stay (verified), nothing is committed.
    public func run() async throws -> CopyReport {
        let selected: [SourceEntry]
        if selector == .all {
            selected = try await source.entries()
            if options.destinationNames != nil && selected.count > 1 {
                throw TransportError(.invalidArgument, "a destination name cannot be given to \(selected.count) images; leave it out to keep each image's own names")
            }
        } else {
            selected = [try await source.entry(matching: selector)]
        }
        let reader = GraphReader(source: source)
        var graphs: [ImageGraph] = []
        for entry in selected { graphs.append(try await reader.read(entry.descriptor)) }

        var blobs: [Descriptor] = []
        var seen = Set<BlobKey>()
        for graph in graphs {
            for blob in graph.blobs where seen.insert(BlobKey(blob)).inserted { blobs.append(blob) }
        }
        options.progress?(.planned(blobs: blobs.count, bytes: blobs.reduce(0) { $0 + $1.size }))

        var report = CopyReport()
        let results = try await moveBlobs(blobs)
        for (descriptor, skipped) in results {
            if skipped {
                report.blobsSkipped += 1
            } else {
                report.blobsCopied += 1
                report.bytesCopied += descriptor.size
            }
        }

        var written = Set<Digest>()
        for graph in graphs {
            for document in graph.documents where written.insert(document.digest).inserted {
                try await destination.putDocument(document)
                report.documentsWritten += 1
            }
        }
        for (entry, graph) in zip(selected, graphs) {
            let names = options.destinationNames ?? entry.names
            try await destination.addEntry(graph.root, names: names)
            report.entries.append(.init(descriptor: graph.root, names: names))
        }
        try await destination.commit()
        return report
    }

    /// Moves blobs with a sliding window of parallel tasks. Returns each blob with whether it was skipped.
    private func moveBlobs(_ blobs: [Descriptor]) async throws -> [(Descriptor, Bool)] {
        let limit = max(1, options.parallelism)
        return try await withThrowingTaskGroup(of: (Descriptor, Bool).self) { group in
            var pending = blobs.makeIterator()
            var results: [(Descriptor, Bool)] = []
            for _ in 0..<limit {
                guard let blob = pending.next() else { break }
                group.addTask { try await self.moveBlob(blob) }
            }
            while let result = try await group.next() {
                results.append(result)
                if let blob = pending.next() {
                    group.addTask { try await self.moveBlob(blob) }
                }
            }
            return results
        }
    }

    private func moveBlob(_ descriptor: Descriptor) async throws -> (Descriptor, Bool) {
        try Task.checkCancellation()
        if try await destination.hasBlob(descriptor) {
            options.progress?(.blobFinished(descriptor, skipped: true))
            return (descriptor, true)
        }
        options.progress?(.blobStarted(descriptor))
        var raw: any ByteStream = try await source.blob(descriptor)
        if let progress = options.progress {
            raw = ProgressStream(raw, digest: descriptor.digest, report: progress)
        }
        let kind = descriptor.mediaType.isLayer ? "layer" : (descriptor.mediaType.isImageConfig ? "config" : "blob")
        let verified = try VerifyingStream(raw, expected: descriptor, context: "\(kind) \(descriptor.digest) from \(source.name)")
        _ = try await destination.putBlob(verified)
        options.progress?(.blobFinished(descriptor, skipped: false))
        return (descriptor, false)
    }
}

/// Reports bytes as they pass.
final class ProgressStream: ByteStream {
    private let upstream: any ByteStream
    private let digest: Digest
    private let report: @Sendable (CopyEvent) -> Void

    init(_ upstream: any ByteStream, digest: Digest, report: @escaping @Sendable (CopyEvent) -> Void) {
        self.upstream = upstream
        self.digest = digest
        self.report = report
    }

    func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.next() else { return nil }
        report(.blobProgress(digest, bytes: Int64(chunk.count)))
        return chunk
    }
}
