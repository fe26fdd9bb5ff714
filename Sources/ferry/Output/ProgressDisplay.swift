import FerryEngine
import FerrySpec
import Foundation
import FerryStreams

/// The live progress of a copy on a terminal: a line per blob in flight (bytes read and rate) and
/// an overall line, redrawn at most ten times a second on standard error. While a source is read
/// once before the plan (a compressed docker-archive), the lines are its members, by name.
///
/// Used for `--progress tty`, the default when standard error is a terminal; logs get
/// ``PlainProgress`` instead.
final class ProgressDisplay: Sendable {
    private struct Blob {
        var total: Int64
        var done: Int64 = 0
        var started: ContinuousClock.Instant
    }

    private struct State {
        /// Blobs in flight by label: a digest's short form, or a member's name.
        var blobs: [String: Blob] = [:]
        var order: [String] = []
        var totalBytes: Int64 = 0
        var totalBlobs = 0
        var finishedBlobs = 0
        var doneBytes: Int64 = 0
        var linesDrawn = 0
        var lastDraw: ContinuousClock.Instant?
        let started = ContinuousClock.now

        mutating func start(_ label: String, total: Int64, now: ContinuousClock.Instant) {
            blobs[label] = Blob(total: total, started: now)
            order.append(label)
        }

        mutating func progress(_ label: String, _ bytes: Int64) {
            blobs[label]?.done += bytes
            doneBytes += bytes
        }

        mutating func finish(_ label: String) {
            if let i = order.firstIndex(of: label) { order.remove(at: i) }
            blobs[label] = nil
        }
    }

    private let state = Locked(State())

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
                s.start(d.digest.short, total: d.size, now: now)
            case .blobProgress(let digest, let bytes):
                s.progress(digest.short, bytes)
            case .blobFinished(let d, let skipped):
                s.finishedBlobs += 1
                if skipped { s.doneBytes += d.size }
                s.finish(d.digest.short)
            case .memberStarted(let member, let size):
                s.start(member, total: size, now: now)
            case .memberProgress(let member, let bytes):
                s.progress(member, bytes)
            case .memberFinished(let member):
                s.finish(member)
            case .imagePlanned:
                break
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
        for label in s.order.prefix(8) {
            guard let blob = s.blobs[label] else { continue }
            let seconds = max(0.001, Self.seconds(now - blob.started))
            let percent = blob.total > 0 ? Int(100 * Double(blob.done) / Double(blob.total)) : 100
            lines.append(
                "  \(Self.shortened(label))  \(Self.pad(formatBytes(blob.done), 8)) / \(Self.pad(formatBytes(blob.total), 8)) \(Self.pad("\(percent)%", 4))  \(formatBytes(Int64(Double(blob.done) / seconds)))/s"
            )
        }
        let elapsed = max(0.001, Self.seconds(now - s.started))
        if s.totalBlobs > 0 && s.finishedBlobs == s.totalBlobs {
            // The blobs are done; what remains (fsync, manifests, index.json, the archive) takes
            // a moment that a frozen 100% line would hide.
            lines = ["All \(s.totalBlobs) blobs in place and verified (\(formatBytes(s.doneBytes))); writing manifests and committing…"]
        } else if s.totalBlobs == 0 {
            lines.append("Reading the source once: \(formatBytes(s.doneBytes)), \(formatBytes(Int64(Double(s.doneBytes) / elapsed)))/s")
        } else {
            lines.append(
                "Copying \(s.finishedBlobs)/\(s.totalBlobs) blobs, \(formatBytes(s.doneBytes)) / \(formatBytes(s.totalBytes)), \(formatBytes(Int64(Double(s.doneBytes) / elapsed)))/s"
            )
        }
        var out = ""
        for _ in 0..<s.linesDrawn { out += "\u{1B}[1A\u{1B}[2K" }
        out += lines.joined(separator: "\n") + "\n"
        s.linesDrawn = lines.count
        FileHandle.standardError.write(Data(out.utf8))
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// A label that fits a line: a member name longer than 24 characters keeps its end.
    private static func shortened(_ label: String) -> String {
        label.count <= 24 ? label : "…" + label.suffix(23)
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : String(repeating: " ", count: n - s.count) + s
    }
}
