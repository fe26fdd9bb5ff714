import Foundation

/// Runs `work`, which blocks (a child process, a read without bound), on a thread of its own
/// instead of one of the concurrency pool's few threads, and returns its result.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.name = "ferry-blocking"
        thread.start()
    }
}
