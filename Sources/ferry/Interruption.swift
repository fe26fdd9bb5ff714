import Dispatch
import Foundation
import Synchronization
import FerryStreams

/// Stops a command cleanly on `SIGINT` (Ctrl-C) or `SIGTERM`: the command's task is cancelled, so
/// the copy stops between chunks and its temporary files and working directories are removed (the
/// destination stays as it was, or complete); the progress display is cleared and a message says
/// what state things were left in and that a rerun continues. The process then ends by the same
/// signal, so a shell sees 130 or 143 and a script stops.
///
/// A second signal, or a command that has not stopped after a few seconds, ends the process at
/// once (after the command's own clean-up); what it leaves, the next run clears.
enum Interruption {
    /// What a command wants done on interruption (``onInterrupt(clearing:message:cleanup:)``).
    private struct Notice {
        var progress: (any CopyProgress)?
        var message: String
        var cleanup: @Sendable () -> Void
    }

    /// The signal that interrupted the command, or 0.
    private static let received = Atomic<Int32>(0)
    /// Kept alive for the life of the process; set once, at startup, before any signal.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    /// Set by the command before its long work starts, read by the signal handler.
    private static let notice = Locked<Notice?>(nil)

    /// The signal that interrupted the command, if one did.
    static var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// The exit status for an interrupted command: 128 + the signal, as a shell reports it.
    static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }

    /// From now on, an interruption clears `progress`, prints `message` (instead of the general
    /// one) and runs `cleanup` before the process ends.
    static func onInterrupt(clearing progress: (any CopyProgress)?, message: String, cleanup: @escaping @Sendable () -> Void = {}) {
        notice.withLock { $0 = Notice(progress: progress, message: message, cleanup: cleanup) }
    }

    /// Cancels `task` on `SIGINT` and `SIGTERM` instead of dying mid-write.
    static func cancelOnSignals(_ task: Task<Void, Never>) {
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard received.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged else {
                    end(by: number)
                }
                let current = notice.withLock { $0 }
                current?.progress?.finish()
                let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                let message =
                    current?.message
                    ?? "ferry: interrupted (\(name)); stopping. Nothing half-written becomes visible: run the same command again to continue (what was already verified is kept)."
                FileHandle.standardError.write(Data("\n\(message)\n".utf8))
                task.cancel()
                DispatchQueue.global().asyncAfter(deadline: .now() + 3) { end(by: number) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Ends the process by `signal` after the command's clean-up, as if it had not been caught.
    static func end(by signal: Int32) -> Never {
        notice.withLock { $0 }?.cleanup()
        Foundation.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        kill(getpid(), signal)
        // Should the signal stay blocked on this thread, end with the status a shell would show.
        usleep(200_000)
        _exit(exitStatus(for: signal))
    }
}
