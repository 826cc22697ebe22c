import ADTWire

/// A notification (CloudEvents JSON, as the outbox holds it) in the forms endpoints take.
public enum NotificationFormat {
    /// The twin a notification is about: the subject of a twin notification, the source twin of
    /// a relationship notification, the twin in a telemetry notification's source. Delivery keeps
    /// the notifications of one twin in order.
    public static func twinID(of event: JSONObject) -> String {
        let type = event["type"]?.stringValue ?? ""
        let subject = event["subject"]?.stringValue
        if type.hasPrefix("Microsoft.DigitalTwins.Relationship."), let subject,
            let range = subject.firstRange(of: "/relationships/")
        {
            return String(subject[..<range.lowerBound])
        }
        if type == "microsoft.iot.telemetry", let source = event["source"]?.stringValue,
            let range = source.firstRange(of: "/digitaltwins/")
        {
            return String(source[range.upperBound...])
        }
        return subject ?? event["id"]?.stringValue ?? ""
    }

    /// The partition (of `count`) a twin's notifications belong to: FNV-1a of the id's UTF-8,
    /// stable across processes and versions.
    public static func partition(ofTwin id: String, count: Int) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in id.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % UInt32(count))
    }

    /// The notification in Event Grid's event schema: `id`, `subject`, `data`, `eventType`,
    /// `eventTime`, `dataVersion` and `metadataVersion`. Event Grid requires a subject and a
    /// time: telemetry without a component gets its twin's id, and a notification without a
    /// time gets `fallbackTime` (when it was written).
    public static func eventGridEvent(_ event: JSONObject, fallbackTime: String) -> JSONValue {
        var out = JSONObject()
        out["id"] = event["id"] ?? .string("")
        out["subject"] = event["subject"] ?? .string(twinID(of: event))
        out["data"] = event["data"] ?? .null
        out["eventType"] = event["type"] ?? .string("")
        out["eventTime"] = event["time"] ?? .string(fallbackTime)
        out["dataVersion"] = "1.0"
        out["metadataVersion"] = "1"
        return .object(out)
    }

    /// CloudEvents' AMQP binding, as Event Hubs and Service Bus messages carry a notification:
    /// every attribute but `data` as an application property `cloudEvents:<name>` (text), the
    /// data as the body.
    public static func applicationProperties(_ event: JSONObject) -> [(name: String, value: String)] {
        event.members.compactMap { member in
            guard member.key != "data", member.key != "datacontenttype" else { return nil }
            let text: String
            switch member.value {
            case .string(let s): text = s
            default: text = JSONWriter.string(member.value)
            }
            return ("cloudEvents:" + member.key, text)
        }
    }

    /// The MQTT topic for a notification: `template` with `{type}`, `{subject}`, `{source}`,
    /// `{id}` and `{twin}` replaced (an absent subject by the twin's id); the MQTT wildcards `+`
    /// and `#` in values become `_`.
    public static func topic(_ template: String, for event: JSONObject) -> String {
        func clean(_ text: String) -> String {
            String(text.map { $0 == "+" || $0 == "#" ? "_" : $0 })
        }
        let twin = twinID(of: event)
        let values: [(String, String)] = [
            ("{type}", event["type"]?.stringValue ?? ""),
            ("{subject}", event["subject"]?.stringValue ?? twin),
            ("{source}", event["source"]?.stringValue ?? ""),
            ("{id}", event["id"]?.stringValue ?? ""),
            ("{twin}", twin),
        ]
        var topic = ""
        var rest = Substring(template)
        outer: while !rest.isEmpty {
            if rest.first == "{" {
                for (name, value) in values where rest.hasPrefix(name) {
                    topic += clean(value)
                    rest = rest.dropFirst(name.count)
                    continue outer
                }
            }
            topic.append(rest.removeFirst())
        }
        return topic
    }
}
