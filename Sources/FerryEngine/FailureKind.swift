import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports

/// The four ways a command fails, each with its own exit status, so that every command and the
/// README agree on what a status means.
public enum FailureKind: Sendable, Equatable {
    /// A malformed transport string, option or argument (exit 2).
    case usage
    /// The source could not be opened, read or reached: no such file, a read error, a registry
    /// that refuses the connection, the credentials or the request (exit 3).
    case sourceUnreadable
    /// The input is invalid or did not verify: not a layout, no such image, a blob missing, a
    /// digest mismatch, a conversion that cannot be made (exit 1).
    case invalidInput
    /// The destination could not be written: a full disk, no permission, a registry that
    /// refuses the upload (exit 4).
    case destinationUnwritable

    /// Where a registry error came from, which only the caller knows.
    public enum RegistrySide: Sendable {
        case source, destination
    }

    /// Classifies `error`.
    /// - Parameter registrySide: whether a ``RegistryError`` came from the source or the
    ///   destination registry.
    public init(_ error: any Error, registrySide: RegistrySide = .source) {
        switch error {
        case let e as TransportError:
            switch e.code {
            case .invalidArgument: self = .usage
            case .unreadable: self = .sourceUnreadable
            default: self = .invalidInput
            }
        case let e as StreamError:
            switch e.code {
            case .writeFailed: self = .destinationUnwritable
            case .io, .notFound: self = .sourceUnreadable
            default: self = .invalidInput
            }
        case let e as RegistryError:
            switch e.code {
            case .invalidArgument: self = .usage
            case .notFound, .invalidResponse: self = registrySide == .destination ? .destinationUnwritable : .invalidInput
            default: self = registrySide == .destination ? .destinationUnwritable : .sourceUnreadable
            }
        default:
            self = .invalidInput
        }
    }

    /// The exit status: 1 invalid input, 2 usage, 3 source unreadable, 4 destination unwritable.
    public var exitStatus: Int32 {
        switch self {
        case .invalidInput: return 1
        case .usage: return 2
        case .sourceUnreadable: return 3
        case .destinationUnwritable: return 4
        }
    }
}

extension FailureKind {
    /// The sentence an error carries, for a command's error line or a report: every Ferry error's
    /// own message (it names what and where), `cancelled` for a cancellation.
    public static func message(for error: any Error) -> String {
        switch error {
        case let e as any FerryFailure: return e.message
        case is CancellationError: return "cancelled"
        default: return String(describing: error)
        }
    }
}
