import AsyncHTTPClient
import Foundation
import NIOHTTP1

extension RegistryClient {
    /// Reads a paginated list page by page (tags, catalog; formats.md §8.4), following
    /// `Link: <…>; rel="next"` until it is absent, refusing a `Link` that loops back and stopping
    /// at ``RegistryOptions/listLimits``. A link to another origin is followed without
    /// credentials (``CredentialBinding``).
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
        var bound = ListBound(limits: options.listLimits, registry: registry, context: context)
        while visited.insert(url).inserted {
            try bound.countPage()
            let response = try await send(RegistryRequest(method: .GET, url: url, scope: scope, expected: [200], followsRedirects: true))
            let body = try await readBody(response, limit: 16 << 20, context: context)
            guard let page = try? JSONDecoder().decode(Page.self, from: Data(body)) else {
                throw RegistryError(.invalidResponse, "GET \(url): the answer is not \(shape) JSON", method: "GET", url: url)
            }
            let entries = items(page)
            try bound.count(entries: entries.count)
            all += entries
            guard let next = response.headers.first(name: "Link").flatMap(RegistryURL.nextLink) else { return all }
            url = try RegistryURL.follow(next, against: url, what: "the Link to the next page")
        }
        throw RegistryError(.invalidResponse, "\(context): the registry's Link pages loop back to \(url)")
    }
}

/// Counts the pages and entries of one paginated list against ``ListLimits``.
struct ListBound {
    let limits: ListLimits
    let registry: String
    let context: String
    private(set) var pages = 0
    private(set) var entries = 0

    init(limits: ListLimits, registry: String, context: String) {
        self.limits = limits
        self.registry = registry
        self.context = context
    }

    /// Counts one more page about to be asked for.
    mutating func countPage() throws(RegistryError) {
        pages += 1
        guard pages <= limits.maximumPages else {
            throw RegistryError(
                .invalidResponse,
                "\(context): the registry \(registry) keeps linking to further pages; stopped after \(limits.maximumPages) pages (the bound FERRY_LIST_MAX_PAGES sets)"
            )
        }
    }

    /// Counts the entries of a page just read.
    mutating func count(entries more: Int) throws(RegistryError) {
        entries += more
        guard entries <= limits.maximumEntries else {
            throw RegistryError(
                .invalidResponse,
                "\(context): the registry \(registry) sent more than \(limits.maximumEntries) entries over \(pages) pages; stopped (the bound FERRY_LIST_MAX_ENTRIES sets)"
            )
        }
    }
}
