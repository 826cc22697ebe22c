import Foundation
import Testing

@testable import TwinStore

/// Coalesced point reads: alone when idle, batched under load, each read answered with its own
/// value, failures to every read of the statement, a cancelled leader's riders fetched again.
/// Statements are held by a gate the test opens, so that no step depends on timing.
struct PointReadCoalescerTests {
    /// The statements a coalescer ran, each held until the test releases it.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var arrived: [[String]] = []
        private var held: [Int: CheckedContinuation<Void, any Error>] = [:]
        private var released: Set<Int> = []
        private var cancelled: Set<Int> = []

        var statements: [[String]] { lock.withLock { arrived } }

        /// Called by the fetch: records `keys` and waits for ``release(_:)`` or cancellation.
        func pass(_ keys: [String]) async throws {
            let index = lock.withLock {
                arrived.append(keys)
                return arrived.count - 1
            }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    lock.withLock {
                        if cancelled.contains(index) {
                            continuation.resume(throwing: CancellationError())
                        } else if released.contains(index) {
                            continuation.resume()
                        } else {
                            held[index] = continuation
                        }
                    }
                }
            } onCancel: {
                lock.withLock {
                    cancelled.insert(index)
                    return held.removeValue(forKey: index)
                }?.resume(throwing: CancellationError())
            }
        }

        func release(_ index: Int) {
            lock.withLock {
                released.insert(index)
                return held.removeValue(forKey: index)
            }?.resume()
        }
    }

    /// Waits (up to 10 s) until `condition` holds.
    func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }

    static func values(_ keys: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: keys.filter { !$0.hasPrefix("missing") }.map { ($0, "v" + $0) })
    }

    @Test func readsAloneWhenIdle() async throws {
        let gate = Gate()
        let reader = PointReadCoalescer<String>(slots: 2, maxBatch: 8) { keys in
            try await gate.pass(keys)
            return Self.values(keys)
        }
        for i in 0..<5 {
            gate.release(i)
            #expect(try await reader.read("k\(i)") == "vk\(i)")
        }
        #expect(gate.statements == (0..<5).map { ["k\($0)"] })
    }

    @Test func batchesUnderLoadAndAnswersEachRead() async throws {
        let gate = Gate()
        let reader = PointReadCoalescer<String>(slots: 2, maxBatch: 8) { keys in
            try await gate.pass(keys)
            return Self.values(keys)
        }
        func read(_ i: Int) -> Task<String?, any Error> {
            Task { try await reader.read(i % 3 == 0 ? "missing\(i)" : "k\(i)") }
        }
        // Two statements in flight (each read alone: started before the others), then every
        // other read waiting.
        var reads = (0..<2).map(read)
        try await eventually { gate.statements.count == 2 }
        reads += (2..<26).map(read)
        try await eventually { reader.waitingCount == 24 }
        var next = 0
        while next < gate.statements.count || reader.waitingCount > 0 {
            if next < gate.statements.count {
                gate.release(next)
                next += 1
            } else {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        for (i, read) in reads.enumerated() {
            #expect(try await read.value == (i % 3 == 0 ? nil : "vk\(i)"))
        }
        let statements = gate.statements
        #expect(statements.flatMap { $0 }.count == 26)
        // 2 alone, then 24 waiting reads in statements of at most 8: at least 3 and at most 4 more.
        #expect(statements.count <= 6, "\(statements)")
        #expect(statements.allSatisfy { $0.count <= 8 })
    }

    @Test func aFailedStatementFailsEveryReadInIt() async throws {
        struct Broken: Error {}
        let gate = Gate()
        let reader = PointReadCoalescer<String>(slots: 1, maxBatch: 64) { keys in
            try await gate.pass(keys)
            throw Broken()
        }
        // The first read runs alone (its statement started before the others), four wait.
        var reads = [Task { try await reader.read("k0") }]
        try await eventually { gate.statements.count == 1 }
        reads += (1..<5).map { i in Task { try await reader.read("k\(i)") } }
        try await eventually { reader.waitingCount == 4 }
        gate.release(0)
        try await eventually { gate.statements.count == 2 }
        gate.release(1)
        for read in reads { await #expect(throws: Broken.self) { try await read.value } }
        #expect(gate.statements.count == 2)
        // The slot is free again.
        let fine = PointReadCoalescer<String>(slots: 1, maxBatch: 4) { keys in [keys[0]: "ok"] }
        #expect(try await fine.read("a") == "ok")
    }

    @Test func aCancelledLeaderDoesNotFailTheReadsItCarried() async throws {
        let gate = Gate()
        let reader = PointReadCoalescer<String>(slots: 1, maxBatch: 64) { keys in
            try await gate.pass(keys)
            return Self.values(keys)
        }
        let first = Task { try await reader.read("a") }
        try await eventually { gate.statements.count == 1 }
        // "b" waits first, so it leads the next statement and carries the others.
        let leader = Task { try await reader.read("b") }
        try await eventually { reader.waitingCount == 1 }
        let riders = (0..<4).map { i in Task { try await reader.read("k\(i)") } }
        try await eventually { reader.waitingCount == 5 }
        gate.release(0)
        #expect(try await first.value == "va")
        try await eventually { gate.statements.count == 2 }
        #expect(gate.statements[1].first == "b" && gate.statements[1].count == 5)
        // The client of "b" goes away while its statement runs.
        leader.cancel()
        await #expect(throws: CancellationError.self) { try await leader.value }
        try await eventually { gate.statements.count == 3 }
        gate.release(2)
        for (i, rider) in riders.enumerated() { #expect(try await rider.value == "vk\(i)") }
        let statements = gate.statements
        try #require(statements.count == 3)
        #expect(Set(statements[2]) == Set((0..<4).map { "k\($0)" }))
    }
}
