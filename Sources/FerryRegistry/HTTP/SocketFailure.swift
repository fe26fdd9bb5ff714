import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain words for a failure of the socket itself (a refused or reset connection, an unreachable
/// host), which SwiftNIO reports as an `IOError` whose text repeats its own internals.
enum SocketFailure {
    /// A short phrase for `error` when it is a socket error, otherwise `nil`.
    static func phrase(_ error: any Error) -> String? {
        guard let error = error as? IOError else { return nil }
        return phrase(errno: error.errnoCode)
    }

    /// A short phrase for a socket `errno`: the known ones in words, others as the C library names them.
    static func phrase(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused (nothing listens on that port)"
        case ECONNRESET: return "the connection was reset"
        case ETIMEDOUT: return "the connection timed out"
        case EHOSTUNREACH: return "no route to the host"
        case ENETUNREACH: return "the network is unreachable"
        case EPIPE: return "the connection was closed while sending"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst() + " (errno \(code))"
        }
    }
}
