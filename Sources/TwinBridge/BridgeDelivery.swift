import ADTWire

/// What an HTTP delivery of ADT notifications carries, as Event Grid or any webhook sender
/// posts them: a CloudEvent (structured, a batch, or binary mode with `ce-*` headers), or
/// Event Grid events (ADT's notifications in the Event Grid schema), or Event Grid's
/// subscription-validation handshake.
public enum BridgeDelivery: Sendable, Hashable {
    /// Event Grid's handshake: answer `{"validationResponse": code}`.
    case subscriptionValidation(code: String)
    /// Notifications, as CloudEvents (`type`, `subject`, `time`, `data`, `traceparent`, ...).
    case events([JSONObject])

    /// Reads a delivery.
    ///
    /// - Throws: ``BridgeFailure`` naming what is wrong with the body.
    public static func parse(body: [UInt8], headers: [String: String]) throws(BridgeFailure) -> BridgeDelivery {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        if let type = lowered["ce-type"] {
            // Binary mode: the attributes are headers, the body is the data.
            var event = JSONObject()
            event["type"] = .string(type)
            for (name, value) in lowered.sorted(by: { $0.key < $1.key })
            where name.hasPrefix("ce-") && name != "ce-type" {
                event[String(name.dropFirst(3))] = .string(value)
            }
            if event["traceparent"] == nil, let parent = lowered["traceparent"] {
                event["traceparent"] = .string(parent)
            }
            do {
                event["data"] = body.isEmpty ? nil : try JSONParser.parse(body)
            } catch {
                throw BridgeFailure("the CloudEvent's data (the body) is not JSON: \(error)")
            }
            return .events([event])
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            throw BridgeFailure("the body is not JSON: \(error)")
        }
        let items: [JSONValue]
        switch root {
        case .array(let list): items = list
        case .object: items = [root]
        default: throw BridgeFailure("the body must be an event or an array of events")
        }
        var events: [JSONObject] = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else { throw BridgeFailure("event \(index) is not an object") }
            if object["specversion"] != nil {
                guard object["type"]?.stringValue != nil else { throw BridgeFailure("CloudEvent \(index) has no type") }
                events.append(object)
            } else if let type = object["eventType"]?.stringValue {
                if type == "Microsoft.EventGrid.SubscriptionValidationEvent" {
                    guard let code = object["data"]?["validationCode"]?.stringValue else {
                        throw BridgeFailure("the subscription validation event has no data.validationCode")
                    }
                    return .subscriptionValidation(code: code)
                }
                // ADT's notification in the Event Grid schema: the same members under other names.
                var event = JSONObject()
                event["id"] = object["id"]
                event["type"] = .string(type)
                event["subject"] = object["subject"]
                event["time"] = object["eventTime"]
                event["data"] = object["data"]
                if let parent = object["traceparent"] { event["traceparent"] = parent }
                events.append(event)
            } else {
                throw BridgeFailure(
                    "event \(index) is neither a CloudEvent (specversion) nor an Event Grid event (eventType)")
            }
        }
        guard !events.isEmpty else { throw BridgeFailure("the body holds no events") }
        return .events(events)
    }
}
