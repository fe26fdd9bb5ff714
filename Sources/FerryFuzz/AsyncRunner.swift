import Dispatch

/// Runs async parser code to completion from libFuzzer's synchronous callback.
enum AsyncRunner {
    /// Starts `body` as a task and blocks the calling (libFuzzer) thread until it ends.
    static func wait(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await body()
            done.signal()
        }
        done.wait()
    }
}
