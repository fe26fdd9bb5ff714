import Dispatch
import Foundation
import Synchronization

/// Stops a command cleanly on `SIGINT` or `SIGTERM`: the command's task is cancelled, so the
/// copy stops between chunks and its temporary files and working directories are removed (the
/// destination stays as it was, or complete), and a message says that a rerun continues.
///
/// A second signal, or a command that has not stopped after a few seconds, ends the process at
/// once; what it leaves, the next run clears.
enum Interruption {
    /// The signal that interrupted the command, or 0.
    private static let received = Atomic<Int32>(0)
    /// Kept alive for the life of the process; set once, at startup, before any signal.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// The signal that interrupted the command, if one did.
    static var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// The exit status for an interrupted command: 128 + the signal, as a shell reports it.
    static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }

    /// Cancels `task` on `SIGINT` and `SIGTERM` instead of dying mid-write.
    static func cancelOnSignals(_ task: Task<Void, Never>) {
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard received.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged else {
                    _exit(exitStatus(for: number))
                }
                let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                FileHandle.standardError.write(Data("\nferry: interrupted (\(name)); stopping. Nothing half-written becomes visible: run the same command again to continue (what was already verified is kept).\n".utf8))
                task.cancel()
                DispatchQueue.global().asyncAfter(deadline: .now() + 3) { _exit(exitStatus(for: number)) }
            }
            source.resume()
            sources.append(source)
        }
    }
}
