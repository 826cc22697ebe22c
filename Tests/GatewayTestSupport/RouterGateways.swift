import ADTWire
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinGateway
import TwinTestSupport

/// A gateway on its own fresh, migrated database, driven through Hummingbird's router tester.
public enum GatewayTest {
    /// The query item selecting api-version 2023-10-31 (the newest), for request URLs.
    public static let version = "api-version=2023-10-31"

    /// Runs `body` with one or more gateways (each with its own in-memory caches, as separate
    /// processes would have) sharing one fresh database.
    public static func withGateways(
        _ count: Int = 1, _ body: @Sendable @escaping ([any TestClientProtocol]) async throws -> Void
    ) async throws {
        try await withGatewaysAndDatabase(count) { gateways, _ in try await body(gateways) }
    }

    /// As ``withGateways(_:_:)``, also passing the database, for checks in SQL.
    public static func withGatewaysAndDatabase(
        _ count: Int, _ body: @Sendable @escaping ([any TestClientProtocol], PostgresClient) async throws -> Void
    ) async throws {
        try await withGateways(configurations: Array(repeating: GatewayConfiguration(), count: count), body)
    }

    /// One gateway per configuration (auth modes, query extensions), all on one fresh
    /// database, with the database for checks in SQL.
    public static func withGateways(
        configurations: [GatewayConfiguration],
        _ body: @Sendable @escaping ([any TestClientProtocol], PostgresClient) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            try await MigrationRunner(logger: TestDatabase.logger).migrate(client: client)
            let apps = configurations.map { configuration in
                Application(
                    router: buildRouter(database: client, configuration: configuration, logger: TestDatabase.logger),
                    logger: TestDatabase.logger)
            }
            try await nest(apps[...], clients: []) { gateways in try await body(gateways, client) }
        }
    }

    private static func nest(
        _ apps: ArraySlice<Application<RouterResponder<BasicRequestContext>>>, clients: [any TestClientProtocol],
        _ body: @Sendable @escaping ([any TestClientProtocol]) async throws -> Void
    ) async throws {
        guard let app = apps.first else { return try await body(clients) }
        try await app.test(.router) { client in
            try await nest(apps.dropFirst(), clients: clients + [client], body)
        }
    }

    /// The response body parsed as JSON.
    public static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONParser.parse(Array(response.body.readableBytesView))
    }

    /// The ADT error code of an error response, checking its shape and header on the way.
    public static func errorCode(_ response: TestResponse) throws -> String? {
        let body = try json(response)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        let code = body["error"]?["code"]?.stringValue
        #expect(body["error"]?["message"]?.stringValue?.isEmpty == false)
        #expect(response.headers[HTTPField.Name("x-ms-error-code")!] == code)
        return code
    }
}

extension TestClientProtocol {
    /// A request with a JSON body given as text.
    public func send(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

/// Small helpers for tests that need the database and the router side by side.
public enum TwinStoreMigrations {
    /// Applies the schema.
    public static func migrate(_ client: PostgresClient) async throws {
        try await MigrationRunner(logger: TestDatabase.logger).migrate(client: client)
    }
}

/// The gateway's router on a database.
public enum TwinGatewayRouter {
    /// The routes of `buildRouter` with default settings.
    public static func make(_ client: PostgresClient) -> Router<BasicRequestContext> {
        buildRouter(database: client, logger: TestDatabase.logger)
    }
}
