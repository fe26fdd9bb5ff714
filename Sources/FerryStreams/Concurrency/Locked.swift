#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that tasks and threads share behind a lock: Ferry's one lock type, with the
/// `withLock` shape of the Synchronization module's `Mutex`.
///
/// It is a POSIX mutex rather than that `Mutex` because ThreadSanitizer sees this one: on Linux
/// `Mutex` is a bare futex that the sanitizer cannot see, so every access under it is reported as
/// a race (docs/sanitizers.md shows a ten-line program that proves it), and a sanitized run of
/// the suite would list nothing else. Never held across a suspension point: `body` is
/// synchronous, and nothing inside it waits on another task.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A lock guarding `value`.
    public init(_ value: sending Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; returns what `body` returned.
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
