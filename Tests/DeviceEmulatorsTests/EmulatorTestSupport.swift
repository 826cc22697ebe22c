import ADTWire
import DTDL
@testable import DeviceEmulators
import DeviceLifecycle
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import HTTPTransport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinStore
import TwinTestSupport

/// A webhook receiver for tests: records every POST and answers each path from a plan. It
/// answers Event Grid's subscription-validation events as a subscriber does (echoing the code,
/// unless told to refuse), and records them apart from the other requests.
actor Receiver {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: [UInt8]
        let status: Int

        var json: JSONValue? { try? JSONParser.parse(body) }
    }

    private(set) var received: [Received] = []
    /// The subscription-validation events received, answered or not.
    private(set) var validations: [Received] = []
    /// Whether validation events are answered with their code (else 200 with `{}`).
    private var echoesValidation = true

    func echoValidation(_ echo: Bool) { echoesValidation = echo }

    func validate(path: String, headers: [String: String], body: [UInt8]) -> [UInt8] {
        validations.append(Received(path: path, headers: headers, body: body, status: 200))
        guard echoesValidation,
            let code = (try? JSONParser.parse(body))?.arrayValue?.first?["data"]?["validationCode"]?.stringValue
        else { return Array("{}".utf8) }
        return JSONWriter.bytes(["validationResponse": .string(code)])
    }

    /// Per path: the statuses to answer, in order; the last one repeats. Default 200.
    private var statuses: [String: [Int]] = [:]
    private var bodies: [String: [UInt8]] = [:]
    private var delays: [String: Duration] = [:]

    func plan(_ path: String, statuses: [Int], body: JSONValue? = nil, delay: Duration? = nil) {
        self.statuses[path] = statuses
        if let body { bodies[path] = JSONWriter.bytes(body) }
        delays[path] = delay
    }

    func delay(_ path: String) -> Duration? { delays[path] }

    func handle(path: String, headers: [String: String], body: [UInt8]) -> (Int, [UInt8]) {
        var plan = statuses[path] ?? [200]
        let status = plan[0]
        if plan.count > 1 { plan.removeFirst() }
        statuses[path] = plan
        received.append(Received(path: path, headers: headers, body: body, status: status))
        return (status, bodies[path] ?? Array("{}".utf8))
    }

    func requests(_ path: String) -> [Received] { received.filter { $0.path == path } }

    /// Waits until `path` has received `count` requests answered `status` (any status when nil).
    func wait(_ path: String, count: Int = 1, status: Int? = 200, timeout: Duration = .seconds(30)) async throws
        -> [Received]
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let matching = received.filter { $0.path == path && (status == nil || $0.status == status) }
            if matching.count >= count { return matching }
            guard ContinuousClock.now < deadline else {
                Issue.record("\(path) received \(matching.count) request(s), expected \(count)")
                return matching
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Runs `body` with a live receiver; passes its base URL (`http://127.0.0.1:port`).
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("**") { request, _ in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let (status, answer): (Int, [UInt8])
            if headers["aeg-event-type"] == "SubscriptionValidation" {
                (status, answer) = (
                    200,
                    await self.validate(path: request.uri.path, headers: headers, body: Array(buffer.readableBytesView))
                )
            } else {
                if let delay = await self.delay(request.uri.path) { try await Task.sleep(for: delay) }
                (status, answer) = await self.handle(
                    path: request.uri.path, headers: headers, body: Array(buffer.readableBytesView))
            }
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Fixture.logger)
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))")
        }
    }
}

/// Shared values and helpers of the emulator tests.
enum Fixture {
    static let logger: Logger = {
        var logger = Logger(label: "device-emulators-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// From reference/device-flow/test-vectors.json (`generatedLocally_endToEnd`).
    static let groupKey = "oiK77Oy7rBw8YB6IS6ukRChAw+Yq6GC61RMrPLSTiOOtdI+XDu0LmLuNm11p+qv2I+adqGUdZHm46zXAQdZoOA=="
    static let registrationID = "thermostat-67"
    static let derivedKey = "n9x8qb0Bv2pZrnlTL5fBb7eAFbJuM9SWjUmKsteofNw="
    static let idScope = "0ne00000A1B"
    static let hubHost = "myhub.azure-devices.net"
    static let ownerKey = "cGFzc3dvcmRwYXNzd29yZHBhc3N3b3JkcGFzc3dvcmQ="
    static let serviceKey = "c2VydmljZS1rZXktZm9yLXRoZS1lbXVsYXRvcnMtMTIz"
    static let modelID = "dtmi:contosocom:DigitalTwins:Thermostat;2"

    static let transport = CurlTransport(configuration: .init(connectTimeout: .seconds(2), proxy: .none))

    /// A configuration for tests: both servers on free loopback ports, fast polling.
    static func configuration(hub: HubConfiguration? = nil, groups: [EnrollmentGroup] = []) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration(serviceKey: serviceKey)
        configuration.dps = DPSConfiguration(
            host: "127.0.0.1", port: 0, idScope: idScope, enrollmentGroups: groups, retryAfterSeconds: 1,
            webhookTimeout: .seconds(3), pollInterval: .milliseconds(50))
        configuration.hub = HubEmulatorConfiguration(
            host: "127.0.0.1", port: 0,
            hubs: [
                hub
                    ?? HubConfiguration(
                        hostName: hubHost, sharedAccessPolicies: [.init(keyName: "iothubowner", primaryKey: ownerKey)])
            ])
        configuration.delivery = DeliveryConfiguration(
            pollInterval: .milliseconds(50), initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(400),
            requestTimeout: .seconds(5))
        return configuration
    }

    /// A fresh migrated database.
    static func withDatabase<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws
        -> T
    {
        try await LiveGateway.withMigratedDatabase(body)
    }

    /// Runs the DPS emulator live.
    static func withDPS<T: Sendable>(
        _ configuration: EmulatorConfiguration, _ database: PostgresClient,
        _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let app = try DeviceEmulators.buildDPSApplication(
            configuration: configuration, database: database, transport: transport, logger: logger)
        return try await app.test(.live, body)
    }

    /// Runs the IoT Hub emulator live.
    static func withHub<T: Sendable>(
        _ configuration: EmulatorConfiguration, _ database: PostgresClient,
        _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let app = try DeviceEmulators.buildHubApplication(
            configuration: configuration, database: database, transport: transport, logger: logger)
        return try await app.test(.live, body)
    }

    /// `Authorization` value of a SAS token.
    static func sas(_ resource: String, key: String, keyName: String? = nil, lifetime: Int64 = 3600) throws -> String {
        let expiry = Int64(Date().timeIntervalSince1970) + lifetime
        return try SharedAccessSignature.create(resourceURI: resource, key: key, expiry: expiry, keyName: keyName).token
    }

    /// The hub owner's token.
    static func ownerToken() throws -> String { try sas(hubHost, key: ownerKey, keyName: "iothubowner") }

    static func json(_ response: TestResponse) -> JSONValue? {
        try? JSONParser.parse(Array(response.body.readableBytesView))
    }

    static func body(_ value: JSONValue) -> ByteBuffer { ByteBuffer(bytes: JSONWriter.bytes(value)) }

    static func header(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }
}
