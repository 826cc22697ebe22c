import Foundation
import Logging

/// Tokens per scope set, refreshed ahead of expiry, with one refresh at a time: concurrent
/// callers that find the token missing or due share the one request in flight.
///
/// A token is due at its `refreshOn`, else 5 minutes before `expiresOn` (Azure SDKs' margin).
/// When a refresh fails while the cached token is still valid, that token is returned (and
/// the next call tries again), so a brief identity-provider outage does not fail requests.
actor TokenCache {
    private var tokens: [String: AccessToken] = [:]
    private var inFlight: [String: Task<AccessToken, any Error>] = [:]
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger

    init(refreshMargin: TimeInterval = 300, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.refreshMargin = refreshMargin
        self.logger = logger
        self.now = now
    }

    /// The cached token for `scopes`, or a new one from `fetch`.
    func token(scopes: [String], fetch: @escaping @Sendable () async throws -> AccessToken) async throws -> AccessToken
    {
        let key = scopes.joined(separator: " ")
        let cached = tokens[key]
        if let cached, !isDue(cached) { return cached }
        if let task = inFlight[key] { return try await task.value }

        let now = self.now
        let logger = self.logger
        let task = Task<AccessToken, any Error> {
            do {
                return try await fetch()
            } catch {
                if let cached, cached.expiresOn > now() {
                    logger.warning(
                        "token refresh failed; using the cached token until it expires", metadata: ["error": "\(error)"]
                    )
                    return cached
                }
                throw error
            }
        }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let token = try await task.value
        tokens[key] = token
        return token
    }

    private func isDue(_ token: AccessToken) -> Bool {
        let due =
            token.refreshOn.map { min($0, token.expiresOn.addingTimeInterval(-refreshMargin)) }
            ?? token.expiresOn.addingTimeInterval(-refreshMargin)
        return now() >= due
    }
}
