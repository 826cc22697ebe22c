import ADTWire
import EventDelivery
import EventRoutes
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
import TwinTestSupport

/// A gateway (router tester) and delivery workers on a fresh database, with quick timings.
struct DeliveryHarness: Sendable {
    static let v = GatewayTest.version
    static let models = """
        [{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Room;1","@type":"Interface","contents":[
           {"@type":"Property","name":"temperature","schema":"double","writable":true},
           {"@type":"Telemetry","name":"humidity","schema":"double"},
           {"@type":"Relationship","name":"next","properties":[
             {"@type":"Property","name":"distance","schema":"double","writable":true}]}]}]
        """
    static let logger: Logger = {
        var logger = Logger(label: "event-delivery-tests")
        logger.logLevel = .critical
        return logger
    }()

    let http: any TestClientProtocol
    let database: PostgresClient

    /// Timings for tests: retries within a fraction of a second, short leases.
    static func quick(_ configure: (inout EventDeliveryConfiguration) -> Void = { _ in }) -> EventDeliveryConfiguration
    {
        var configuration = EventDeliveryConfiguration()
        configuration.pollInterval = .milliseconds(10)
        configuration.firstRetryDelay = .milliseconds(50)
        configuration.maxRetryDelay = .milliseconds(300)
        configuration.leaseDuration = .seconds(3)
        configuration.requestTimeout = .seconds(5)
        configure(&configuration)
        return configuration
    }

    /// Runs `body` with a gateway whose routes may name `endpoints` and `workers` delivery
    /// workers (as separate gateway processes would run them).
    static func run(
        endpoints: [EventEndpoint], workers: Int = 1, configuration: EventDeliveryConfiguration = quick(),
        _ body: @Sendable @escaping (DeliveryHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            try await MigrationRunner(logger: logger).migrate(client: client)
            var gateway = GatewayConfiguration()
            gateway.endpoints = endpoints
            let app = Application(
                router: buildRouter(database: client, configuration: gateway, logger: logger), logger: logger)
            try await app.test(.router) { http in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<workers {
                        var own = configuration
                        own.workerID = "worker-\(index)"
                        let worker = EventDeliveryWorker(
                            client: client, endpoints: endpoints, configuration: own, logger: logger)
                        group.addTask { try await worker.run() }
                    }
                    defer { group.cancelAll() }
                    try await body(DeliveryHarness(http: http, database: client))
                }
            }
        }
    }

    /// Sends a request and checks its status.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers: HTTPFields = [:],
        expect status: HTTPResponse.Status
    ) async throws -> TestResponse {
        let separator = path.contains("?") ? "&" : "?"
        let response = try await http.send(method, path + separator + Self.v, body, headers: headers)
        #expect(response.status == status, "\(method) \(path): \(String(buffer: response.body))")
        return response
    }

    func uploadModels() async throws { try await send(.post, "/models", Self.models, expect: .created) }

    func createRoom(_ id: String, temperature: Double = 20) async throws {
        try await send(
            .put, "/digitaltwins/\(id)", #"{"$metadata":{"$model":"dtmi:ex:Room;1"},"temperature":\#(temperature)}"#,
            expect: .ok)
    }

    func patchRoom(_ id: String, temperature: Double) async throws {
        try await send(
            .patch, "/digitaltwins/\(id)", #"[{"op":"replace","path":"/temperature","value":\#(temperature)}]"#,
            expect: .noContent)
    }

    /// Every notification type, in this order: twins `a` and `b` created, relationship `a/r1`
    /// created, `a` updated, the relationship updated, telemetry from `a` (Message-Id `m-1`), the
    /// relationship deleted, `b` deleted.
    static let everyType = [
        "Microsoft.DigitalTwins.Twin.Create", "Microsoft.DigitalTwins.Twin.Create",
        "Microsoft.DigitalTwins.Relationship.Create", "Microsoft.DigitalTwins.Twin.Update",
        "Microsoft.DigitalTwins.Relationship.Update", "microsoft.iot.telemetry",
        "Microsoft.DigitalTwins.Relationship.Delete", "Microsoft.DigitalTwins.Twin.Delete",
    ]

    /// Writes what makes ``everyType``.
    func writeEveryEventType() async throws {
        try await createRoom("a")
        try await createRoom("b")
        try await send(
            .put, "/digitaltwins/a/relationships/r1", #"{"$targetId":"b","$relationshipName":"next","distance":2}"#,
            expect: .ok)
        try await patchRoom("a", temperature: 21)
        try await send(
            .patch, "/digitaltwins/a/relationships/r1", #"[{"op":"replace","path":"/distance","value":3}]"#,
            expect: .noContent)
        try await send(
            .post, "/digitaltwins/a/telemetry", #"{"humidity": 40}"#,
            headers: [HTTPField.Name("Message-Id")!: "m-1"], expect: .noContent)
        try await send(.delete, "/digitaltwins/a/relationships/r1", expect: .noContent)
        try await send(.delete, "/digitaltwins/b", expect: .noContent)
    }

    func route(_ id: String, to endpoint: String, filter: String = "true") async throws {
        let body = JSONWriter.string(["endpointName": .string(endpoint), "filter": .string(filter)])
        try await send(.put, "/eventroutes/\(id)", body, expect: .noContent)
    }

    /// Rows in a table.
    func count(_ table: String) async throws -> Int {
        for try await (count) in try await database.query(
            "SELECT count(*)::int FROM \(unescaped: table)", logger: Self.logger
        ).decode(Int.self) { return count }
        return 0
    }

    /// Waits until `condition` holds, checking every 20 ms, up to `timeout`.
    func eventually(
        _ what: String, timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension WebhookReceiver.Received {
    /// The CloudEvents in the body: one (structured mode) or a batch.
    var events: [JSONValue] {
        switch json {
        case .array(let items)?: return items
        case let value?: return [value]
        case nil: return []
        }
    }
}

/// A webhook endpoint at `url`.
func webhook(_ name: String, _ url: String, _ settings: JSONValue = [:]) -> EventEndpoint {
    var all = settings.objectValue ?? JSONObject()
    all["url"] = .string(url)
    return EventEndpoint(name: name, kind: .webhook, settings: all)
}

extension JSONValue {
    /// The element at `index` of an array.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
