import ADTWire
import DTDL
import Foundation
import Logging
import PostgresNIO

/// A change notification in ADT's CloudEvents shape, written to the outbox in the transaction
/// of the change.
struct ChangeEvent: Sendable {
    let type: String
    let subject: String
    let dataSchema: String
    let data: JSONValue
    let time: String
    /// CloudEvents extension attributes (telemetry's message id and source time).
    var extensions: [(String, String)] = []

    /// The `source` attribute: ADT puts the instance host name there; deliveries may rewrite it.
    static let source = "twins"

    static func twinCreate(id: String, model: String, twin: JSONValue, time: String) -> ChangeEvent {
        ChangeEvent(type: "Microsoft.DigitalTwins.Twin.Create", subject: id, dataSchema: model, data: twin, time: time)
    }

    static func twinDelete(id: String, model: String, twin: JSONValue, time: String) -> ChangeEvent {
        ChangeEvent(type: "Microsoft.DigitalTwins.Twin.Delete", subject: id, dataSchema: model, data: twin, time: time)
    }

    /// An update carries `{"modelId": …, "patch": [JSON Patch]}`.
    static func twinUpdate(id: String, model: String, patch: [JSONValue], time: String) -> ChangeEvent {
        let data: JSONValue = .object(
            JSONObject([(key: "modelId", value: .string(model)), (key: "patch", value: .array(patch))]))
        return ChangeEvent(
            type: "Microsoft.DigitalTwins.Twin.Update", subject: id, dataSchema: model, data: data, time: time)
    }

    static func relationshipCreate(source: String, id: String, model: String, relationship: JSONValue, time: String)
        -> ChangeEvent
    {
        ChangeEvent(
            type: "Microsoft.DigitalTwins.Relationship.Create", subject: "\(source)/relationships/\(id)",
            dataSchema: model,
            data: relationship, time: time)
    }

    static func relationshipDelete(source: String, id: String, model: String, relationship: JSONValue, time: String)
        -> ChangeEvent
    {
        ChangeEvent(
            type: "Microsoft.DigitalTwins.Relationship.Delete", subject: "\(source)/relationships/\(id)",
            dataSchema: model,
            data: relationship, time: time)
    }

    static func relationshipUpdate(source: String, id: String, model: String, patch: [JSONValue], time: String)
        -> ChangeEvent
    {
        let data: JSONValue = .object(
            JSONObject([(key: "modelId", value: .string(model)), (key: "patch", value: .array(patch))]))
        return ChangeEvent(
            type: "Microsoft.DigitalTwins.Relationship.Update", subject: "\(source)/relationships/\(id)",
            dataSchema: model,
            data: data, time: time)
    }

    /// Telemetry: subject is the component path (empty for the twin itself); the message id
    /// and source time travel as extension attributes.
    static func telemetry(
        twin: String, component: String?, model: String, payload: JSONValue, messageID: String, sourceTime: String?,
        time: String
    ) -> ChangeEvent {
        var event = ChangeEvent(
            type: "microsoft.iot.telemetry", subject: component ?? "", dataSchema: model, data: payload, time: time)
        event.extensions =
            [("twinid", twin), ("messageid", messageID)] + (sourceTime.map { [("telemetrysourcetime", $0)] } ?? [])
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
    func write(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("INSERT INTO outbox (event) VALUES (\(text)::json)", logger: logger)
    }

    /// The CloudEvent as JSON text.
    var text: String {
        var event = JSONObject()
        event["specversion"] = "1.0"
        event["id"] = .string(UUID().uuidString.lowercased())
        event["type"] = .string(type)
        event["source"] = .string(Self.source)
        event["subject"] = .string(subject)
        event["time"] = .string(time)
        event["datacontenttype"] = "application/json"
        event["dataschema"] = .string(dataSchema)
        event["data"] = data
        for (name, value) in extensions { event[name] = .string(value) }
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
