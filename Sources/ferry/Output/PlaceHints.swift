import ArgumentParser
import FerryTransports
import Foundation

/// Parses a transport string like ``parseTransport(_:)``; a string without a transport that
/// names something on disk gets a message saying what it is and how to write it
/// (`./x is an OCI layout (a directory): write oci:./x`).
func parsePlace(_ string: String) throws -> TransportReference {
    do {
        return try TransportReference(parsing: string)
    } catch {
        if !string.contains(":") {
            let found = PlaceExamination.examine(string)
            if let transport = found.transport {
                throw ValidationError("\"\(string)\" names no transport; \(string) is \(found.phrase): write \(transport.rawValue):\(string)")
            }
        }
        throw ValidationError(error.message)
    }
}

/// Runs `body`; when it fails and one of `places` is on disk but not of the kind its transport
/// reads (`oci:` on a tar file, `docker-archive:` on a directory, an OCI archive read as a
/// docker-archive), fails instead with a usage error saying what it is and the right spelling.
func withPlaceHints<T>(_ places: [TransportReference], _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        for place in places {
            if let hint = PlaceExamination.hint(for: place) { throw TransportError(.invalidArgument, hint) }
        }
        throw error
    }
}
