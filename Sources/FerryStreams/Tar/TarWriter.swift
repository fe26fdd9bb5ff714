internal import CLibArchive

/// Writes a tar archive with reproducible headers through libarchive.
///
/// Format: POSIX pax, restricted (`archive_write_set_format_pax_restricted`): plain ustar headers,
/// plus a pax extended header only for members that need one (names over 100 bytes, non-ASCII
/// names, sizes over 8 GiB). Every header has mtime 0, uid and gid 0, empty user and group names,
/// no atime or ctime, mode 0644 for files and 0755 for directories and 0777 for symbolic links, so
/// the same calls give the same bytes. Names are normalised with ``TarPath/normalize(_:)``
/// (unsafe names are refused). The archive ends with the two zero blocks and no further padding.
///
/// Owns one libarchive write handle and one entry, freed in `deinit` (`archive_write_free`,
/// `archive_entry_free`). Call ``finish()`` to learn whether the archive was written completely:
/// libarchive reports some write failures only when it closes. After any error the writer is
/// poisoned: every later call, including ``finish()``, throws that error, and the output must be
/// discarded. Not thread-safe: one task uses it.
public final class TarWriter {
    private let archive: OpaquePointer
    /// Called after each piece of member data is written (see ``init(into:)``).
    private var afterData: (() -> Void)?
    /// The file descriptor written to, for a writer made with one (``init(fileDescriptor:)``).
    private(set) var outputDescriptor: Int32?
    var afterDataHook: (() -> Void)? { afterData }
    private let entry: OpaquePointer
    let destination: String
    private(set) var failure: StreamError?
    private(set) var closed = false

    /// Creates (or truncates) the file at `path` and writes the archive to it.
    /// The corresponding C function is `archive_write_open_filename`.
    /// - Throws: ``StreamError`` with code `io` when the file cannot be created, `library` if
    ///   libarchive cannot be set up.
    public convenience init(path: String) throws(StreamError) {
        try self.init(destination: path) { archive in archive_write_open_filename(archive, path) }
    }

    /// Writes the archive to an open file descriptor, which stays open and owned by the caller.
    /// The corresponding C function is `archive_write_open_fd`.
    /// - Throws: ``StreamError`` with code `io` or `library` when libarchive cannot be set up.
    public convenience init(fileDescriptor: Int32) throws(StreamError) {
        try self.init(destination: "file descriptor \(fileDescriptor)") { archive in archive_write_open_fd(archive, fileDescriptor) }
        outputDescriptor = fileDescriptor
    }

    /// Writes the archive into an ``AtomicFileWriter``'s temporary file, letting a durable writer
    /// start writeback as the archive grows, so its final `fsync` finds little left to do.
    public convenience init(into writer: AtomicFileWriter) throws(StreamError) {
        try self.init(fileDescriptor: writer.fileDescriptor)
        afterData = { writer.startWritebackOfDirectWrites() }
    }

    private init(destination: String, open: (OpaquePointer) -> Int32) throws(StreamError) {
        guard let archive = archive_write_new() else {
            throw StreamError(.library, "\(destination): archive_write_new failed")
        }
        guard let entry = archive_entry_new() else {
            archive_write_free(archive)
            throw StreamError(.library, "\(destination): archive_entry_new failed")
        }
        self.archive = archive
        self.entry = entry
        self.destination = destination
        // From here on `deinit` frees both, also when this initializer throws.
        try check(Self.configure(archive), "cannot set the format", code: .library)
        try check(open(archive), "cannot open for writing", code: .writeFailed)
    }

    deinit {
        archive_write_free(archive)
        archive_entry_free(entry)
    }

    /// Adds a directory member (mode 0755).
    /// - Throws: ``StreamError`` with code `unsafePath` for an unsafe name, otherwise as libarchive reports.
    public func addDirectory(_ name: String) throws(StreamError) {
        try writeHeader(name, type: Self.directoryType, permissions: 0o755, size: 0)
        try finishEntry(name)
    }

    /// Adds a symbolic link member pointing at `target` (stored as given).
    /// - Throws: ``StreamError`` with code `unsafePath` for an unsafe name, otherwise as libarchive reports.
    public func addSymlink(_ name: String, target: String) throws(StreamError) {
        try writeHeader(name, type: Self.symlinkType, permissions: 0o777, size: 0, symlink: target)
        try finishEntry(name)
    }

    /// Adds a regular file member (mode 0644) holding `bytes`.
    /// - Throws: ``StreamError`` with code `unsafePath` for an unsafe name, `io` when writing fails.
    public func addFile(_ name: String, bytes: [UInt8]) throws(StreamError) {
        try writeHeader(name, type: Self.regularType, permissions: 0o644, size: Int64(bytes.count))
        try writeData(bytes, member: name)
        try finishEntry(name)
    }

    /// Adds a regular file member (mode 0644) of exactly `size` bytes read from `stream`.
    ///
    /// The header is written first, so `size` must be known; data is copied chunk by chunk.
    /// - Throws: ``StreamError`` with code `sizeMismatch` when the stream is shorter or longer
    ///   than `size` (the archive is then unusable and the writer poisoned), `unsafePath` for an
    ///   unsafe name, `io` when writing fails; the stream's own error, or `CancellationError`
    ///   (either also poisons the writer).
    public func addFile(_ name: String, size: Int64, from stream: any ByteStream) async throws {
        try writeHeader(name, type: Self.regularType, permissions: 0o644, size: size)
        var written: Int64 = 0
        do {
            while let chunk = try await stream.next() {
                try Task.checkCancellation()
                guard written + Int64(chunk.count) <= size else {
                    throw poison(
                        StreamError(.sizeMismatch, "\(destination): member \(name.debugDescription): stream is longer than the declared \(size) bytes"))
                }
                try writeData(chunk, member: name)
                written += Int64(chunk.count)
            }
        } catch let error as StreamError {
            throw poison(error)
        } catch {
            _ = poison(StreamError(.io, "\(destination): member \(name.debugDescription): writing stopped after \(written) of \(size) bytes: \(error)"))
            throw error
        }
        guard written == size else {
            throw poison(
                StreamError(.sizeMismatch, "\(destination): member \(name.debugDescription): stream ended after \(written) of the declared \(size) bytes"))
        }
        try finishEntry(name)
    }

    /// Writes the end of the archive and closes it, reporting any error.
    ///
    /// The corresponding C function is `archive_write_close`. Calling it again does nothing.
    /// - Throws: the writer's earlier error, if any; otherwise ``StreamError`` with code `io`
    ///   carrying libarchive's message when the archive could not be completed.
    public func finish() throws(StreamError) {
        if let failure { throw failure }
        guard !closed else { return }
        closed = true
        try check(archive_write_close(archive), "cannot complete the archive", code: .writeFailed)
    }

    // MARK: - Helpers

    /// The format and blocking every writer uses: pax restricted, no filter, no padding of the
    /// last block, and no blocking — each header and data chunk goes to `write(2)` as it is,
    /// instead of through a 10 KiB block buffer (one more copy, and 62 000 write calls for a
    /// 621 MB archive); with no padding either way, the bytes are the same.
    static func configure(_ archive: OpaquePointer) -> Int32 {
        for status in [
            archive_write_set_format_pax_restricted(archive), archive_write_add_filter_none(archive),
            archive_write_set_bytes_in_last_block(archive, 1), archive_write_set_bytes_per_block(archive, 0),
        ] where status != ARCHIVE_OK {
            return status
        }
        return ARCHIVE_OK
    }

    /// Fills `entry` for a regular file member (mode 0644, owner 0, mtime 0).
    static func describeFile(_ entry: OpaquePointer, name: String, size: Int64) {
        describe(entry, name: name, type: regularType, permissions: 0o644, size: size, symlink: nil)
    }

    private static func describe(_ entry: OpaquePointer, name: String, type: UInt32, permissions: UInt32, size: Int64, symlink: String?) {
        archive_entry_clear(entry)
        archive_entry_set_pathname_utf8(entry, name)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, permissions)
        archive_entry_set_size(entry, size)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, 0, 0)
        if let symlink { archive_entry_set_symlink_utf8(entry, symlink) }
    }

    // AE_IFREG, AE_IFDIR, AE_IFLNK are casts in C macros, which Swift does not import.
    private static let regularType: UInt32 = 0o100000
    private static let directoryType: UInt32 = 0o040000
    private static let symlinkType: UInt32 = 0o120000

    private func writeHeader(_ name: String, type: UInt32, permissions: UInt32, size: Int64, symlink: String? = nil) throws(StreamError) {
        if let failure { throw failure }
        guard !closed else { throw StreamError(.io, "\(destination): member \(name.debugDescription) added after finish()") }
        guard size >= 0 else {
            throw StreamError(.sizeMismatch, "\(destination): member \(name.debugDescription): negative size \(size)")
        }
        let normalized = try TarPath.normalize(name)
        Self.describe(entry, name: normalized, type: type, permissions: permissions, size: size, symlink: symlink)
        let status = archive_write_header(archive, entry)
        guard status == ARCHIVE_OK else {
            throw poison(
                StreamError(
                    status == ARCHIVE_FATAL ? .writeFailed : .library,
                    "\(destination): member \(name.debugDescription): archive_write_header failed: \(libraryMessage())"))
        }
    }

    private func writeData(_ bytes: [UInt8], member name: String) throws(StreamError) {
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let reason = written < 0 ? libraryMessage() : "wrote \(written) of \(bytes.count) bytes"
            throw poison(StreamError(.writeFailed, "\(destination): member \(name.debugDescription): archive_write_data failed: \(reason)"))
        }
        afterData?()
    }

    private func finishEntry(_ name: String) throws(StreamError) {
        let status = archive_write_finish_entry(archive)
        guard status == ARCHIVE_OK else {
            throw poison(StreamError(.writeFailed, "\(destination): member \(name.debugDescription): archive_write_finish_entry failed: \(libraryMessage())"))
        }
    }

    private func check(_ status: Int32, _ what: String, code: StreamError.Code) throws(StreamError) {
        guard status == ARCHIVE_OK else {
            throw poison(StreamError(code, "\(destination): \(what): \(libraryMessage())"))
        }
    }

    /// Remembers the first error so every later call reports it.
    func poison(_ error: StreamError) -> StreamError {
        if failure == nil { failure = error }
        return failure ?? error
    }

    /// libarchive's message for the last failure (`archive_error_string`).
    private func libraryMessage() -> String {
        guard let text = archive_error_string(archive) else { return "libarchive reported no message" }
        return String(cString: text)
    }
}
