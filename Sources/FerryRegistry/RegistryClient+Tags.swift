import AsyncHTTPClient
import Foundation
import NIOHTTP1

extension RegistryClient {
    /// Every tag of a repository (`GET /v2/<name>/tags/list`), following `Link: <…>; rel="next"`
    /// until it is absent (formats.md §8.4).
    /// - Parameter pageSize: the `n` to ask for per page; `nil` lets the registry choose.
    public func tags(_ repository: String, pageSize: Int? = nil) async throws -> [String] {
        var url = try await endpoint(repository, "tags/list")
        if let pageSize { url = RegistryURL.appendingQuery(url, name: "n", value: String(pageSize)) }
        var all: [String] = []
        var visited = Set<String>()
        while visited.insert(url).inserted {
            let response = try await send(RegistryRequest(method: .GET, url: url, scope: Scope.pull(repository), expected: [200], followsRedirects: true))
            let body = try await readBody(response, limit: 16 << 20, context: "tags of \(registry)/\(repository)")
            struct Page: Decodable { var tags: [String]? }
            guard let page = try? JSONDecoder().decode(Page.self, from: Data(body)) else {
                throw RegistryError(.invalidResponse, "GET \(url): the tag list is not {\"name\",\"tags\":[…]} JSON", method: "GET", url: url)
            }
            all += page.tags ?? []
            guard let next = response.headers.first(name: "Link").flatMap(RegistryURL.nextLink) else { return all }
            url = RegistryURL.resolve(next, against: url)
        }
        throw RegistryError(.invalidResponse, "tags of \(registry)/\(repository): the registry's Link pages loop back to \(url)")
    }
}
