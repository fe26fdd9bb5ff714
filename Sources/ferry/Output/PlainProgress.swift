import FerryEngine
import FerrySpec
import Foundation
import FerryStreams

/// Progress for logs (`--progress plain`, the default when standard error is not a terminal):
/// a line when the copy starts, a line per image once the plan is made, and a heartbeat line
/// every few seconds with blobs and bytes done and the rate, so a CI log shows a long copy moving.
/// Nothing is redrawn; every line ends with a newline.
final class PlainProgress: Sendable {
    private struct State {
        var totalBlobs = 0
        var totalBytes: Int64 = 0
        var finishedBlobs = 0
        /// Bytes done: read so far, plus the size of blobs found already present.
        var doneBytes: Int64 = 0
        /// Bytes read from the source (what the rate is computed from).
        var movedBytes: Int64 = 0
        var planned = false
        var announcedFinishing = false
        var finished = false
        var lastBeat = ContinuousClock.now
        var movedAtLastBeat: Int64 = 0
    }

    private let state = Locked(State())
    private let heartbeat = Locked<Task<Void, Never>?>(nil)
    private let started = ContinuousClock.now

    /// Prints `heading` and starts the heartbeat.
    /// - Parameters:
    ///   - heading: what is copied where, e.g. `copying oci:./a:1.0 to oci:./b:1.0`.
    ///   - interval: time between heartbeat lines.
    init(heading: String, interval: Duration) {
        Self.line(heading)
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let self else { return }
                self.beat()
            }
        }
        heartbeat.withLock { $0 = task }
    }

    func handle(_ event: CopyEvent) {
        var lines: [String] = []
        state.withLock { s in
            guard !s.finished else { return }
            switch event {
            case .planned(let blobs, let bytes):
                s.planned = true
                s.totalBlobs = blobs
                s.totalBytes = bytes
                s.finishedBlobs = 0
                s.doneBytes = 0
            case .imagePlanned(let digest, let names, let blobs, let bytes):
                let named = names.isEmpty ? "" : " as \(names.joined(separator: ", "))"
                lines.append("image \(digest)\(named): \(blobs) blobs, \(formatBytes(bytes))")
            case .blobStarted, .memberStarted, .memberFinished:
                break
            case .blobProgress(_, let bytes), .memberProgress(_, let bytes):
                s.doneBytes += bytes
                s.movedBytes += bytes
            case .blobFinished(let d, let skipped):
                s.finishedBlobs += 1
                if skipped { s.doneBytes += max(0, d.size) }
                if s.planned, s.finishedBlobs == s.totalBlobs, !s.announcedFinishing {
                    s.announcedFinishing = true
                    lines.append("all \(s.totalBlobs) blobs in place and verified; writing manifests and committing")
                }
            }
        }
        for line in lines { Self.line(line) }
    }

    func finish() {
        state.withLock { $0.finished = true }
        heartbeat.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    /// Prints one heartbeat line.
    private func beat() {
        let now = ContinuousClock.now
        let line: String? = state.withLock { s in
            guard !s.finished else { return nil }
            let recent = Self.rate(s.movedBytes - s.movedAtLastBeat, over: now - s.lastBeat)
            s.lastBeat = now
            s.movedAtLastBeat = s.movedBytes
            let elapsed = Int(Self.seconds(now - started))
            guard s.planned else {
                return "reading the source once: \(formatBytes(s.movedBytes)), \(recent), \(elapsed)s elapsed"
            }
            let percent = s.totalBytes > 0 ? " (\(min(100, Int(100 * Double(s.doneBytes) / Double(s.totalBytes))))%)" : ""
            return
                "\(s.finishedBlobs)/\(s.totalBlobs) blobs, \(formatBytes(s.doneBytes)) of \(formatBytes(s.totalBytes))\(percent), \(recent), \(elapsed)s elapsed"
        }
        if let line { Self.line(line) }
    }

    private static func rate(_ bytes: Int64, over duration: Duration) -> String {
        "\(formatBytes(Int64(Double(bytes) / max(0.001, seconds(duration)))))/s"
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func line(_ text: String) {
        FileHandle.standardError.write(Data("ferry copy: \(text)\n".utf8))
    }
}

extension PlainProgress: CopyProgress {}
