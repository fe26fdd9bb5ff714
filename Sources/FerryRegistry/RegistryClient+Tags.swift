extension RegistryClient {
    /// Every tag of a repository (`GET /v2/<name>/tags/list`), following `Link: <…>; rel="next"`
    /// until it is absent (formats.md §8.4).
    /// - Parameter pageSize: the `n` to ask for per page; `nil` lets the registry choose.
    public func tags(_ repository: String, pageSize: Int? = nil) async throws -> [String] {
        var url = try await endpoint(repository, "tags/list")
        if let pageSize { url = RegistryURL.appendingQuery(url, name: "n", value: String(pageSize)) }
        struct Page: Decodable { var tags: [String]? }
        return try await pages(from: url, scope: Scope.pull(repository), context: "tags of \(registry)/\(repository)", shape: "{\"name\",\"tags\":[…]}") {
            (page: Page) in
            page.tags ?? []
        }
    }
}
