internal import CLibArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a tar archive from a file, member by member, through libarchive.
///
/// gzip, zstd, xz and bzip2 compression is undone on the fly; nothing is ever unpacked to a
/// temporary file. gzip is inflated by ISA-L (``IsalGzipFileReader``, about 2.5× the speed of
/// libarchive's zlib filter), the others by libarchive's filters (`archive_read_support_filter_all`). ustar, pax and GNU tar headers (long names, long
/// link targets) are understood (`archive_read_support_format_tar`).
///
/// Owns one libarchive read handle, freed in `deinit` (`archive_read_free`). Not thread-safe: one
/// task uses it. To read members of an *uncompressed* tar in parallel, use ``TarIndex``.
///
/// ```swift
/// let reader = try TarReader(path: "image.tar.gz")
/// while let entry = try reader.nextEntry() {
///     let data = reader.entryData()      // valid until the next `nextEntry()`
///     try await data.drain()
/// }
/// ```
public final class TarReader {
    /// The archive's path, as given.
    public let path: String
    private let archive: OpaquePointer
    private var current: TarEntry?
    private var lastName: String?
    private var generation = 0
    private var failure: StreamError?
    private var ended = false
    /// What libarchive reads from when it does not open the file itself: ISA-L for a gzip file,
    /// the raw bytes of a pipe.
    private var readSource: (any ArchiveReadSource)?

    /// Opens the archive. The corresponding C functions are `archive_read_new`,
    /// `archive_read_support_filter_all`, `archive_read_support_format_tar` and
    /// `archive_read_open_filename` (or `archive_read_open` with ISA-L as the source, for gzip).
    /// - Throws: ``StreamError`` with code `notFound` or `io` when the file cannot be opened,
    ///   `corruptData` naming the path and libarchive's message when it is not a tar (or a
    ///   compressed tar) at all, `library` if libarchive cannot be set up.
    public convenience init(path: String) throws(StreamError) {
        try self.init(path: path, decompressing: true)
    }

    /// - Parameter decompressing: `false` reads only uncompressed tars, so data offsets in the
    ///   file are meaningful (``TarIndex``).
    init(path: String, decompressing: Bool) throws(StreamError) {
        guard let archive = archive_read_new() else {
            throw StreamError(.library, "\(path): archive_read_new failed")
        }
        self.archive = archive
        self.path = path
        // From here on `deinit` frees the handle, also when this initializer throws.
        if decompressing {
            try check(archive_read_support_filter_all(archive), "archive_read_support_filter_all")
        } else {
            try check(archive_read_support_filter_none(archive), "archive_read_support_filter_none")
        }
        try check(archive_read_support_format_tar(archive), "archive_read_support_format_tar")
        // libarchive reads the first block and picks the format while opening, so a file that is
        // not a tar already fails here. A system errno means the file could not be read; libarchive
        // reports format problems with EILSEQ (its ARCHIVE_ERRNO_FILE_FORMAT) or -1.
        let status: Int32
        if decompressing, FileSystem.isStream(path) {
            // A pipe can be read once: look at its first bytes without losing them.
            let input = try SequentialFileInput(path: path)
            let isGzip = try input.peek(IsalGzipFileReader.magic.count) == IsalGzipFileReader.magic
            status = open(from: isGzip ? IsalGzipFileReader(input: input) : PlainArchiveInput(input))
        } else if decompressing, IsalGzipFileReader.isGzip(path: path) {
            status = open(from: try IsalGzipFileReader(path: path))
        } else {
            status = archive_read_open_filename(archive, path, 1 << 20)
        }
        guard status == ARCHIVE_OK else {
            if let failure = readSource?.failure {
                throw StreamError(failure.code, "\(path): cannot open: \(failure.message)")
            }
            let number = archive_errno(archive)
            if number == ENOENT {
                throw StreamError(.notFound, "\(path): cannot open: \(libraryMessage())")
            } else if number > 0, number != EILSEQ {
                throw StreamError(.io, "\(path): cannot open: \(libraryMessage())")
            }
            throw StreamError(.corruptData, "\(path): not a readable tar archive: \(libraryMessage())")
        }
    }

    deinit { archive_read_free(archive) }

    /// Opens the handle on a source of ours (`archive_read_open2` with read and skip callbacks).
    private func open(from source: any ArchiveReadSource) -> Int32 {
        readSource = source
        let box = Unmanaged.passUnretained(source as AnyObject).toOpaque()
        return archive_read_open2(
            archive, box, nil,
            { _, client, buffer in
                // libarchive calls back on the thread that reads; the source outlives the handle.
                let source = Unmanaged<AnyObject>.fromOpaque(client!).takeUnretainedValue() as! any ArchiveReadSource
                guard let bytes = try? source.read() else { return -1 }
                buffer?.pointee = UnsafeRawPointer(bytes.baseAddress)
                return la_ssize_t(bytes.count)
            },
            { _, client, request in
                let source = Unmanaged<AnyObject>.fromOpaque(client!).takeUnretainedValue() as! any ArchiveReadSource
                return source.skip(request)
            }, nil)
    }

    /// Reads the tar a ``PartedFile`` holds: uncompressed only with `decompressing: false`
    /// (so data offsets are offsets in the whole, for ``TarIndex``), else any compression.
    init(parts: PartedFile, decompressing: Bool) throws(StreamError) {
        guard let archive = archive_read_new() else {
            throw StreamError(.library, "\(parts.manifestPath): archive_read_new failed")
        }
        self.archive = archive
        self.path = parts.manifestPath
        if decompressing {
            try check(archive_read_support_filter_all(archive), "archive_read_support_filter_all")
        } else {
            try check(archive_read_support_filter_none(archive), "archive_read_support_filter_none")
        }
        try check(archive_read_support_format_tar(archive), "archive_read_support_format_tar")
        guard open(from: PartedArchiveInput(parts)) == ARCHIVE_OK else {
            if let failure = readSource?.failure {
                throw StreamError(failure.code, "\(path): cannot open: \(failure.message)")
            }
            throw StreamError(.corruptData, "\(path): not a readable tar archive: \(libraryMessage())")
        }
    }

    /// Moves to the next member and describes it; the previous member's unread data is skipped.
    ///
    /// The corresponding C function is `archive_read_next_header`.
    /// - Returns: the member, or `nil` at the end of the archive.
    /// - Throws: ``StreamError`` with code `corruptData` naming the path, the previous member and
    ///   libarchive's message when the file is not a tar, is truncated or has a corrupt header.
    ///   After an error the reader must not be used again.
    public func nextEntry() throws(StreamError) -> TarEntry? {
        if let failure { throw failure }
        guard !ended else { return nil }
        generation += 1
        current = nil
        var entryPointer: OpaquePointer?
        let status = archive_read_next_header(archive, &entryPointer)
        if status == ARCHIVE_EOF {
            ended = true
            return nil
        }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entryPointer else {
            let where_ = lastName.map { "after member \($0.debugDescription)" } ?? "at the first header"
            let prefix = lastName == nil && archive_file_count(archive) == 0 ? "not a readable tar archive" : "corrupt or truncated tar archive"
            throw fail(StreamError(.corruptData, "\(path): \(prefix) \(where_): \(libraryMessage())"))
        }
        let entry = try describe(entryPointer)
        current = entry
        lastName = entry.name
        return entry
    }

    /// Reads the next part of the current member's data.
    ///
    /// The corresponding C function is `archive_read_data`.
    /// - Parameter max: the largest chunk returned; chunks are this size except the last.
    /// - Returns: the bytes, or `nil` at the end of the member's data (or when there is no current member).
    /// - Throws: ``StreamError`` with code `corruptData` naming the path, member and libarchive's
    ///   message when the data is truncated or cannot be decompressed.
    public func readChunk(max: Int = 1 << 20) throws(StreamError) -> [UInt8]? {
        if let failure { throw failure }
        guard let entry = current else { return nil }
        let capacity = Swift.max(1, max)
        var status = 0
        let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            status = archive_read_data(archive, buffer.baseAddress, capacity)
            initialized = Swift.max(0, status)
        }
        if status < 0 {
            throw fail(StreamError(.corruptData, "\(path): member \(entry.name.debugDescription): cannot read data: \(libraryMessage())"))
        }
        if chunk.isEmpty {
            current = nil
            return nil
        }
        return chunk
    }

    /// The current member's data as a stream, valid until the next call to ``nextEntry()``.
    ///
    /// - Parameter chunkSize: the largest chunk returned.
    /// - Returns: a stream that throws ``StreamError`` (`io`) if it is read after the reader has
    ///   moved on, rather than returning another member's bytes.
    public func entryData(chunkSize: Int = 1 << 20) -> any ByteStream {
        TarEntryDataStream(reader: self, generation: generation, chunkSize: chunkSize)
    }

    /// Reads for a stream made by ``entryData(chunkSize:)``, refusing stale ones.
    fileprivate func readChunk(generation: Int, max: Int) throws(StreamError) -> [UInt8]? {
        guard generation == self.generation else {
            throw StreamError(.io, "\(path): a member's data stream was read after the reader moved to another member")
        }
        return try readChunk(max: max)
    }

    /// Where the current member's data starts in the file; meaningful only for uncompressed archives.
    /// The corresponding C function is `archive_filter_bytes` (bytes the tar reader has consumed).
    var currentDataOffset: Int64 { archive_filter_bytes(archive, 0) }

    /// Whether the current member is stored sparse (its data is not one contiguous run).
    /// The corresponding C function is `archive_entry_sparse_count`.
    private(set) var currentIsSparse = false

    // MARK: - Helpers

    private func describe(_ entry: OpaquePointer) throws(StreamError) -> TarEntry {
        guard let name = Self.text(utf8: archive_entry_pathname_utf8(entry), raw: archive_entry_pathname(entry)) else {
            let after = lastName.map { " after member \($0.debugDescription)" } ?? ""
            throw fail(StreamError(.corruptData, "\(path): member\(after) has no name"))
        }
        currentIsSparse = archive_entry_sparse_count(entry) > 0
        let hardlink = Self.text(utf8: archive_entry_hardlink_utf8(entry), raw: archive_entry_hardlink(entry))
        let symlink = Self.text(utf8: archive_entry_symlink_utf8(entry), raw: archive_entry_symlink(entry))
        let kind: TarEntry.Kind
        let target: String?
        // AE_IFMT, AE_IFREG, … are casts in C macros, which Swift does not import.
        switch (UInt32(archive_entry_filetype(entry)) & 0o170000, hardlink) {
        case (_, .some(let link)): (kind, target) = (.hardlink, link)
        case (0o100000, nil): (kind, target) = (.regular, nil)
        case (0o040000, nil): (kind, target) = (.directory, nil)
        case (0o120000, nil): (kind, target) = (.symlink, symlink ?? "")
        default: (kind, target) = (.other, nil)
        }
        let size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0
        return TarEntry(
            name: name, kind: kind, size: Int64(size), linkTarget: target,
            mode: UInt32(archive_entry_perm(entry)) & 0o7777)
    }

    /// A name as UTF-8 when libarchive can convert it, else its raw bytes decoded leniently.
    private static func text(utf8: UnsafePointer<CChar>?, raw: UnsafePointer<CChar>?) -> String? {
        if let utf8 { return String(cString: utf8) }
        if let raw { return String(cString: raw) }
        return nil
    }

    private func check(_ status: Int32, _ function: String) throws(StreamError) {
        guard status == ARCHIVE_OK else {
            throw StreamError(.library, "\(path): libarchive \(function) failed: \(libraryMessage())")
        }
    }

    /// Remembers an error so every later call reports it instead of touching a broken handle.
    private func fail(_ error: StreamError) -> StreamError {
        failure = error
        current = nil
        return error
    }

    /// libarchive's message for the last failure (`archive_error_string`).
    private func libraryMessage() -> String {
        if let failure = readSource?.failure { return failure.message }
        guard let text = archive_error_string(archive) else { return "libarchive reported no message" }
        return String(cString: text)
    }
}

/// The data of one member of a ``TarReader``, valid until the reader moves on.
private final class TarEntryDataStream: ByteStream {
    private let reader: TarReader
    private let generation: Int
    private let chunkSize: Int

    init(reader: TarReader, generation: Int, chunkSize: Int) {
        self.reader = reader
        self.generation = generation
        self.chunkSize = chunkSize
    }

    func next() async throws -> [UInt8]? {
        try reader.readChunk(generation: generation, max: chunkSize)
    }
}
