import Foundation
import HTTPTransport

/// When and how long to wait before repeating a request, as Azure SDKs do.
///
/// - Retried: HTTP 408, 429, 500, 502, 503, 504 and transport failures (connection refused,
///   reset, timeout), at most ``maxRetries`` times after the first attempt.
/// - Waits: the server's `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds) or
///   `Retry-After` (seconds or an HTTP date) when given; otherwise exponential backoff
///   `baseDelay × 2^(retry−1)` with ±20 % jitter, capped at ``maxDelay``.
/// - Only where safe: a request that is not idempotent (POST other than a query, PATCH) is
///   repeated only when it cannot have reached the server (connect failures), or when the
///   server refused it unprocessed with 429 (``retryThrottledWrites``).
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt (Azure SDKs' default: 3).
    public var maxRetries: Int
    /// The first backoff delay (Azure SDKs' default: 0.8 s).
    public var baseDelay: Duration
    /// No computed backoff is longer than this.
    public var maxDelay: Duration
    /// A server-requested wait longer than this is not waited for: the error is returned
    /// instead, rather than blocking the caller for minutes (5 minutes by default).
    public var maxRetryAfter: Duration
    /// The statuses that are retried.
    public var retryStatuses: Set<Int>
    /// Whether a 429 is retried also for requests that are not idempotent: a throttled
    /// request was refused before it was processed.
    public var retryThrottledWrites: Bool
    /// Whether transport failures are retried at all (the managed identity probe turns this off
    /// to fail fast where no identity endpoint exists).
    public var retryTransportErrors: Bool

    /// A policy; the defaults are Azure SDKs'.
    public init(
        maxRetries: Int = 3, baseDelay: Duration = .milliseconds(800), maxDelay: Duration = .seconds(60),
        maxRetryAfter: Duration = .seconds(300), retryStatuses: Set<Int> = [408, 429, 500, 502, 503, 504],
        retryThrottledWrites: Bool = true, retryTransportErrors: Bool = true
    ) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.retryStatuses = retryStatuses
        self.retryThrottledWrites = retryThrottledWrites
        self.retryTransportErrors = retryTransportErrors
    }

    /// Azure SDKs' defaults: 3 retries, 0.8 s base, 60 s cap.
    public static var `default`: RetryPolicy { RetryPolicy() }
    /// No retries.
    public static var none: RetryPolicy { RetryPolicy(maxRetries: 0) }

    /// The backoff before retry number `retry` (1 for the first retry), with `jitter` in
    /// 0.8…1.2 scaling it; never more than ``maxDelay``.
    public func backoff(retry: Int, jitter: Double) -> Duration {
        let exponent = Double(max(0, min(retry - 1, 30)))
        let seconds = min(baseDelay.seconds * pow(2, exponent) * jitter, maxDelay.seconds)
        // Whole milliseconds: finer precision means nothing to a sleeping retry.
        return min(.milliseconds(Int64(max(0, seconds * 1000).rounded())), maxDelay)
    }

    /// The backoff before retry number `retry`, with random jitter.
    public func backoff(retry: Int) -> Duration {
        backoff(retry: retry, jitter: Double.random(in: 0.8...1.2))
    }

    /// The wait a response asks for: `retry-after-ms`, `x-ms-retry-after-ms`, then
    /// `Retry-After` (delta seconds, possibly fractional, or an HTTP date relative to `now`).
    public static func retryAfter(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let text = headers[name], let ms = Double(text.trimmingCharacters(in: .whitespaces)), ms >= 0,
                ms.isFinite
            {
                return milliseconds(ms)
            }
        }
        guard let text = headers["Retry-After"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(text), seconds >= 0, seconds.isFinite { return milliseconds(seconds * 1000) }
        if let date = HTTPDate.parse(text) { return milliseconds(max(0, date.timeIntervalSince(now)) * 1000) }
        return nil
    }

    /// A server-given wait, clamped to a year so absurd values cannot overflow.
    private static func milliseconds(_ ms: Double) -> Duration {
        .milliseconds(Int64(min(ms, 365 * 86_400_000).rounded(.up)))
    }

    /// Whether a response with this status should be retried (attempts left aside).
    func shouldRetry(status: Int, request: TransportRequest) -> Bool {
        guard retryStatuses.contains(status) else { return false }
        return request.isIdempotent || (status == 429 && retryThrottledWrites)
    }

    /// Whether a transport failure should be retried (attempts left aside).
    func shouldRetry(_ error: TransportError, request: TransportRequest) -> Bool {
        guard retryTransportErrors else { return false }
        switch error.kind {
        case .connect: return true
        case .timeout, .connectionLost, .other: return request.isIdempotent || !error.requestMayHaveBeenSent
        default: return false
        }
    }
}
