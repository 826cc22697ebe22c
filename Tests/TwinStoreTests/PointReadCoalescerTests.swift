import Foundation
import Testing

@testable import TwinStore

/// Coalesced point reads: alone when idle, batched under load, each read answered with its own
/// value, failures to every read of the statement.
struct PointReadCoalescerTests {
    /// The statements a coalescer ran, as key lists.
    final class Statements: @unchecked Sendable {
        private let lock = NSLock()
        private var batches: [[String]] = []
        func record(_ keys: [String]) { lock.withLock { batches.append(keys) } }
        var all: [[String]] { lock.withLock { batches } }
    }

    @Test func readsAloneWhenIdle() async throws {
        let statements = Statements()
        let reader = PointReadCoalescer<String>(slots: 2, maxBatch: 8) { keys in
            statements.record(keys)
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, "value of \($0)") })
        }
        for i in 0..<5 { #expect(try await reader.read("k\(i)") == "value of k\(i)") }
        #expect(statements.all == (0..<5).map { ["k\($0)"] })
    }

    @Test func batchesUnderLoadAndAnswersEachRead() async throws {
        let statements = Statements()
        let reader = PointReadCoalescer<String>(slots: 2, maxBatch: 8) { keys in
            statements.record(keys)
            try await Task.sleep(for: .milliseconds(20))
            // Odd keys do not exist.
            return Dictionary(
                uniqueKeysWithValues: keys.filter { Int($0.dropFirst())! % 2 == 0 }.map { ($0, "v" + $0) })
        }
        let results = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<60 { group.addTask { (i, try await reader.read("k\(i)")) } }
            return try await group.reduce(into: [Int: String?]()) { $0[$1.0] = $1.1 }
        }
        for i in 0..<60 { #expect(results[i]! == (i % 2 == 0 ? "vk\(i)" : nil)) }
        let batches = statements.all
        #expect(batches.flatMap { $0 }.sorted() == (0..<60).map { "k\($0)" }.sorted())
        #expect(batches.count < 20, "60 reads took \(batches.count) statements")
        #expect(batches.allSatisfy { $0.count <= 8 })
    }

    @Test func aFailedStatementFailsEveryReadInIt() async throws {
        struct Broken: Error {}
        let reader = PointReadCoalescer<String>(slots: 1, maxBatch: 64) { _ in
            try await Task.sleep(for: .milliseconds(20))
            throw Broken()
        }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<10 {
                group.addTask {
                    do {
                        _ = try await reader.read("k\(i)")
                        return false
                    } catch {
                        return error is Broken
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 10)
        // The slot is free again.
        let fine = PointReadCoalescer<String>(slots: 1, maxBatch: 4) { keys in [keys[0]: "ok"] }
        #expect(try await fine.read("a") == "ok")
    }

    @Test func aCancelledLeaderDoesNotFailTheReadsItCarried() async throws {
        let statements = Statements()
        let reader = PointReadCoalescer<String>(slots: 1, maxBatch: 64) { keys in
            statements.record(keys)
            try await Task.sleep(for: .milliseconds(200))
            return Dictionary(uniqueKeysWithValues: keys.map { ($0, "v" + $0) })
        }
        let first = Task { try await reader.read("a") }
        try await Task.sleep(for: .milliseconds(50))
        // "b" waits first, so it leads the next statement, carrying the others.
        let leader = Task { try await reader.read("b") }
        try await Task.sleep(for: .milliseconds(20))
        let riders = (0..<4).map { i in Task { try await reader.read("k\(i)") } }
        #expect(try await first.value == "va")
        try await Task.sleep(for: .milliseconds(50))
        #expect(statements.all.count == 2 && statements.all[1].first == "b")
        leader.cancel()
        await #expect(throws: CancellationError.self) { try await leader.value }
        for (i, rider) in riders.enumerated() { #expect(try await rider.value == "vk\(i)") }
        #expect(statements.all.count == 3)
        #expect(Set(statements.all[2]) == Set((0..<4).map { "k\($0)" }))
    }
}
