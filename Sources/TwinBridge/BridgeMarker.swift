import ADTWire

/// How the bridge recognises its own writes when their notifications come back: every request
/// it makes carries a `traceparent` whose trace id starts with ``prefix``. ADT and the gateway
/// copy the caller's trace id into the notifications a request causes, so a notification whose
/// `traceparent` has the prefix is an echo of a change the bridge applied, and is not applied
/// back to the side it came from. (A random trace id has the prefix with probability 2⁻³²;
/// such a change is still applied, it only costs a read, since the bridge writes nothing that
/// would not change the target.)
public enum BridgeMarker {
    /// The first eight hex digits of the bridge's trace ids.
    public static let prefix = "b71d9e00"

    /// A new trace context for one applied change.
    public static func traceparent() -> String {
        "00-\(prefix)\(hex(UInt64.random(in: .min ... .max)))\(hex(UInt64.random(in: .min ... .max)).prefix(8))-\(hex(UInt64.random(in: 1 ... .max)))-01"
    }

    /// Whether a notification was caused by the bridge.
    public static func isEcho(_ event: JSONObject) -> Bool {
        guard let parent = event["traceparent"]?.stringValue else { return false }
        let parts = parent.split(separator: "-")
        return parts.count == 4 && parts[1].lowercased().hasPrefix(prefix)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int(value >> UInt64(shift) & 0xF)]) }
        return out
    }
}
