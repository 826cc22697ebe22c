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
