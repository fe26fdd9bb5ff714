/// What a client learns while it talks to a registry: which scheme answers, and how it wants
/// to be authenticated. Shared by every copy of a ``RegistryClient``.
actor RegistrySession {
    /// `scheme://host[:port]` once a ping succeeded.
    private(set) var baseURL: String?
    /// The challenge to answer on every request (`basic` or `bearer`), once one was seen.
    private(set) var challenge: AuthChallenge?

    /// The ping in flight, so that requests started together ping once.
    private var ping: Task<String, any Error>?

    func setBaseURL(_ url: String) { baseURL = url }

    /// The ping in flight, started with `start` when there is none.
    func sharedPing(_ start: @escaping @Sendable () async throws -> String) -> Task<String, any Error> {
        if let ping { return ping }
        let task = Task { try await start() }
        ping = task
        return task
    }

    /// Forgets a failed ping, so that a later request tries again.
    func forgetPing() { ping = nil }

    func setChallenge(_ challenge: AuthChallenge) { self.challenge = challenge }
}
