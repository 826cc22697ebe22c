import ADTWire
import EventRoutes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinGateway
import TwinStore
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct HealthRoutesTests {
    /// Checks `/healthz` and `/readyz` of a gateway on a fresh database, migrated or not.
    func check(
        migrated: Bool, endpoints: [EventEndpoint] = [], readyStatus: HTTPResponse.Status,
        readyBody: @escaping @Sendable (String) -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { url, client in
            if migrated { try await MigrationRunner(logger: TestDatabase.logger).migrate(client: client) }
            var configuration = GatewayConfiguration(host: "127.0.0.1", port: 0)
            configuration.endpoints = endpoints
            let app = buildApplication(
                configuration: configuration,
                database: PostgresClient(
                    configuration: url.clientConfiguration(), backgroundLogger: TestDatabase.logger),
                logger: TestDatabase.logger)
            try await app.test(.live) { http in
                try await http.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await http.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == readyStatus)
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    readyBody(String(buffer: response.body))
                }
            }
        }
    }

    @Test func liveAndReadyOnAMigratedDatabase() async throws {
        try await check(migrated: true, readyStatus: .ok) { body in
            #expect(body == #"{"status":"ready"}"#)
        }
    }

    @Test func readinessCarriesTheDeliveryBacklogWithoutSecrets() async throws {
        let hook = EventEndpoint(
            name: "hooks", kind: .webhook,
            settings: JSONObject([(key: "url", value: "http://127.0.0.1:9/secret-path")]))
        try await check(migrated: true, endpoints: [hook], readyStatus: .ok) { body in
            #expect(
                body
                    == #"{"status":"ready","eventDelivery":{"unroutedEvents":0,"endpoints":[{"name":"hooks","backlog":0,"oldestUndeliveredAgeSeconds":0.0,"deadLetters":0}]}}"#
            )
            #expect(!body.contains("secret"))
        }
    }

    @Test func notReadyWhileTheSchemaIsBehind() async throws {
        try await check(migrated: false, readyStatus: .serviceUnavailable) { body in
            #expect(body.contains("twins db migrate"))
            #expect(body.hasPrefix(#"{"status":"unavailable","reason":""#) && body.hasSuffix(#""}"#), "\(body)")
        }
    }
}
