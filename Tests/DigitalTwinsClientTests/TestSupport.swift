import ADTWire
import DigitalTwinsClient
import Foundation
import HTTPTransport
import Testing

/// Every suite of this target nests in this one, so they run one at a time: the thread-count
/// and timing tests must not see other tests' threads and load (the machine has 2 shared cores).
@Suite(.serialized) struct ClientTests {}

extension RetryPolicy {
    /// The default policy with millisecond delays, for tests.
    static let fast = RetryPolicy(baseDelay: .milliseconds(5), maxDelay: .milliseconds(40))
}

/// A client of `server` with fast retries.
func makeClient(
    _ server: LoopbackServer, credential: (any TokenCredential)? = nil, retry: RetryPolicy = .fast,
    transport: (any Transport)? = nil
) throws -> DigitalTwinsClient {
    try DigitalTwinsClient(
        endpoint: server.url, credential: credential,
        options: .init(connectTimeout: .seconds(5), requestTimeout: .seconds(20), retryPolicy: retry),
        transport: transport)
}

/// Parses JSON text (test input is always valid).
func json(_ text: String) -> JSONValue {
    (try? JSONParser.parse(text)) ?? .null
}
