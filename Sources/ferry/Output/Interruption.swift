import Foundation

/// The write end of the pipe the SIGINT handler signals through (-1 until installed).
nonisolated(unsafe) private var interruptionPipe: Int32 = -1

/// What Ctrl-C does during a long command: says what state things were left in and how to go on,
/// then ends the process as SIGINT would (so a shell sees status 130 and stops a script).
///
/// The signal handler only writes a byte to a pipe (async-signal-safe); a thread waiting on the
/// pipe does the rest.
enum Interruption {
    /// From now until the process ends, SIGINT clears `progress`, prints `message` to standard
    /// error, runs `cleanup`, and then kills the process with SIGINT. Call once per process.
    static func onInterrupt(clearing progress: (any CopyProgress)?, message: String, cleanup: @escaping @Sendable () -> Void = {}) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        let readEnd = ends[0]
        interruptionPipe = ends[1]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
            progress?.finish()
            FileHandle.standardError.write(Data("\n\(message)\n".utf8))
            cleanup()
            signal(SIGINT, SIG_DFL)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            kill(getpid(), SIGINT)
            // Should SIGINT be blocked everywhere, end with the status a shell would show.
            usleep(200_000)
            _exit(130)
        }
        signal(SIGINT) { _ in
            var byte: UInt8 = 1
            _ = write(interruptionPipe, &byte, 1)
        }
    }
}
