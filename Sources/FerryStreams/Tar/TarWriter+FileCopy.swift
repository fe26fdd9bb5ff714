internal import CGlibcExtras
internal import CLibArchive

#if canImport(Glibc)
import Glibc
#endif

extension TarWriter {
    /// Adds a regular file member (mode 0644) holding the contents of the file at `path`, which
    /// must be `size` bytes.
    ///
    /// Writing into a file descriptor, the data is copied by the kernel (`copy_file_range`), not
    /// through this process: one copy of each page instead of three. The header is libarchive's
    /// own (made by a scratch writer in memory), so the archive's bytes are the same as
    /// ``addFile(_:size:from:)`` gives; any other writer takes that path.
    /// - Throws: as ``addFile(_:size:from:)``; ``StreamError`` `sizeMismatch` when the file is not
    ///   `size` bytes.
    public func addFile(_ name: String, size: Int64, copyingFile path: String) async throws {
        guard let output = outputDescriptor, size > 0 else {
            try await addFile(name, size: size, from: try FileByteStream(path: path))
            return
        }
        let header = try memberHeader(name, size: size)
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw poison(StreamError.posix("cannot open \(path)", errno: errno)) }
        defer { close(input) }
        do throws(StreamError) {
            try FileSystem.writeAll(header, to: output, what: "\(destination), member \(name.debugDescription)")
            try copyData(from: input, to: output, size: size, member: name)
            let padding = Int((512 - size % 512) % 512)
            try FileSystem.writeAll([UInt8](repeating: 0, count: padding), to: output, what: "\(destination), member \(name.debugDescription)")
        } catch {
            throw poison(error)
        }
    }

    /// Copies `size` bytes from the start of `input` to the current position of `output`, in the
    /// kernel, falling back to reads and writes where the file systems cannot.
    private func copyData(from input: Int32, to output: Int32, size: Int64, member name: String) throws(StreamError) {
        let context = "\(destination): member \(name.debugDescription)"
        var copied: Int64 = 0
        var inKernel = true
        while copied < size {
            let step = Int(min(size - copied, 8 << 20))
            var n: Int
            if inKernel {
                n = copy_file_range(input, nil, output, nil, UInt(step), 0)
                if n < 0, [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EBADF].contains(errno) {
                    inKernel = false
                    continue
                }
            } else {
                var chunk = [UInt8](repeating: 0, count: step)
                n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, step) }
                if n > 0 {
                    try FileSystem.writeAll(Array(chunk[0..<n]), to: output, what: context)
                }
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamError.posixWrite("\(context): cannot copy the data", errno: errno)
            }
            guard n > 0 else {
                throw StreamError(.sizeMismatch, "\(context): the file ended after \(copied) of the declared \(size) bytes")
            }
            copied += Int64(n)
            afterDataHook?()
        }
    }

    /// The header libarchive writes for a regular member of `size` bytes, made by a scratch
    /// writer with this writer's settings into memory.
    private func memberHeader(_ name: String, size: Int64) throws(StreamError) -> [UInt8] {
        if let failure { throw failure }
        guard !closed else { throw StreamError(.io, "\(destination): member \(name.debugDescription) added after finish()") }
        let normalized = try TarPath.normalize(name)
        guard let scratch = archive_write_new(), let entry = archive_entry_new() else {
            throw StreamError(.library, "\(destination): archive_write_new failed")
        }
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer {
            // Marked failed first, so freeing it writes no end-of-archive blocks.
            archive_write_fail(scratch)
            archive_write_free(scratch)
            archive_entry_free(entry)
            buffer.deallocate()
        }
        var used = 0
        guard Self.configure(scratch) == ARCHIVE_OK, archive_write_open_memory(scratch, buffer, capacity, &used) == ARCHIVE_OK else {
            throw StreamError(.library, "\(destination): cannot set up a header writer")
        }
        Self.describeFile(entry, name: normalized, size: size)
        guard archive_write_header(scratch, entry) == ARCHIVE_OK else {
            let message = archive_error_string(scratch).map { String(cString: $0) } ?? "libarchive reported no message"
            throw StreamError(.library, "\(destination): member \(name.debugDescription): archive_write_header failed: \(message)")
        }
        return Array(UnsafeRawBufferPointer(start: buffer, count: used))
    }
}
