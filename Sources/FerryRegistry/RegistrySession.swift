/// What a client learns while it talks to a registry: which scheme answers, and how it wants
/// to be authenticated. Shared by every copy of a ``RegistryClient``.
actor RegistrySession {
    /// `scheme://host[:port]` once a ping succeeded.
    private(set) var baseURL: String?
    /// The challenge to answer on every request (`basic` or `bearer`), once one was seen.
    private(set) var challenge: AuthChallenge?

    func setBaseURL(_ url: String) { baseURL = url }

    func setChallenge(_ challenge: AuthChallenge) { self.challenge = challenge }
}
