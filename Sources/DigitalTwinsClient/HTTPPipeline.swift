import Foundation
import HTTPTransport
import Logging

/// Sends a request through a ``Transport`` with a ``RetryPolicy``, logging each attempt.
/// Shared by the client and the credentials. Returns the last response whatever its status;
/// throws the last ``TransportError`` when no response came.
struct HTTPPipeline: Sendable {
    var transport: any Transport
    var retryPolicy: RetryPolicy
    var logger: Logger

    /// Sends `makeRequest()`'s request, building it anew for each attempt (so a token close to
    /// expiry is refreshed between attempts). Logs method, URL without query, status and timing;
    /// never headers or bodies, which may hold tokens or secrets.
    func send(_ makeRequest: () async throws -> TransportRequest) async throws -> TransportResponse {
        var retry = 0
        while true {
            let request = try await makeRequest()
            let started = ContinuousClock.now
            var metadata: Logger.Metadata = [
                "http.method": "\(request.method)", "http.url": "\(Self.redact(request.url))",
                "attempt": "\(retry + 1)",
            ]
            let wait: Duration
            do {
                let response = try await transport.send(request)
                metadata["http.status"] = "\(response.status)"
                metadata["duration_ms"] = "\((ContinuousClock.now - started).milliseconds)"
                if let id = ADTError.requestID(response.headers) { metadata["request_id"] = "\(id)" }
                guard retry < retryPolicy.maxRetries, retryPolicy.shouldRetry(status: response.status, request: request)
                else {
                    logger.debug("HTTP request", metadata: metadata)
                    return response
                }
                if let asked = RetryPolicy.retryAfter(response.headers) {
                    guard asked <= retryPolicy.maxRetryAfter else {
                        metadata["retry_after_ms"] = "\(asked.milliseconds)"
                        logger.notice("not retrying: the server asks to wait longer than allowed", metadata: metadata)
                        return response
                    }
                    wait = asked
                } else {
                    wait = retryPolicy.backoff(retry: retry + 1)
                }
            } catch let error as TransportError {
                metadata["error"] = "\(error)"
                guard retry < retryPolicy.maxRetries, retryPolicy.shouldRetry(error, request: request) else {
                    logger.debug("HTTP request failed", metadata: metadata)
                    throw error
                }
                wait = retryPolicy.backoff(retry: retry + 1)
            }
            metadata["retry_in_ms"] = "\(wait.milliseconds)"
            logger.notice("retrying HTTP request", metadata: metadata)
            try await Task.sleep(for: wait)
            retry += 1
        }
    }

    /// The URL without its query (which could carry continuation tokens of no use in logs).
    static func redact(_ url: String) -> String {
        url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
    }
}
