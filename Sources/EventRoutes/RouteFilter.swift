import ADTWire

/// An event route's filter in ADT's filter language, parsed once and evaluated per notification.
///
/// The language: `true` and `false`; comparisons (`=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`) and
/// `IN [...]` on the CloudEvents attributes (`type`, `source`, `subject`, `id`, `dataschema`,
/// `datacontenttype`, `specversion`, `traceparent`, `time`), on the notification body (`$body`,
/// `$body.$metadata.$model`, ...) and on literals (strings in single or double quotes, numbers,
/// `true`, `false`, `null`); `STARTS_WITH`, `ENDS_WITH` and `CONTAINS`; `AND`, `OR`, `NOT` and
/// parentheses. Keywords and function names are case-insensitive; names and values are not.
/// The 2020 API's `$eventType = 'DigitalTwinTelemetryMessages'` (and the other categories)
/// is read too.
public struct RouteFilter: Sendable, Hashable, CustomStringConvertible {
    /// The filter as written; ADT returns it byte for byte.
    public let text: String
    let expression: RouteFilterExpression

    /// Parses `text`.
    ///
    /// - Throws: ``RouteFilterError`` at the first input that does not fit the language.
    public init(parsing text: String) throws(RouteFilterError) {
        self.text = text
        var parser = RouteFilterParser(tokens: RouteFilterLexer.tokens(text))
        expression = try parser.filter()
    }

    /// Whether a notification, as CloudEvents JSON (attributes at the top level, the body in
    /// `data`), is routed by this filter.
    public func matches(_ event: JSONObject) -> Bool { expression.matches(event) }

    /// The filter as written.
    public var description: String { text }

    /// The 2020 API's event category of a notification type, which `$eventType` compares with.
    public static func legacyEventType(of type: String) -> String? {
        switch type {
        case "microsoft.iot.telemetry": return "DigitalTwinTelemetryMessages"
        case "Microsoft.DigitalTwins.Twin.Create", "Microsoft.DigitalTwins.Twin.Delete":
            return "DigitalTwinLifecycleNotification"
        case "Microsoft.DigitalTwins.Twin.Update": return "DigitalTwinChangeNotification"
        case "Microsoft.DigitalTwins.Relationship.Create", "Microsoft.DigitalTwins.Relationship.Update",
            "Microsoft.DigitalTwins.Relationship.Delete":
            return "DigitalTwinRelationshipChangeNotification"
        default: return nil
        }
    }
}
