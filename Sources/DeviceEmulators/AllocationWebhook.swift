import ADTWire
import DTDL
import Foundation
import HTTPTransport
import Logging

/// One call of a custom-allocation webhook: DPS's `AllocationRequest` out, its
/// `AllocationResponse` in.
struct AllocationWebhook: Sendable {
    let transport: any Transport
    let timeout: Duration
    /// Further calls after a 429, a 5xx or no connection.
    var retries: Int = 0
    let logger: Logger

    /// The request body:
    /// `{"enrollmentGroup": {…no keys…}, "deviceRuntimeContext": {"registrationId", "symmetricKey": {},
    /// "payload"?, "currentIotHubHostName"?, "currentDeviceId"?}, "linkedHubs": [...]}`.
    static func requestBody(
        group: EnrollmentGroup, operation: RegistrationOperation, linkedHubs: [String],
        previous: (hub: String, deviceID: String)?
    ) -> JSONValue {
        var context = JSONObject()
        context["registrationId"] = .string(operation.registrationID)
        context["symmetricKey"] = .object(JSONObject())
        if let payload = operation.payload { context["payload"] = payload }
        if let previous {
            context["currentIotHubHostName"] = .string(previous.hub)
            context["currentDeviceId"] = .string(previous.deviceID)
        }
        return [
            "enrollmentGroup": group.json(secrets: false),
            "deviceRuntimeContext": .object(context),
            "linkedHubs": .array(linkedHubs.map(JSONValue.string)),
        ]
    }

    /// POSTs the request and reads the answer; every failure of the webhook becomes a
    /// `.failure` decision.
    ///
    /// - Throws: `CancellationError` when the task is cancelled (the operation stays
    ///   `assigning`).
    func call(
        group: EnrollmentGroup, operation: RegistrationOperation, linkedHubs: [String],
        previous: (hub: String, deviceID: String)?
    ) async throws -> AllocationWorker.Decision {
        guard let url = group.webhookURL else {
            return .failure(
                code: AllocationFailure.customAllocationFailed,
                message: "Enrollment group \(group.id) uses custom allocation but has no webhook.")
        }
        var headers: HTTPHeaders = [
            "Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
        ]
        if let key = group.webhookKey { headers["x-functions-key"] = key }
        let body = JSONWriter.bytes(
            Self.requestBody(group: group, operation: operation, linkedHubs: linkedHubs, previous: previous))
        let request = TransportRequest(
            method: .post, url: url, headers: headers, body: body, isIdempotent: false, timeout: timeout)
        var attempt = 0
        var response: TransportResponse
        while true {
            attempt += 1
            var failure: String?
            do {
                response = try await transport.send(request)
            } catch let error as TransportError {
                let what =
                    error.kind == .timeout ? "timed out after \(timeout)" : "could not be reached (\(error.kind))"
                failure = "Custom allocation failed: the webhook \(what)."
                response = TransportResponse(status: 0)
            }
            let transient = failure != nil || response.status == 429 || response.status >= 500
            if transient, attempt <= retries {
                logger.notice(
                    "allocation webhook failed, calling it again",
                    metadata: ["registrationId": "\(operation.registrationID)", "attempt": "\(attempt)"])
                try await Task.sleep(for: .seconds(1 << (attempt - 1)))
                continue
            }
            if let failure { return .failure(code: AllocationFailure.customAllocationFailed, message: failure) }
            break
        }
        guard response.isSuccess else {
            return .failure(
                code: AllocationFailure.customAllocationFailed,
                message: "Custom allocation failed with status code: \(response.status)" + Self.excerpt(response.body))
        }
        return Self.read(response.body, linkedHubs: linkedHubs, group: group)
    }

    /// Reads an `AllocationResponse`: `iotHubHostName` (one of `linkedHubs`, compared
    /// case-insensitively), optional `initialTwin` (else the group's) and `payload`.
    static func read(_ body: [UInt8], linkedHubs: [String], group: EnrollmentGroup) -> AllocationWorker.Decision {
        guard let object = (try? JSONParser.parse(body))?.objectValue else {
            return .failure(
                code: AllocationFailure.customAllocationFailed,
                message: "Custom allocation failed: the webhook's answer is not a JSON object.")
        }
        guard let chosen = object["iotHubHostName"]?.stringValue, !chosen.isEmpty else {
            return .failure(code: AllocationFailure.noHub, message: "The webhook's answer has no iotHubHostName.")
        }
        guard let hub = linkedHubs.first(where: { $0.lowercased() == chosen.lowercased() }) else {
            return .failure(
                code: AllocationFailure.noHub,
                message:
                    "The webhook chose \(chosen), which is not among the linked hubs (\(linkedHubs.joined(separator: ", ")))."
            )
        }
        var initialTwin = group.initialTwin
        switch object["initialTwin"] {
        case .none, .some(.null): break
        case .some(.object(let twin)): initialTwin = twin
        case .some:
            return .failure(
                code: AllocationFailure.customAllocationFailed,
                message: "Custom allocation failed: initialTwin in the webhook's answer is not an object.")
        }
        let payload = object["payload"].flatMap { $0.isNull ? nil : $0 }
        return .assign(hub: hub, initialTwin: initialTwin, payload: payload, group: group)
    }

    /// `": <first 200 characters of the body>"`, on one line, or nothing.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return "" }
        return ": " + (text.count > 200 ? String(text.prefix(200)) + "…" : text)
    }
}
