import ArgumentParser
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// Turns any error into the one line a user reads and the exit code a script branches on.
enum Failure {
    /// Exit codes: 1 the input is invalid or an operation failed, 2 usage, 3 could not read.
    static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case let e as TransportError where e.code == .invalidArgument: return ExitCode(2)
        case let e as TransportError where e.code == .notFound: return ExitCode(3)
        case let e as StreamError where e.code == .io || e.code == .notFound: return ExitCode(3)
        case let e as RegistryError where e.code == .notFound: return ExitCode(3)
        case let e as RegistryError where e.code == .invalidArgument: return ExitCode(2)
        default: return ExitCode(1)
        }
    }

    static func message(for error: any Error) -> String {
        switch error {
        case let e as TransportError: return e.message
        case let e as StreamError: return e.message
        case let e as SpecError: return e.message
        case let e as EngineError: return e.message
        case let e as RegistryError: return e.message
        case is CancellationError: return "cancelled"
        default: return String(describing: error)
        }
    }

    /// Prints `ferry: error: …` to standard error and returns the exit code to throw.
    static func report(_ error: any Error) -> ExitCode {
        // Stopped by a signal: Interruption said so already; not an error of its own.
        if let signal = Interruption.signal { return ExitCode(Interruption.exitStatus(for: signal)) }
        let line = "ferry: error: \(message(for: error))\n"
        FileHandle.standardError.write(Data(line.utf8))
        return exitCode(for: error)
    }
}

/// Runs a command body, mapping errors to a printed message and an exit code.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw Failure.report(error)
    }
}

/// Parses a transport string as an argument-parser validation error on failure.
func parseTransport(_ string: String) throws -> TransportReference {
    do {
        return try TransportReference(parsing: string)
    } catch {
        throw ValidationError(error.message)
    }
}
