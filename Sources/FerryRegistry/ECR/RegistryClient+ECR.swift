import Foundation

extension RegistryClient {
    /// Creates `repository` when this client's registry is Amazon ECR (`CreateRepository`, signed
    /// with the AWS credentials of ``AWSConfiguration``); an existing repository is fine. Other
    /// registries create repositories on push, so nothing is done for them.
    /// - Returns: whether a repository was created.
    /// - Throws: ``RegistryError`` when no AWS credentials are configured or the call fails.
    @discardableResult
    public func createRepository(_ repository: String) async throws -> Bool {
        guard let ecr = ECRRegistry(host: registry) else { return false }
        let environment = options.environment ?? ProcessInfo.processInfo.environment
        guard let aws = try AWSConfiguration(environment: environment).credentials() else {
            throw RegistryError(
                .credentials, "--create-repository for \(registry): no AWS credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials)")
        }
        let endpoint = ECRAPIClient.endpointOverride(environment) ?? ecr.apiEndpoint
        let api = ECRAPIClient(
            credentials: aws, region: ecr.region, defaultEndpoint: ecr.apiEndpoint, environment: environment, http: http.client(for: endpoint))
        return try await api.createRepository(repository)
    }
}
