/// Bounded concurrency over a sequence: the one sliding window Ferry uses wherever it runs many
/// jobs at most `limit` at a time (blob jobs, layer inspection, verification, digests, sync).
///
/// The window starts `limit` tasks, and starts the next element's as each one finishes, so
/// that a slow element never holds back the rest. The first error thrown cancels the tasks
/// still running and is rethrown once they have stopped; no task outlives the call.
extension Sequence where Element: Sendable {
    /// Runs `body` on every element, at most `limit` at once.
    /// - Parameters:
    ///   - limit: the most elements in flight; below 1 counts as 1.
    ///   - body: the work for one element.
    /// - Throws: the first error `body` throws (the rest are cancelled).
    public func forEachConcurrently(
        limit: Int, _ body: @escaping @Sendable (Element) async throws -> Void
    ) async throws {
        _ = try await mapConcurrently(limit: limit) { element in try await body(element) }
    }

    /// `body` over every element, at most `limit` at once, the results in the elements' order.
    /// - Parameters:
    ///   - limit: the most elements in flight; below 1 counts as 1.
    ///   - body: the work for one element.
    /// - Throws: the first error `body` throws (the rest are cancelled).
    public func mapConcurrently<Result: Sendable>(
        limit: Int, _ body: @escaping @Sendable (Element) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var pending = self.enumerated().makeIterator()
            var results: [Result?] = []
            for _ in 0..<Swift.max(1, limit) {
                guard let (index, element) = pending.next() else { break }
                results.append(nil)
                group.addTask { (index, try await body(element)) }
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if let (next, element) = pending.next() {
                    results.append(nil)
                    group.addTask { (next, try await body(element)) }
                }
            }
            return results.map { $0! }
        }
    }

    /// `body` over every element, at most `limit` at once, the results in the elements' order;
    /// for work that reports its failures in its result instead of throwing.
    /// - Parameters:
    ///   - limit: the most elements in flight; below 1 counts as 1.
    ///   - body: the work for one element.
    public func mapConcurrently<Result: Sendable>(
        limit: Int, _ body: @escaping @Sendable (Element) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var pending = self.enumerated().makeIterator()
            var results: [Result?] = []
            for _ in 0..<Swift.max(1, limit) {
                guard let (index, element) = pending.next() else { break }
                results.append(nil)
                group.addTask { (index, await body(element)) }
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if let (next, element) = pending.next() {
                    results.append(nil)
                    group.addTask { (next, await body(element)) }
                }
            }
            return results.map { $0! }
        }
    }
}
