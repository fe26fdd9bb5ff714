import Foundation
import Testing

extension TestServices {
    /// Whether `kind` runs, starting it if this is the first question (``running(_:)``), on a
    /// thread of its own: a start takes seconds (certificates, a Python server), which must not
    /// hold one of the few threads of the concurrency pool that every running test shares.
    ///
    /// - Throws: ``ServiceUnavailable`` when it cannot start and services are ``required``.
    public static func start(_ kind: Kind) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try running(kind) })
            }
            thread.name = "ferry-test-service-\(kind.rawValue)"
            thread.start()
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test or suite only when the service `kind` runs, starting it on first use
    /// (``TestServices/start(_:)``); skips it when the service cannot start, or fails it when
    /// services are required (`CI=true`, `FERRY_REQUIRE_SERVICES=1`).
    public static func needs(_ kind: TestServices.Kind) -> Self {
        .enabled("the \(kind.rawValue) service cannot start") { try await TestServices.start(kind) }
    }
}
