import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// When a test SIGKILLs a process it started (``runKilled(_:_:at:)``).
public enum KillPoint: Sendable {
    /// After this long.
    case after(Duration)
    /// Once the condition holds (checked every 20 ms), or after `limit` at the latest.
    case once(@Sendable () -> Bool, limit: Duration)
}

/// Runs `executable` with `arguments` (its output dropped), sends it SIGKILL at `point` unless it
/// ended before, and waits until it has ended.
public func runKilled(_ executable: String, _ arguments: [String], at point: KillPoint) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let (exits, exited) = AsyncStream<Int32>.makeStream()
    process.terminationHandler = { finished in
        exited.yield(finished.terminationStatus)
        exited.finish()
    }
    try process.run()
    switch point {
    case .after(let delay):
        try await Task.sleep(for: delay)
    case .once(let condition, let limit):
        let deadline = ContinuousClock.now + limit
        while !condition() && process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
    kill(process.processIdentifier, SIGKILL)
    for await _ in exits {}
}
