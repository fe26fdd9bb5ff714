import Foundation
import FerryTestSupport
import Testing

/// What the token tests read from the token registry and its token server.
extension TestServices {
    /// The access-log lines of requests to `repository` that the token registry answered 401.
    static func refusals(in repository: String) throws -> [String] {
        let log = try #require(tokenRegistryLog)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        return text.split(separator: "\n").filter { $0.contains("/v2/\(repository)/") && $0.contains("\" 401 ") }.map(String.init)
    }

    /// How many tokens the token server has issued to `user` (asked with curl).
    static func tokensIssued(to user: String) async throws -> Int {
        let server = try #require(tokenServer)
        let curl = try #require(ExternalTool.find("curl"))
        let answer = try await ExternalTool.runChecked(curl, ["-sf", "--max-time", "10", "\(server)/count?user=\(user)"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        return try #require(object?["count"] as? Int)
    }
}
