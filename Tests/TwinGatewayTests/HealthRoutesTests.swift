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
    func check(migrated: Bool, readyStatus: HTTPResponse.Status, readyBody: @escaping @Sendable (String) -> Void)
        async throws
    {
        try await TestDatabase.withFreshDatabase { url, client in
            if migrated { try await MigrationRunner(logger: TestDatabase.logger).migrate(client: client) }
            let app = buildApplication(
                configuration: .init(host: "127.0.0.1", port: 0),
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

    @Test func notReadyWhileTheSchemaIsBehind() async throws {
        try await check(migrated: false, readyStatus: .serviceUnavailable) { body in
            #expect(body.contains("twins db migrate"))
            #expect(body.hasPrefix(#"{"status":"unavailable","reason":""#) && body.hasSuffix(#""}"#), "\(body)")
        }
    }
}
