#if canImport(Glibc)
internal import CGlibcExtras
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks the kernel to start writing a durable file back while it grows: once at least
/// ``step`` bytes were written since the last request, `sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE` starts them without waiting, so the disk works while the copy goes on
/// and the final `fsync` only waits for the rest. A failure here changes nothing: `fsync` still
/// reports errors. Used by ``AtomicFileWriter`` and ``PartialFile``.
struct Writeback {
    /// How much written data waits before writeback is asked for.
    static let step: Int64 = 8 << 20
    private var started: Int64 = 0

    /// The file `descriptor` now holds `end` bytes (written from the start, or from where the
    /// file was opened at).
    mutating func written(upTo end: Int64, of descriptor: Int32) {
        #if canImport(Glibc)
        guard end - started >= Self.step else { return }
        _ = sync_file_range(descriptor, started, end - started, CGlibcSyncFileRangeWrite)
        started = end
        #endif
    }
}
