import ADTWire
import BulkJobs
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinGateway
import TwinStore
import TwinTestSupport

/// A gateway (router tester) with a job worker on a fresh database, an import directory, and
/// quick timings.
struct JobHarness: Sendable {
    static let v = GatewayTest.version
    static let logger: Logger = {
        var logger = Logger(label: "bulk-jobs-tests")
        logger.logLevel = .critical
        return logger
    }()

    let http: any TestClientProtocol
    let database: PostgresClient
    /// The gateway's import directory (real path).
    let directory: String

    /// Quick timings: polls every 20 ms, small batches, short claims.
    static func quick(batchSize: Int = 50) -> JobsConfiguration {
        var configuration = JobsConfiguration()
        configuration.pollInterval = .milliseconds(20)
        configuration.leaseDuration = .seconds(3)
        configuration.batchSize = batchSize
        return configuration
    }

    /// Runs `body` with a gateway; `worker` false leaves jobs waiting (`notstarted`).
    static func run(
        worker: Bool = true, configuration: JobsConfiguration = quick(),
        _ body: @Sendable @escaping (JobHarness) async throws -> Void
    ) async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("twins-jobs-\(UUID().uuidString)").resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withFreshDatabase { _, client in
            try await MigrationRunner(logger: logger).migrate(client: client)
            var gateway = GatewayConfiguration()
            gateway.jobs = configuration
            gateway.jobs.inputs = JobInputPolicy(importDirectory: directory)
            let catalog = ModelCatalog(logger: logger)
            let wakeup = Wakeup()
            let jobsConfiguration = gateway.jobs
            let app = Application(
                router: buildRouter(
                    database: client, configuration: gateway, catalog: catalog, jobWakeup: wakeup, logger: logger),
                logger: logger)
            try await app.test(.router) { http in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if worker {
                        let jobs = JobWorker(
                            client: client, catalog: catalog, configuration: jobsConfiguration,
                            eventSource: "localhost",
                            wakeup: wakeup, logger: logger)
                        group.addTask { try await jobs.run() }
                    }
                    defer { group.cancelAll() }
                    try await body(JobHarness(http: http, database: client, directory: directory))
                }
            }
        }
    }

    /// Sends a request and checks its status.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers: HTTPFields = [:],
        version: String = JobHarness.v, expect status: HTTPResponse.Status
    ) async throws -> TestResponse {
        let separator = path.contains("?") ? "&" : "?"
        let response = try await http.send(method, path + separator + version, body, headers: headers)
        #expect(response.status == status, "\(method) \(path): \(String(buffer: response.body))")
        return response
    }

    /// A response's JSON object.
    static func json(_ response: TestResponse) throws -> JSONObject {
        try #require(try JSONParser.parse(String(buffer: response.body)).objectValue)
    }

    /// Writes a file in the import directory; returns its `file://` URI.
    func file(_ name: String, _ lines: [String]) throws -> String {
        let path = directory + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return "file://" + path
    }

    /// The `file://` URI of a name in the import directory.
    func uri(_ name: String) -> String { "file://" + directory + "/" + name }

    /// Creates an import job and returns its record.
    @discardableResult
    func startImport(_ id: String, input: String, output: String) async throws -> JSONObject {
        try Self.json(
            try await send(
                .put, "/jobs/imports/\(id)", #"{"inputBlobUri":"\#(input)","outputBlobUri":"\#(output)"}"#,
                expect: .created))
    }

    /// Polls the job until its status is one of `statuses`.
    @discardableResult
    func wait(
        _ id: String, kind: String = "imports", for statuses: Set<String> = ["succeeded", "failed", "cancelled"],
        timeout: Duration = .seconds(60)
    ) async throws -> JSONObject {
        let deadline = ContinuousClock.now + timeout
        while true {
            let job = try Self.json(try await send(.get, "/jobs/\(kind)/\(id)", expect: .ok))
            if let status = job["status"]?.stringValue, statuses.contains(status) { return job }
            guard ContinuousClock.now < deadline else {
                Issue.record("job \(id) is still \(job["status"]?.stringValue ?? "?")")
                return job
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A count of rows.
    func count(_ table: String) async throws -> Int {
        let rows = try await database.query("SELECT count(*)::int FROM \(unescaped: table)", logger: Self.logger)
        for try await n in rows.decode(Int.self) { return n }
        return -1
    }

    /// The notifications in the outbox, counted by type.
    func notificationsByType() async throws -> [String: Int] {
        let rows = try await database.query(
            "SELECT event->>'type', count(*)::int FROM outbox GROUP BY 1", logger: Self.logger)
        var byType: [String: Int] = [:]
        for try await (type, n) in rows.decode((String, Int).self) { byType[type] = n }
        return byType
    }

    /// The output log's lines, parsed.
    func log(_ name: String) throws -> [JSONObject] {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(try JSONParser.parse(String($0)).objectValue) }
    }

    // MARK: An import file

    static let header = [
        #"{"Section": "Header"}"#, #"{"fileVersion": "1.0.0", "author": "tests", "organization": "twins"}"#,
    ]

    /// Two models, the derived one first (the job orders them).
    static let models = [
        #"{"Section": "Models"}"#,
        #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Room;1","@type":"Interface","extends":"dtmi:ex:Space;1","contents":[{"@type":"Property","name":"temperature","schema":"double"},{"@type":"Relationship","name":"next","target":"dtmi:ex:Space;1","properties":[{"@type":"Property","name":"distance","schema":"double"}]}]}"#,
        #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Space;1","@type":"Interface","contents":[{"@type":"Property","name":"name","schema":"string"}]}"#,
    ]

    static func twin(_ id: String, temperature: Double = 20) -> String {
        #"{"$dtId":"\#(id)","$metadata":{"$model":"dtmi:ex:Room;1"},"temperature":\#(temperature),"name":"\#(id)"}"#
    }

    static func relationship(_ source: String, _ id: String, to target: String) -> String {
        #"{"$dtId":"\#(source)","$relationshipId":"\#(id)","$targetId":"\#(target)","$relationshipName":"next","distance":1.5}"#
    }

    /// A file of the models, `twins` rooms and a chain of relationships between them.
    static func graph(twins: Int) -> [String] {
        var lines = header + models + [#"{"Section": "Twins"}"#]
        lines += (0..<twins).map { twin("room-\($0)") }
        lines.append(#"{"Section": "Relationships"}"#)
        lines += (0..<max(twins - 1, 0)).map { relationship("room-\($0)", "r", to: "room-\($0 + 1)") }
        return lines
    }
}
