import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct MigrationRunnerTests {
    let logger = TestDatabase.logger

    static let sample: [Migration] = [
        Migration(version: 1, name: "first", sql: "CREATE TABLE a (x int); INSERT INTO a VALUES (1);"),
        Migration(version: 2, name: "second", sql: "CREATE TABLE b (y text); INSERT INTO b SELECT 'v' || x FROM a;"),
    ]

    @Test func appliesEveryMigrationToAFreshDatabaseThenIsANoOp() async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            let runner = MigrationRunner(migrations: Self.sample, logger: logger)
            #expect(try await runner.migrate(client: client) == [1, 2])
            #expect(try await runner.migrate(client: client) == [])
            let rows = try await client.query("SELECT y FROM b", logger: logger)
            var values: [String] = []
            for try await y in rows.decode(String.self) { values.append(y) }
            #expect(values == ["v1"])
            #expect(try await MigrationRunner.appliedVersions(client: client, logger: logger) == [1, 2])
        }
    }

    @Test func appliesOnlyWhatIsPending() async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            _ = try await MigrationRunner(migrations: [Self.sample[0]], logger: logger).migrate(client: client)
            #expect(try await MigrationRunner(migrations: Self.sample, logger: logger).migrate(client: client) == [2])
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            let broken =
                Self.sample + [
                    Migration(version: 3, name: "broken", sql: "CREATE TABLE c (z int); SELECT no_such_function();")
                ]
            await #expect(throws: MigrationError.self) {
                try await MigrationRunner(migrations: broken, logger: logger).migrate(client: client)
            }
            // 1 and 2 committed; 3 rolled back entirely (its table is absent) and not recorded.
            #expect(try await MigrationRunner.appliedVersions(client: client, logger: logger) == [1, 2])
            let rows = try await client.query("SELECT to_regclass('c') IS NULL", logger: logger)
            for try await absent in rows.decode(Bool.self) { #expect(absent) }
        }
    }

    @Test func concurrentRunnersApplyEachMigrationOnce() async throws {
        try await TestDatabase.withFreshDatabase { url, _ in
            // Separate clients, as separate processes would have; a migration that is not
            // idempotent fails if applied twice.
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await DirectConnection.with(url, logger: logger) { connection in
                            try await MigrationRunner(migrations: Self.sample, logger: logger).migrate(on: connection)
                        }
                    }
                }
                var all: [[Int]] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(results.flatMap { $0 }.sorted() == [1, 2])
            try await TestDatabase.withClient(url) { client in
                let rows = try await client.query("SELECT count(*) FROM a", logger: logger)
                for try await n in rows.decode(Int.self) { #expect(n == 1) }
            }
        }
    }

    @Test func builtInMigrationsApply() async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            let applied = try await MigrationRunner(logger: logger).migrate(client: client)
            #expect(applied == Migration.all.map(\.version))
            #expect(!applied.isEmpty)
            #expect(await DatabaseReadiness.check(client: client, logger: logger) == .ready)
        }
    }

    @Test func readinessReportsAnUnmigratedDatabase() async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            guard case .notReady(let reason) = await DatabaseReadiness.check(client: client, logger: logger) else {
                Issue.record("an empty database must not be ready")
                return
            }
            #expect(reason.contains("not applied"))
        }
    }
}

@Suite struct DatabaseURLTests {
    @Test func parsesTheCommonForms() throws {
        let url = try DatabaseURL("postgres://me:s%40cret@db.example:6543/twins?sslmode=require")
        #expect(url.host == "db.example")
        #expect(url.port == 6543)
        #expect(url.username == "me")
        #expect(url.password == "s@cret")
        #expect(url.database == "twins")
        #expect(url.sslMode == "require")
        #expect(!url.description.contains("cret"))

        let socket = try DatabaseURL("postgresql://postgres@/twins?host=/tmp/pg&port=5433")
        #expect(socket.socketDirectory == "/tmp/pg")
        #expect(socket.port == 5433)

        let v6 = try DatabaseURL("postgres://u@[::1]/d")
        #expect(v6.host == "::1")
        #expect(v6.port == 5432)
    }

    @Test(arguments: ["mysql://x@y/z", "not a url", "postgres://u@h/d?sslmode=verify-full"])
    func rejectsWhatItCannotUse(_ text: String) {
        #expect(throws: DatabaseURLError.self) { try DatabaseURL(text) }
    }
}

@Suite struct UnreachableDatabaseTests {
    @Test func aDirectConnectionFailsFastWithOneLine() async throws {
        let url = try DatabaseURL("postgres://postgres@127.0.0.1:9/none?sslmode=disable")
        let started = ContinuousClock.now
        do {
            try await DirectConnection.with(url, logger: TestDatabase.logger) { _ in }
            Issue.record("connecting to a closed port must fail")
        } catch let error as DatabaseUnavailable {
            #expect(error.description.contains("127.0.0.1:9"))
            #expect(!error.description.contains("\n"))
        }
        // The pool would retry for about a minute; a direct connection reports at once (the bound is
        // generous because the conformance suites load both cores while this runs).
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func readinessReportsAnUnreachableServer() async throws {
        // Port 9 (discard) on loopback: nothing listens there on a test machine.
        let url = try DatabaseURL("postgres://postgres@127.0.0.1:9/none?sslmode=disable")
        let state = try await TestDatabase.withClient(url) { client in
            // A refused connection answers at once; the budget only covers a loaded test machine.
            await DatabaseReadiness.check(client: client, url: url, timeout: .seconds(10), logger: TestDatabase.logger)
        }
        guard case .notReady(let reason) = state else {
            Issue.record("an unreachable database must not be ready")
            return
        }
        #expect(reason.contains("connection refused"), "\(reason)")
    }
}
