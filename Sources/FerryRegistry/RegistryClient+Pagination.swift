import AsyncHTTPClient
import Foundation
import NIOHTTP1

extension RegistryClient {
    /// Reads a paginated list page by page (tags, catalog; formats.md §8.4), following
    /// `Link: <…>; rel="next"` until it is absent and refusing a `Link` that loops back.
    /// - Parameters:
    ///   - url: the first page, with `n` already set when wanted.
    ///   - scope: the token scope every page needs.
    ///   - context: what is listed, for messages (`tags of HOST/REPO`).
    ///   - shape: the JSON the page should be, for messages.
    ///   - items: the entries of one decoded page.
    func pages<Page: Decodable>(from url: String, scope: String, context: String, shape: String, items: (Page) -> [String]) async throws -> [String] {
        var url = url
        var all: [String] = []
        var visited = Set<String>()
        while visited.insert(url).inserted {
            let response = try await send(RegistryRequest(method: .GET, url: url, scope: scope, expected: [200], followsRedirects: true))
            let body = try await readBody(response, limit: 16 << 20, context: context)
            guard let page = try? JSONDecoder().decode(Page.self, from: Data(body)) else {
                throw RegistryError(.invalidResponse, "GET \(url): the answer is not \(shape) JSON", method: "GET", url: url)
            }
            all += items(page)
            guard let next = response.headers.first(name: "Link").flatMap(RegistryURL.nextLink) else { return all }
            url = RegistryURL.resolve(next, against: url)
        }
        throw RegistryError(.invalidResponse, "\(context): the registry's Link pages loop back to \(url)")
    }
}
