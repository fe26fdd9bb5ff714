extension RegistryClient {
    /// Every repository the registry lists (`GET /v2/_catalog`), following
    /// `Link: <…>; rel="next"` until it is absent (formats.md §8.1, §8.4).
    ///
    /// Not part of the OCI specification: many registries disable it (Docker Hub) or answer
    /// only the repositories the credentials may see. The token asks for `registry:catalog:*`.
    /// - Parameter pageSize: the `n` to ask for per page; `nil` lets the registry choose
    ///   (distribution: 100 at a time).
    /// - Throws: ``RegistryError`` (`notFound` or `unauthorized` when the registry has no catalog
    ///   for this client).
    public func catalog(pageSize: Int? = nil) async throws -> [String] {
        var url = try await baseURL() + "/v2/_catalog"
        if let pageSize { url = RegistryURL.appendingQuery(url, name: "n", value: String(pageSize)) }
        struct Page: Decodable { var repositories: [String]? }
        return try await pages(from: url, scope: Scope.catalog, context: "catalog of \(registry)", shape: "{\"repositories\":[…]}") { (page: Page) in
            page.repositories ?? []
        }
    }
}
