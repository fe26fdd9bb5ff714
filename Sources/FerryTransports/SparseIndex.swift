import FerryRegistry
import FerrySpec

/// An index whose children are not all held: what `ctr images export --platform` and containerd
/// exports generally write (the whole multi-platform index, the blobs of the selected platforms
/// only). The image-layout spec allows it, so a child that is absent is a note, not an error, in
/// every transport, worded the same way.
public enum SparseIndex {
    /// Whether an error from ``ImageSource/document(_:)`` or ``ImageSource/blob(_:)`` means the
    /// document is simply not there (not that it is there and unreadable).
    public static func isAbsent(_ error: any Error) -> Bool {
        switch error {
        case let e as TransportError: return e.code == .notFound
        case let e as RegistryError: return e.code == .notFound
        default: return false
        }
    }

    /// `linux/arm64 (sha256:0123456789ab), …`: an index entry by its platform where it has one.
    public static func describe(_ entries: [Descriptor]) -> String {
        entries.map { entry in
            entry.platform.map { "\($0) (\(entry.digest.short))" } ?? entry.digest.description
        }.joined(separator: ", ")
    }

    /// The platforms an index entry list names, `os/arch[/variant]`, in order and without repeats.
    public static func platforms(_ entries: [Descriptor]) -> [String] {
        var seen = Set<String>()
        return entries.compactMap { $0.platform?.description }.filter { seen.insert($0).inserted }
    }

    /// One sentence saying which entries of an index the source does not hold and were not copied.
    public static func note(source: String, absent: [Descriptor]) -> String {
        "\(source): the index names \(absent.count) manifest\(absent.count == 1 ? "" : "s") that the source does not hold (a sparse index, as containerd exports write), not copied: \(describe(absent))"
    }
}
