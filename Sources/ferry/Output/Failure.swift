import ArgumentParser
import FerryEngine
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// Turns any error into the one line a user reads and the exit code a script branches on.
enum Failure {
    /// Exit codes (``FailureKind``): 1 invalid input or a verification failure, 2 usage, 3 the
    /// source could not be read or reached, 4 the destination could not be written.
    /// - Parameter registries: for `copy`, which sides are registries, so that a registry error
    ///   is classed as the source's or the destination's.
    static func exitCode(for error: any Error, registries: CopyRegistries = CopyRegistries()) -> ExitCode {
        ExitCode(FailureKind(error, registrySide: registries.side(of: error)).exitStatus)
    }

    static func message(for error: any Error) -> String {
        FailureKind.message(for: error)
    }

    /// Prints `ferry: error: …` to standard error and returns the exit code to throw.
    static func report(_ error: any Error, registries: CopyRegistries = CopyRegistries()) -> ExitCode {
        // Stopped by a signal: Interruption said so already; not an error of its own.
        if let signal = Interruption.signal { return ExitCode(Interruption.exitStatus(for: signal)) }
        let line = "ferry: error: \(TerminalText.escaped(message(for: error)))\n"
        FileHandle.standardError.write(Data(line.utf8))
        return exitCode(for: error, registries: registries)
    }
}

/// Runs a command body, mapping errors to a printed message and an exit code.
/// - Parameter registries: for `copy`, which sides are registries (a destination registry's
///   errors exit 4).
func runReportingErrors(registries: CopyRegistries = CopyRegistries(), _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw Failure.report(error, registries: registries)
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
