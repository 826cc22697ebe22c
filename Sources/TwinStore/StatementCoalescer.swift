import Foundation

/// Statements coalesced under load: while `slots` statements are in flight, further requests
/// wait, and the next statement serves all of them at once (a read with `WHERE id = ANY($1)`, a
/// write with `unnest` of arrays), so the database driver and the server pay per statement, not
/// per request.
///
/// With fewer than `slots` requests at a time, each runs alone at once: no added latency when
/// idle. A request waits for no statement that started before it, so a read issued after a
/// write completed sees that write. No extra task is made: the task of a waiting request runs
/// the next statement itself (it is handed the lead when a slot frees up).
///
/// Why: PostgresNIO costs about three times what libpq costs per statement on this workload
/// (docs/performance.md), and a statement that serves eight rows costs the server little more
/// than one that serves one.
final class StatementCoalescer<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    /// The statement for several requests: one output per input, in their order.
    typealias Run = @Sendable ([Input]) async throws -> [Output]

    private enum Turn {
        /// The request's output came with another request's statement.
        case done(Result<Output, any Error>)
        /// The request runs the next statement.
        case lead
    }

    private struct Waiter {
        let input: Input
        let continuation: CheckedContinuation<Turn, Never>
    }

    private let slots: Int
    private let maxBatch: Int
    private let statement: Run
    private let lock = NSLock()
    private var inFlight = 0
    private var waiting: [Waiter] = []
    private var largest = 0

    /// - Parameters:
    ///   - slots: statements in flight at most (a share of the connection pool).
    ///   - maxBatch: requests per statement at most.
    ///   - statement: serves several requests, one output per input in their order.
    init(slots: Int, maxBatch: Int, statement: @escaping Run) {
        precondition(slots > 0 && maxBatch > 0)
        self.slots = slots
        self.maxBatch = maxBatch
        self.statement = statement
    }

    /// Requests waiting for a statement (for tests).
    var waitingCount: Int { lock.withLock { waiting.count } }

    /// The most requests one statement has served so far (for tests).
    var largestBatch: Int { lock.withLock { largest } }

    /// The output for `input`, from a statement run alone or with other waiting requests.
    func run(_ input: Input) async throws -> Output {
        let leadsNow = lock.withLock {
            guard inFlight < slots else { return false }
            inFlight += 1
            return true
        }
        if leadsNow { return try await lead(with: input) }
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            lock.withLock {
                // A slot may have freed up meanwhile: then this request leads.
                if inFlight < slots {
                    inFlight += 1
                    continuation.resume(returning: Turn.lead)
                } else {
                    waiting.append(Waiter(input: input, continuation: continuation))
                }
            }
        }
        switch turn {
        case .done(let result): return try result.get()
        case .lead: return try await lead(with: input)
        }
    }

    /// Holding a slot: runs the statement for `input` and up to `maxBatch - 1` waiting requests,
    /// answers the waiters, then hands the slot to the next waiter (or frees it).
    private func lead(with input: Input) async throws -> Output {
        let riders = lock.withLock { () -> [Waiter] in
            let count = min(waiting.count, maxBatch - 1)
            largest = max(largest, count + 1)
            defer { waiting.removeFirst(count) }
            return Array(waiting.prefix(count))
        }
        var inputs = [input]
        inputs.append(contentsOf: riders.map(\.input))
        let result: Result<[Output], any Error>
        do {
            let outputs = try await statement(inputs)
            precondition(outputs.count == inputs.count, "a coalesced statement answers every request")
            result = .success(outputs)
        } catch {
            result = .failure(error)
        }
        if case .failure = result, Task.isCancelled {
            // This request was cancelled (its client went away), which may be why the statement
            // failed: the other requests go back to the head of the queue, to be served again.
            lock.withLock { waiting.insert(contentsOf: riders, at: 0) }
        } else {
            for (index, rider) in riders.enumerated() {
                rider.continuation.resume(returning: .done(result.map { $0[index + 1] }))
            }
        }
        let next = lock.withLock { () -> Waiter? in
            if waiting.isEmpty {
                inFlight -= 1
                return nil
            }
            return waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        return try result.get()[0]
    }
}

/// Point reads by key: the value of each key, or `nil` when there is none.
typealias PointReadCoalescer<Value: Sendable> = StatementCoalescer<String, Value?>

extension StatementCoalescer where Input == String {
    /// Point reads whose statement answers with the values of the keys that exist.
    convenience init<Value: Sendable>(
        slots: Int, maxBatch: Int, fetch: @escaping @Sendable ([String]) async throws -> [String: Value]
    ) where Output == Value? {
        self.init(slots: slots, maxBatch: maxBatch) { keys in
            let found = try await fetch(keys)
            return keys.map { found[$0] }
        }
    }

    /// The value of `key`, or `nil` when there is none.
    func read(_ key: String) async throws -> Output { try await run(key) }
}
