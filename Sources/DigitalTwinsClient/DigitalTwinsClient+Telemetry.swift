import ADTWire
import Foundation

extension DigitalTwinsClient {
    /// Publishes telemetry from a twin (`POST /digitaltwins/{id}/telemetry`); returns the
    /// `Message-Id` used.
    ///
    /// The message id is the service's de-duplication key, so the request is retried like an
    /// idempotent one: a repeat with the same id is dropped by the service.
    ///
    /// - Parameters:
    ///   - messageID: unique per twin; a new UUID when `nil`.
    ///   - sourceTime: `Telemetry-Source-Time`, RFC 3339 (e.g. `2024-05-01T12:00:00.000Z`).
    @discardableResult
    public func publishTelemetry(
        twinID: String, payload: JSONValue, messageID: String? = nil, sourceTime: String? = nil
    ) async throws
        -> String
    {
        try await telemetry(
            path: ["digitaltwins", twinID, "telemetry"], payload: payload, messageID: messageID, sourceTime: sourceTime)
    }

    /// Publishes telemetry from a twin's component (`POST .../components/{path}/telemetry`);
    /// returns the `Message-Id` used (see ``publishTelemetry(twinID:payload:messageID:sourceTime:)``).
    @discardableResult
    public func publishComponentTelemetry(
        twinID: String, componentPath: String, payload: JSONValue, messageID: String? = nil, sourceTime: String? = nil
    ) async throws -> String {
        try await telemetry(
            path: ["digitaltwins", twinID, "components", componentPath, "telemetry"], payload: payload,
            messageID: messageID,
            sourceTime: sourceTime)
    }

    private func telemetry(path: [String], payload: JSONValue, messageID: String?, sourceTime: String?) async throws
        -> String
    {
        let id = messageID ?? UUID().uuidString.lowercased()
        var call = Call(method: .post, path: path, body: Self.body(payload), idempotent: true)
        call.headers["Message-Id"] = id
        call.headers["Telemetry-Source-Time"] = sourceTime
        _ = try await perform(call)
        return id
    }
}
