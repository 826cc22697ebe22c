import Foundation

/// A database call that took longer than its deadline.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer within \(limit)" }
}

/// Runs `operation`, giving up on it after `limit`: the caller goes on with ``DeadlineExceeded``
/// and the operation is cancelled (and left to end on its own).
///
/// PostgreSQL restarting under a running query can leave PostgresNIO's call waiting for ever
/// (seen with a fast shutdown: the worker's pass, or the recording of a batch, never returned). A
/// deadline turns that into an error the worker recovers from: the pass is tried again, the
/// batch is sent again (at least once).
func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.install(continuation)
        let task = Task {
            do {
                outcome.finish(.success(try await operation()))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: limit)
            if outcome.finish(.failure(DeadlineExceeded(limit: limit))) { task.cancel() }
        }
    }
}

/// Resumes a continuation with the first outcome given; later ones are dropped.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    /// `true` when this outcome was the first.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !done else {
            lock.unlock()
            return false
        }
        done = true
        guard let continuation else {
            early = result
            lock.unlock()
            return true
        }
        self.continuation = nil
        lock.unlock()
        continuation.resume(with: result)
        return true
    }
}
