import Foundation
import FerrySpec

/// A running Tests/Support/referrers-stub.py: a stub registry with the OCI referrers API, which
/// no registry the tests can start here has (Debian's docker-registry 2.8 lacks it); its log lines
/// read `METHOD PATH`.
public typealias ReferrersStub = LoggingTestServer

/// Starts Tests/Support/referrers-stub.py on a free 127.0.0.1 port, serving `referrers` (by
/// subject digest) one per page, runs `body`, and stops exactly that process afterwards.
///
/// - Parameter filtering: whether the stub applies an `artifactType` filter itself (and says so in
///   `OCI-Filters-Applied`), or ignores it and leaves the filtering to the client.
/// - Throws: ``ExternalToolError`` when python3 or the script is missing or the stub does not
///   start, or what `body` throws.
public func withReferrersStub<T>(
    referrers: [Digest: [Descriptor]], filtering: Bool = true, _ body: (ReferrersStub) async throws -> T
) async throws -> T {
    guard let root = SharedFixtures.packageRoot else { throw ExternalToolError("no package root") }
    return try await withTemporaryDirectory { dir in
        let dataPath = dir + "/referrers.json"
        let byString = Dictionary(uniqueKeysWithValues: referrers.map { ($0.key.description, $0.value) })
        try JSONEncoder().encode(byString).write(to: URL(fileURLWithPath: dataPath))
        let logPath = dir + "/requests.log"
        let arguments = ["--data", dataPath, "--log", logPath] + (filtering ? [] : ["--no-filtering"])
        return try await withTestServer(script: root + "/Tests/Support/referrers-stub.py", arguments: arguments, in: dir) { port in
            try await body(ReferrersStub(host: "127.0.0.1:\(port)", logFile: logPath))
        }
    }
}
