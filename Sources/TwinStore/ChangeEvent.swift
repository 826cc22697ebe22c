import ADTWire
import DTDL
import Foundation
import Logging
import Observability
import PostgresNIO

/// The instance's change notifications.
public enum ChangeNotifications {
    /// Their `source` when no instance host name is configured.
    public static let defaultSource = "localhost"
}

/// A change notification in ADT's CloudEvents shape, written to the outbox in the transaction
/// of the change.
///
/// As ADT writes them: twin and relationship notifications carry `subject` and `time` and no
/// `dataschema` (their model is in the body); telemetry carries the caller's `Message-Id` as
/// `id`, `source` `<host>/digitaltwins/<twin id>`, `dataschema` (the twin's or component's
/// model), `subject` only for a component, and no `time`. `source` is the instance's host name,
/// given by the store that writes the event.
struct ChangeEvent: Sendable {
    let type: String
    let subject: String?
    var dataSchema: String? = nil
    let data: JSONValue
    let time: String?
    /// The event id; `nil` for a new UUID.
    var id: String? = nil
    /// For telemetry: the twin, whose path follows the host in `source`.
    var twinID: String? = nil
    /// CloudEvents extension attributes (telemetry's source time).
    var extensions: [(String, String)] = []

    static func twinCreate(id: String, twin: JSONValue, time: String) -> ChangeEvent {
        ChangeEvent(type: "Microsoft.DigitalTwins.Twin.Create", subject: id, data: twin, time: time)
    }

    static func twinDelete(id: String, twin: JSONValue, time: String) -> ChangeEvent {
        ChangeEvent(type: "Microsoft.DigitalTwins.Twin.Delete", subject: id, data: twin, time: time)
    }

    /// An update carries `{"modelId": …, "patch": [JSON Patch]}`.
    static func twinUpdate(id: String, model: String, patch: [JSONValue], time: String) -> ChangeEvent {
        let data: JSONValue = .object(
            JSONObject([(key: "modelId", value: .string(model)), (key: "patch", value: .array(patch))]))
        return ChangeEvent(
            type: "Microsoft.DigitalTwins.Twin.Update", subject: id, data: data, time: time)
    }

    static func relationshipCreate(source: String, id: String, relationship: JSONValue, time: String)
        -> ChangeEvent
    {
        ChangeEvent(
            type: "Microsoft.DigitalTwins.Relationship.Create", subject: "\(source)/relationships/\(id)",
            data: relationship, time: time)
    }

    static func relationshipDelete(source: String, id: String, relationship: JSONValue, time: String)
        -> ChangeEvent
    {
        ChangeEvent(
            type: "Microsoft.DigitalTwins.Relationship.Delete", subject: "\(source)/relationships/\(id)",
            data: relationship, time: time)
    }

    static func relationshipUpdate(source: String, id: String, model: String, patch: [JSONValue], time: String)
        -> ChangeEvent
    {
        let data: JSONValue = .object(
            JSONObject([(key: "modelId", value: .string(model)), (key: "patch", value: .array(patch))]))
        return ChangeEvent(
            type: "Microsoft.DigitalTwins.Relationship.Update", subject: "\(source)/relationships/\(id)", data: data,
            time: time)
    }

    /// Telemetry: the message id is the event's id, the subject the component (none for the
    /// twin itself); the source time travels as an extension attribute.
    static func telemetry(
        twin: String, component: String?, model: String, payload: JSONValue, messageID: String, sourceTime: String?,
        time: String
    ) -> ChangeEvent {
        var event = ChangeEvent(
            type: "microsoft.iot.telemetry", subject: component, dataSchema: model, data: payload, time: nil,
            id: messageID, twinID: twin)
        event.extensions = sourceTime.map { [("telemetrysourcetime", $0)] } ?? []
        return event
    }

    /// The patch that turns `old` into `new` at the top level (a replacing PUT).
    static func replacement(of old: JSONObject, with new: JSONObject) -> [JSONValue] {
        var ops: [JSONValue] = []
        func op(_ name: String, _ path: String, _ value: JSONValue?) -> JSONValue {
            var o = JSONObject()
            o["op"] = .string(name)
            o["path"] = .string(path)
            if let value { o["value"] = value }
            return .object(o)
        }
        for member in new.members where !member.key.hasPrefix("$") || member.key == "$metadata" {
            let path =
                "/" + member.key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            if member.key == "$metadata" {
                if old["$metadata"]?["$model"] != member.value["$model"], let model = member.value["$model"] {
                    ops.append(op("replace", "/$metadata/$model", model))
                }
            } else if let previous = old[member.key] {
                if previous != member.value { ops.append(op("replace", path, member.value)) }
            } else {
                ops.append(op("add", path, member.value))
            }
        }
        for member in old.members where !member.key.hasPrefix("$") && new[member.key] == nil {
            ops.append(op("remove", "/" + member.key, nil))
        }
        return ops
    }

    /// The caller's patch as the event reports it (component patches rooted at the component).
    static func patchForEvent(_ patch: JSONValue, component: String?) -> [JSONValue] {
        let operations = patch.arrayValue ?? []
        guard let component else { return operations }
        return operations.map { operation in
            guard case .object(var o) = operation, let path = o["path"]?.stringValue else { return operation }
            o["path"] = .string("/\(component)\(path)")
            return .object(o)
        }
    }

    /// Appends the event to the outbox over the transaction's connection.
    func write(on connection: PostgresConnection, source: String, logger: Logger) async throws {
        try await connection.tracedQuery(
            "INSERT INTO outbox (event) VALUES (\(text(source: source))::json)", logger: logger)
    }

    /// The CloudEvent as JSON text, from the instance whose host name is `source`.
    func text(source: String) -> String {
        var event = JSONObject()
        event["specversion"] = "1.0"
        event["id"] = .string(id ?? UUID().uuidString.lowercased())
        event["type"] = .string(type)
        if let twinID {
            event["source"] = .string(source + "/digitaltwins/" + twinID)
        } else {
            event["source"] = .string(source)
        }
        if let subject { event["subject"] = .string(subject) }
        if let time { event["time"] = .string(time) }
        event["datacontenttype"] = "application/json"
        if let dataSchema { event["dataschema"] = .string(dataSchema) }
        // The request's trace context (`RequestTrace`, set by the gateway per request), as ADT's do.
        if let traceparent = RequestTrace.traceparent { event["traceparent"] = .string(traceparent) }
        for (name, value) in extensions { event[name] = .string(value) }
        event["data"] = data
        return JSONWriter.string(.object(event))
    }
}

extension ServiceError {
    /// No such twin (`DigitalTwinNotFound`, 404), in ADT's words.
    public static func twinNotFound(_ id: String) -> ServiceError {
        ServiceError(
            "DigitalTwinNotFound",
            "There is no digital twin instance that exists with the ID \(id). Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins https://aka.ms/adtv2query."
        )
    }

    /// No such component on a twin (`ComponentNotFound`, 404), in ADT's words.
    public static func componentNotFound(_ component: String, twin: String) -> ServiceError {
        ServiceError(
            "ComponentNotFound",
            "\(twin) does not have component \(component) Please verify that the component path is correct. You can get components by getting the twin, See example https://aka.ms/TwinGetSwSmpl."
        )
    }

    /// A twin that does not conform: ADT answers `ValidationFailed` "Invalid twin specified"
    /// with the reason as a detail.
    static func invalidTwin(_ error: DTDLError) -> ServiceError {
        guard error.code == .validationFailed else { return ServiceError(error) }
        return ServiceError("ValidationFailed", InstanceValidator.invalidTwinSummary, details: [error.message])
    }

    static func invalidTwin(modelID: String) -> ServiceError {
        ServiceError(
            "ValidationFailed", InstanceValidator.invalidTwinSummary,
            details: ["\(modelID) or one of its dependencies does not exist."])
    }
}
