import FerryEngine
import FerrySpec
import Foundation
import Synchronization

/// The live progress of a copy on a terminal: a line per blob in flight (bytes read and rate) and
/// an overall line, redrawn at most ten times a second on standard error.
///
/// Only used when standard error is a terminal and `--quiet` is not given; scripts and CI logs get
/// the final summary only.
final class ProgressDisplay: Sendable {
    private struct Blob {
        var total: Int64
        var done: Int64 = 0
        var started: ContinuousClock.Instant
    }

    private struct State {
        var blobs: [Digest: Blob] = [:]
        var order: [Digest] = []
        var totalBytes: Int64 = 0
        var totalBlobs = 0
        var finishedBlobs = 0
        var doneBytes: Int64 = 0
        var linesDrawn = 0
        var lastDraw: ContinuousClock.Instant?
        let started = ContinuousClock.now
    }

    private let state = Mutex(State())

    /// Whether a display makes sense here: standard error is a terminal.
    static var isUseful: Bool { isatty(STDERR_FILENO) == 1 }

    /// Takes one event of the copy.
    func handle(_ event: CopyEvent) {
        state.withLock { s in
            let now = ContinuousClock.now
            switch event {
            case .planned(let blobs, let bytes):
                s.totalBlobs = blobs
                s.totalBytes = bytes
            case .blobStarted(let d):
                s.blobs[d.digest] = Blob(total: d.size, started: now)
                s.order.append(d.digest)
            case .blobProgress(let digest, let bytes):
                s.blobs[digest]?.done += bytes
                s.doneBytes += bytes
            case .blobFinished(let d, let skipped):
                s.finishedBlobs += 1
                if skipped { s.doneBytes += d.size }
                if let i = s.order.firstIndex(of: d.digest) { s.order.remove(at: i) }
                s.blobs[d.digest] = nil
            }
            if let last = s.lastDraw, now - last < .milliseconds(100), !isFinal(event, s) { return }
            s.lastDraw = now
            draw(&s, now: now)
        }
    }

    /// Clears the display, leaving the terminal for the summary.
    func finish() {
        state.withLock { s in
            var out = ""
            for _ in 0..<s.linesDrawn { out += "\u{1B}[1A\u{1B}[2K" }
            s.linesDrawn = 0
            FileHandle.standardError.write(Data(out.utf8))
        }
    }

    private func isFinal(_ event: CopyEvent, _ s: State) -> Bool {
        if case .blobFinished = event { return s.finishedBlobs == s.totalBlobs }
        return false
    }

    private func draw(_ s: inout State, now: ContinuousClock.Instant) {
        var lines: [String] = []
        for digest in s.order.prefix(8) {
            guard let blob = s.blobs[digest] else { continue }
            let seconds = max(0.001, Self.seconds(now - blob.started))
            let percent = blob.total > 0 ? Int(100 * Double(blob.done) / Double(blob.total)) : 100
            lines.append("  \(digest.short)  \(Self.pad(formatBytes(blob.done), 8)) / \(Self.pad(formatBytes(blob.total), 8)) \(Self.pad("\(percent)%", 4))  \(formatBytes(Int64(Double(blob.done) / seconds)))/s")
        }
        let elapsed = max(0.001, Self.seconds(now - s.started))
        lines.append("Copying \(s.finishedBlobs)/\(s.totalBlobs) blobs, \(formatBytes(s.doneBytes)) / \(formatBytes(s.totalBytes)), \(formatBytes(Int64(Double(s.doneBytes) / elapsed)))/s")
        var out = ""
        for _ in 0..<s.linesDrawn { out += "\u{1B}[1A\u{1B}[2K" }
        out += lines.joined(separator: "\n") + "\n"
        s.linesDrawn = lines.count
        FileHandle.standardError.write(Data(out.utf8))
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : String(repeating: " ", count: n - s.count) + s
    }
}
