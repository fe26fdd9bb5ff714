internal import CGlibcExtras
#if canImport(Glibc)
import Glibc
#endif

/// Keeps glibc's allocator from handing memory back to the kernel between the 1–2 MiB buffers a
/// copy streams through.
///
/// By default glibc serves such buffers with fresh `mmap`s (or trims the heap once they are
/// freed), so every buffer is faulted in page by page again: converting the 621 MB bench archive
/// took 65 000 page faults and about 0.15 s of system time on the 2-core machine; with these
/// settings 14 000 and 3–7% less wall time (docs/performance.md). Peak memory does not change: the
/// same few buffers are reused instead of returned and taken again.
enum AllocatorTuning {
    /// Allocations this large or larger still get their own `mmap` (glibc's maximum on 64-bit).
    static let mmapThreshold: Int32 = 32 << 20
    /// Free memory kept at the top of the heap before it is returned to the kernel.
    static let trimThreshold: Int32 = 512 << 20

    /// Applies the settings, unless the user chose their own through glibc's `MALLOC_*_`
    /// environment variables.
    static func apply() {
        #if canImport(Glibc)
        let environment = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"]
        guard !environment.contains(where: { getenv($0) != nil }) else { return }
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, trimThreshold)
        #endif
    }
}
