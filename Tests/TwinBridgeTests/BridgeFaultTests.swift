import ADTWire
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinMigration
import TwinTestSupport

/// Bridge mode across faults, with both gateways and the functions host as real processes: the
/// other instance gone for 30 s, then each gateway killed with SIGKILL and restarted, while both
/// sides are written. The bridge catches up by itself and the two end identical.
@Suite(
    .serialized,
    .timeLimit(.minutes(5)),
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(if: TwinsProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
struct BridgeFaultTests {
    static let logger = BridgeSides.logger

    /// A free loopback port (the kernel's choice, released at once: the processes are restarted
    /// on the same port).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw CancellationError() }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func pending(_ database: PostgresClient) async throws -> Int {
        let rows = try await database.query(
            "SELECT (SELECT count(*) FROM outbox)::int + (SELECT count(*) FROM event_deliveries)::int", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }

    static func deadLetters(_ database: PostgresClient) async throws -> Int {
        let rows = try await database.query("SELECT count(*)::int FROM event_dead_letters", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }

    @Test func outagesAndCrashesHealThemselves() async throws {
        try await TestDatabase.withFreshDatabase { azureURL, azureDatabase in
            try await TestDatabase.withFreshDatabase { usURL, usDatabase in
                let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
                    "bridge-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                let (azurePort, usPort, functionsPort) = (try Self.freePort(), try Self.freePort(), try Self.freePort())
                let azureURLText = "http://127.0.0.1:\(azurePort)"
                let usURLText = "http://127.0.0.1:\(usPort)"
                let usEndpoints = folder.appendingPathComponent("us.json")
                try #"[{"name": "azure", "type": "digitaltwins", "url": "\#(azureURLText)", "maxBatchSize": 50}]"#
                    .write(
                        to: usEndpoints, atomically: true, encoding: .utf8)
                let azureEndpoints = folder.appendingPathComponent("azure.json")
                try
                    #"[{"name": "toUs", "type": "webhook", "url": "http://127.0.0.1:\#(functionsPort)/api/ApplyDigitalTwinsEvents", "maxBatchSize": 50}]"#
                    .write(to: azureEndpoints, atomically: true, encoding: .utf8)
                func gateway(_ url: DatabaseURL, port: Int, endpoints: URL) -> TwinsProcess {
                    TwinsProcess(
                        arguments: [
                            "serve", "--host", "127.0.0.1", "--port", "\(port)", "--database-url",
                            url.description + "?sslmode=disable", "--endpoints", endpoints.path, "--event-lease", "3",
                            "--event-max-retry-delay", "2", "--log-level", "error", "--database-pool-size", "6",
                        ],
                        readyMarker: "twins: serving at ")
                }
                let azure = gateway(azureURL, port: azurePort, endpoints: azureEndpoints)
                let us = gateway(usURL, port: usPort, endpoints: usEndpoints)
                let functions = TwinsProcess(
                    arguments: [
                        "functions", "--host", "127.0.0.1", "--port", "\(functionsPort)", "--adt-endpoint", usURLText,
                        "--bridge", "--bridge-source", azureURLText, "--log-level", "error",
                    ],
                    readyMarker: "twins: functions at ")
                _ = try await azure.start()
                _ = try await us.start()
                _ = try await functions.start()
                defer {
                    Task {
                        await functions.stop()
                        await us.stop()
                        await azure.stop()
                    }
                }
                let options = DigitalTwinsClient.Options(retryPolicy: .none)
                let usClient = try DigitalTwinsClient(endpoint: usURLText, options: options)
                let azureClient = try DigitalTwinsClient(endpoint: azureURLText, options: options)
                _ = try await usClient.createModels(BridgeSides.models)
                _ = try await azureClient.createModels(BridgeSides.models)
                try await usClient.upsertEventRoute(id: "bridge", endpointName: "azure", filter: "true")
                try await azureClient.upsertEventRoute(id: "bridge", endpointName: "toUs", filter: "true")

                let ours = Task {
                    try await Workload(client: usClient, prefix: "u", twins: 60, persistent: true).run(concurrency: 4)
                }
                let theirs = Task {
                    try await Workload(client: azureClient, prefix: "a", twins: 60, persistent: true).run(
                        concurrency: 4)
                }
                // A steady writer on our side all along: u-0 … u-9's setPoint counts up.
                let stop = ManagedFlag()
                let ticker = Task {
                    var tick = 0
                    let workload = Workload(client: usClient, prefix: "u", twins: 60, persistent: true)
                    while !stop.isSet {
                        tick += 1
                        let id = workload.id(tick % 10)
                        try? await workload.write {
                            try await usClient.updateComponent(
                                twinID: id, path: "thermostat", patch: [.replace("/setPoint", .integer(Int64(tick)))])
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }

                try await Task.sleep(for: .seconds(2))
                await azure.kill9()
                try await Task.sleep(for: .seconds(30))
                _ = try await azure.start()
                try await Task.sleep(for: .seconds(2))
                await us.kill9()
                try await Task.sleep(for: .seconds(3))
                _ = try await us.start()
                try await Task.sleep(for: .seconds(2))
                stop.set()
                for (name, task) in [("our writes", ours), ("their writes", theirs)] {
                    do {
                        _ = try await task.value
                    } catch {
                        Issue.record("\(name) failed: \(error)")
                        return
                    }
                }
                _ = try await ticker.value

                let deadline = ContinuousClock.now + .seconds(120)
                var quiet = 0
                while quiet < 3 {
                    let waiting = try await Self.pending(usDatabase) + Self.pending(azureDatabase)
                    quiet = waiting == 0 ? quiet + 1 : 0
                    guard ContinuousClock.now < deadline else {
                        Issue.record("the bridge did not catch up: \(waiting) notifications pending")
                        return
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let report = try await GraphVerify(
                    source: GraphReader(client: usClient), target: GraphReader(client: azureClient),
                    progress: MigrationProgress(quiet: true)
                ).run()
                #expect(report.isClean, "\(report.lines.prefix(10))")
                #expect(report.compared["twins"] == 108)
                #expect(try await Self.deadLetters(usDatabase) == 0)
                #expect(try await Self.deadLetters(azureDatabase) == 0)
            }
        }
    }
}

/// A flag set once, read from any task.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
