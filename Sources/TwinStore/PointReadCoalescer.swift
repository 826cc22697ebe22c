import Foundation

/// Point reads by key, coalesced under load: while `slots` statements are in flight, further
/// reads wait and the next statement fetches all of them at once (`WHERE id = ANY($1)`), so the
/// database driver and the server pay per statement, not per read.
///
/// With fewer than `slots` reads at a time, each runs alone at once: no added latency when idle.
/// A read waits for no statement that started before it, so a read issued after a write
/// completed sees that write. No extra task is made: the task of a waiting read runs the next
/// statement itself (it is handed the lead when a slot frees up).
///
/// Why: PostgresNIO costs about three times what libpq costs per statement on this workload
/// (docs/performance.md), and a statement that fetches eight rows costs the server little more
/// than one that fetches one.
final class PointReadCoalescer<Value: Sendable>: @unchecked Sendable {
    typealias Fetch = @Sendable ([String]) async throws -> [String: Value]

    private enum Turn {
        /// The read's value (or its absence) came with another read's statement.
        case done(Result<Value?, any Error>)
        /// The read runs the next statement.
        case lead
    }

    private struct Waiter {
        let key: String
        let continuation: CheckedContinuation<Turn, Never>
    }

    private let slots: Int
    private let maxBatch: Int
    private let fetch: Fetch
    private let lock = NSLock()
    private var inFlight = 0
    private var waiting: [Waiter] = []

    /// - Parameters:
    ///   - slots: statements in flight at most (a share of the connection pool).
    ///   - maxBatch: keys per statement at most.
    ///   - fetch: the statement: values of the keys that exist.
    init(slots: Int, maxBatch: Int, fetch: @escaping Fetch) {
        precondition(slots > 0 && maxBatch > 0)
        self.slots = slots
        self.maxBatch = maxBatch
        self.fetch = fetch
    }

    /// Reads waiting for a statement (for tests).
    var waitingCount: Int { lock.withLock { waiting.count } }

    /// The value of `key`, or `nil` when there is none.
    func read(_ key: String) async throws -> Value? {
        let leadsNow = lock.withLock {
            guard inFlight < slots else { return false }
            inFlight += 1
            return true
        }
        if leadsNow { return try await lead(with: key) }
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            lock.withLock {
                // A slot may have freed up meanwhile: then this read leads.
                if inFlight < slots {
                    inFlight += 1
                    continuation.resume(returning: Turn.lead)
                } else {
                    waiting.append(Waiter(key: key, continuation: continuation))
                }
            }
        }
        switch turn {
        case .done(let result): return try result.get()
        case .lead: return try await lead(with: key)
        }
    }

    /// Holding a slot: fetches `key` and up to `maxBatch - 1` waiting keys, answers the waiters,
    /// then hands the slot to the next waiter (or frees it).
    private func lead(with key: String) async throws -> Value? {
        let riders = lock.withLock { () -> [Waiter] in
            let count = min(waiting.count, maxBatch - 1)
            defer { waiting.removeFirst(count) }
            return Array(waiting.prefix(count))
        }
        var keys = [key]
        keys.append(contentsOf: riders.map(\.key))
        let result: Result<[String: Value], any Error>
        do {
            result = .success(try await fetch(keys))
        } catch {
            result = .failure(error)
        }
        if case .failure = result, Task.isCancelled {
            // This read was cancelled (its client went away), which may be why the statement
            // failed: the other reads go back to the head of the queue, to be fetched again.
            lock.withLock { waiting.insert(contentsOf: riders, at: 0) }
        } else {
            for rider in riders {
                rider.continuation.resume(returning: .done(result.map { $0[rider.key] }))
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
        return try result.get()[key]
    }
}
