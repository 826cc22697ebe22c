import Foundation
import Logging
import PostgresNIO
import PostgresSupport
import TwinStore

/// GET twin's database path with no HTTP, at a fixed number of concurrent reads for a fixed
/// time, in one of three ways:
/// - `driver`: the prepared point select through `PostgresClient`, nothing else (the floor the
///   driver sets); `unprepared`: the same as an unnamed statement (parsed each time);
/// - `store`: `DigitalTwinStore.get`, one statement per read (the gateway's path without HTTP);
/// - `coalesced`: `DigitalTwinStore.get` with reads coalesced under load (`SLOTS` statements in
///   flight at most, on connections of their own as in the gateway);
/// - `connection`: the prepared point select, each task on a connection of its own outside the
///   pool (what the pool's lease costs).
/// Prints reads/s, p50, p99 and this process's CPU time per read (from /proc/self/stat).
struct StoreBenchmark {
    let databaseURL: String
    let twins: Int
    let concurrency: Int
    let seconds: Double
    let mode: String
    let slots: Int

    /// `GetTwinStatement`'s SQL, kept here on purpose: the driver's floor is measured without
    /// going through TwinStore.
    struct PointSelect: PostgresPreparedStatement {
        static let sql = "SELECT body::text, etag::text FROM twins WHERE id = $1"
        static let name = "bench_point_select"
        typealias Row = (String, String)
        var id: String
        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    func run() async throws {
        let logger = {
            var logger = Logger(label: "twins-bench")
            logger.logLevel = .warning
            return logger
        }()
        var configuration = try DatabaseURL(databaseURL).clientConfiguration()
        configuration.options.maximumConnections = concurrency
        configuration.options.keepAliveBehavior = nil
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        // Coalesced as the gateway does it: on connections of their own, one per slot.
        let store = DigitalTwinStore(
            client: client, catalog: ModelCatalog(logger: logger), logger: logger,
            readSlots: mode == "coalesced" ? slots : nil,
            connections: mode == "coalesced"
                ? try DedicatedConnections(url: DatabaseURL(databaseURL), logger: logger) : nil)
        let read: @Sendable (String) async throws -> Void
        switch mode {
        case "driver":
            read = { id in for try await _ in try await client.execute(PointSelect(id: id), logger: logger) {} }
        case "unprepared":
            read = { id in
                for try await _ in try await client.query(
                    "SELECT body::text, etag::text FROM twins WHERE id = \(id)", logger: logger)
                {}
            }
        case "store", "coalesced", "connection":
            read = { id in _ = try await store.get(id) }
        default:
            throw BenchmarkError("mode must be driver, unprepared, store or coalesced, not \(mode)")
        }
        // Warm up: every connection opened and the statements prepared.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<concurrency * 4 { group.addTask { try await read("bench-\(i % twins + 1)") } }
            try await group.waitForAll()
        }
        let cpuBefore = Self.processCPUSeconds()
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        let url = try DatabaseURL(databaseURL)
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var own: [Double] = []
                    var generator = SystemRandomNumberGenerator()
                    // `connection`: each task on a connection of its own, outside the pool.
                    let connection =
                        mode == "connection" ? try await DirectConnection.open(url, logger: logger) : nil
                    while ContinuousClock.now < deadline {
                        let began = ContinuousClock.now
                        let id = "bench-\(Int.random(in: 1...twins, using: &generator))"
                        if let connection {
                            for try await _ in try await connection.execute(PointSelect(id: id), logger: logger) {}
                        } else {
                            try await read(id)
                        }
                        let took = began.duration(to: .now)
                        own.append(Double(took.components.seconds) * 1e3 + Double(took.components.attoseconds) / 1e15)
                    }
                    try await connection?.close()
                    return own
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = start.duration(to: .now)
        let cpu = Self.processCPUSeconds() - cpuBefore
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "RESULT mode=%@ reads=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f cpu_us_per_read=%.1f",
                mode, sorted.count, Double(sorted.count) / wall, percentile(0.5), percentile(0.99),
                sorted.isEmpty ? 0 : cpu * 1e6 / Double(sorted.count)))
    }

    /// This process's user and system CPU time, in seconds.
    static func processCPUSeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return 0 }
        let fields = text[text.index(after: end)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
