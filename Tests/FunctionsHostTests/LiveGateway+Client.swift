import DigitalTwinsClient
import GatewayTestSupport

extension LiveGateway {
    /// A plain-HTTP gateway on a fresh database for the functions host to write to, with a
    /// client pointed at it (no credential).
    static func run<T: Sendable>(_ body: @escaping @Sendable (DigitalTwinsClient) async throws -> T) async throws -> T {
        try await plain { endpoint in try await body(try DigitalTwinsClient(endpoint: endpoint.url)) }
    }
}
