import ADTWire
import EventRoutes
import Testing

/// Notifications in ADT's shape (CloudEvents attributes at the top level, the body in `data`).
enum Events {
    static func parse(_ text: String) -> JSONObject { (try! JSONParser.parse(text)).objectValue! }

    static let twinCreate = parse(
        #"""
        {"specversion":"1.0","id":"e1","type":"Microsoft.DigitalTwins.Twin.Create","source":"twins.example.net",
         "subject":"room1","time":"2024-05-01T12:00:00.0000000Z","datacontenttype":"application/json",
         "traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
         "data":{"$dtId":"room1","$etag":"W/\"x\"","temperature":21.5,"floor":3,"occupied":true,"note":null,
                 "name":"Room One","$metadata":{"$model":"dtmi:example:Room;1"},
                 "thermostat":{"$metadata":{},"setPoint":20}}}
        """#)
    static let twinUpdate = parse(
        #"""
        {"specversion":"1.0","id":"e2","type":"Microsoft.DigitalTwins.Twin.Update","source":"twins.example.net",
         "subject":"room1","datacontenttype":"application/json",
         "data":{"modelId":"dtmi:example:Room;1","patch":[{"op":"replace","path":"/temperature","value":23}]}}
        """#)
    static let relationshipCreate = parse(
        #"""
        {"specversion":"1.0","id":"e3","type":"Microsoft.DigitalTwins.Relationship.Create",
         "source":"twins.example.net","subject":"floor1/relationships/contains-room1",
         "datacontenttype":"application/json",
         "data":{"$relationshipId":"contains-room1","$sourceId":"floor1","$targetId":"room1",
                 "$relationshipName":"contains","$etag":"W/\"y\""}}
        """#)
    static let relationshipDelete = parse(
        #"""
        {"specversion":"1.0","id":"e4","type":"Microsoft.DigitalTwins.Relationship.Delete",
         "source":"twins.example.net","subject":"floor1/relationships/contains-room1",
         "datacontenttype":"application/json",
         "data":{"$relationshipId":"contains-room1","$sourceId":"floor1","$targetId":"room1",
                 "$relationshipName":"contains"}}
        """#)
    static let telemetry = parse(
        #"""
        {"specversion":"1.0","id":"m-17","type":"microsoft.iot.telemetry",
         "source":"twins.example.net/digitaltwins/room1","subject":"thermostat",
         "dataschema":"dtmi:example:Thermostat;1","datacontenttype":"application/json",
         "data":{"Temperature":50,"unit":"C"}}
        """#)
    static let twinTelemetry = parse(
        #"""
        {"specversion":"1.0","id":"m-18","type":"microsoft.iot.telemetry",
         "source":"twins.example.net/digitaltwins/room1","dataschema":"dtmi:example:Room;1",
         "datacontenttype":"application/json","data":{"occupancy":4}}
        """#)
}

@Suite struct RouteFilterTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let filter: String
        let event: String
        let expected: Bool
        var testDescription: String { "\(filter) on \(event) → \(expected)" }
    }

    static let events: [String: JSONObject] = [
        "twinCreate": Events.twinCreate, "twinUpdate": Events.twinUpdate,
        "relationshipCreate": Events.relationshipCreate, "relationshipDelete": Events.relationshipDelete,
        "telemetry": Events.telemetry, "twinTelemetry": Events.twinTelemetry,
    ]

    static let cases: [Case] = [
        // Constants.
        Case(filter: "true", event: "twinCreate", expected: true),
        Case(filter: "false", event: "twinCreate", expected: false),
        Case(filter: "TRUE", event: "telemetry", expected: true),
        Case(filter: " ( true ) ", event: "twinUpdate", expected: true),
        // type.
        Case(filter: "type = 'Microsoft.DigitalTwins.Twin.Create'", event: "twinCreate", expected: true),
        Case(filter: "type = 'Microsoft.DigitalTwins.Twin.Create'", event: "twinUpdate", expected: false),
        Case(filter: "type = 'microsoft.digitaltwins.twin.create'", event: "twinCreate", expected: false),
        Case(filter: "type != 'microsoft.iot.telemetry'", event: "twinCreate", expected: true),
        Case(filter: "type != 'microsoft.iot.telemetry'", event: "telemetry", expected: false),
        Case(filter: "type <> 'microsoft.iot.telemetry'", event: "telemetry", expected: false),
        Case(
            filter: "type = 'Microsoft.DigitalTwins.Twin.Create' OR type = 'microsoft.iot.telemetry'",
            event: "telemetry", expected: true),
        Case(
            filter: "type = 'Microsoft.DigitalTwins.Twin.Create' or type = 'microsoft.iot.telemetry'",
            event: "twinUpdate", expected: false),
        Case(
            filter: "type IN ['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Delete']",
            event: "twinCreate", expected: true),
        Case(
            filter: "type IN ['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Delete']",
            event: "twinUpdate", expected: false),
        Case(filter: "type in ('microsoft.iot.telemetry')", event: "telemetry", expected: true),
        Case(filter: "NOT type IN ['microsoft.iot.telemetry']", event: "relationshipCreate", expected: true),
        // source, subject, id.
        Case(filter: "source = 'twins.example.net'", event: "twinCreate", expected: true),
        Case(filter: "source = 'twins.example.net/digitaltwins/room1'", event: "telemetry", expected: true),
        Case(filter: "STARTS_WITH(source, 'twins.example.net')", event: "telemetry", expected: true),
        Case(filter: "subject = 'room1'", event: "twinCreate", expected: true),
        Case(filter: "subject = 'room1'", event: "relationshipCreate", expected: false),
        Case(filter: "STARTS_WITH(subject, 'floor1/relationships/')", event: "relationshipCreate", expected: true),
        Case(filter: "ENDS_WITH(subject, '/contains-room1')", event: "relationshipDelete", expected: true),
        Case(filter: "CONTAINS(subject, 'room1')", event: "relationshipDelete", expected: true),
        Case(filter: "contains(subject, 'room2')", event: "relationshipDelete", expected: false),
        Case(filter: "subject = 'thermostat'", event: "telemetry", expected: true),
        // Telemetry from the twin itself has no subject: every comparison with it is false.
        Case(filter: "subject = ''", event: "twinTelemetry", expected: false),
        Case(filter: "subject != 'thermostat'", event: "twinTelemetry", expected: false),
        Case(filter: "NOT subject = 'thermostat'", event: "twinTelemetry", expected: true),
        Case(filter: "id = 'm-17'", event: "telemetry", expected: true),
        Case(filter: "id = \"e2\"", event: "twinUpdate", expected: true),
        // dataschema, datacontenttype, specversion, traceparent, time.
        Case(filter: "dataschema = 'dtmi:example:Thermostat;1'", event: "telemetry", expected: true),
        Case(filter: "dataschema = 'dtmi:example:Thermostat;1'", event: "twinCreate", expected: false),
        Case(filter: "datacontenttype = 'application/json'", event: "relationshipCreate", expected: true),
        Case(filter: "specversion = '1.0'", event: "twinUpdate", expected: true),
        Case(filter: "specversion != '1.0'", event: "twinUpdate", expected: false),
        Case(filter: "STARTS_WITH(traceparent, '00-0af7651916cd43dd')", event: "twinCreate", expected: true),
        Case(filter: "time >= '2024-01-01'", event: "twinCreate", expected: true),
        Case(filter: "time < '2024-01-01'", event: "twinCreate", expected: false),
        // The body.
        Case(filter: "$body.$metadata.$model = 'dtmi:example:Room;1'", event: "twinCreate", expected: true),
        Case(filter: "$body.modelId = 'dtmi:example:Room;1'", event: "twinUpdate", expected: true),
        Case(filter: "STARTS_WITH($body.$metadata.$model, 'dtmi:example:')", event: "twinCreate", expected: true),
        Case(filter: "ENDS_WITH($body.$metadata.$model, 'Room;1')", event: "twinCreate", expected: true),
        Case(filter: "ENDS_WITH($body.$metadata.$model, 'Room;2')", event: "twinCreate", expected: false),
        Case(filter: "$body.temperature <= 21.5", event: "twinCreate", expected: true),
        Case(filter: "$body.temperature < 21.5", event: "twinCreate", expected: false),
        Case(filter: "$body.temperature > 21", event: "twinCreate", expected: true),
        Case(filter: "$body.floor = 3", event: "twinCreate", expected: true),
        Case(filter: "$body.floor = 3.0", event: "twinCreate", expected: true),
        Case(filter: "$body.floor >= 4", event: "twinCreate", expected: false),
        Case(filter: "$body.floor > -1", event: "twinCreate", expected: true),
        Case(filter: "$body.occupied = true", event: "twinCreate", expected: true),
        Case(filter: "$body.occupied != false", event: "twinCreate", expected: true),
        Case(filter: "$body.note = null", event: "twinCreate", expected: true),
        Case(filter: "$body.name != null", event: "twinCreate", expected: true),
        Case(filter: "$body.missing != null", event: "twinCreate", expected: false),
        Case(filter: "$body.missing = null", event: "twinCreate", expected: false),
        Case(filter: "$body.name = 'Room One'", event: "twinCreate", expected: true),
        Case(filter: "$body.name = 'room one'", event: "twinCreate", expected: false),
        Case(filter: "$body.name > 'Room'", event: "twinCreate", expected: true),
        Case(filter: "$body.name = 1", event: "twinCreate", expected: false),
        Case(filter: "$body.name != 1", event: "twinCreate", expected: true),
        Case(filter: "$body.thermostat.setPoint = 20", event: "twinCreate", expected: true),
        Case(filter: "$body.Temperature > 40", event: "telemetry", expected: true),
        Case(filter: "$body.temperature > 40", event: "telemetry", expected: false),
        Case(filter: "$body.$targetId = 'room1'", event: "relationshipCreate", expected: true),
        Case(
            filter: "$body.$relationshipName IN ['contains', 'isPartOf']", event: "relationshipDelete", expected: true),
        Case(filter: "$body.floor IN [1, 2, 3]", event: "twinCreate", expected: true),
        Case(filter: "CONTAINS($body.floor, '3')", event: "twinCreate", expected: false),
        // Combinations and precedence (NOT over AND over OR).
        Case(
            filter: "type = 'microsoft.iot.telemetry' AND $body.Temperature > 40 AND subject = 'thermostat'",
            event: "telemetry", expected: true),
        Case(
            filter: "type = 'microsoft.iot.telemetry' and $body.Temperature > 60", event: "telemetry", expected: false),
        Case(filter: "false OR true AND false", event: "twinCreate", expected: false),
        Case(filter: "(false OR true) AND true", event: "twinCreate", expected: true),
        Case(filter: "NOT false AND NOT NOT true", event: "twinCreate", expected: true),
        Case(
            filter:
                "(type != 'microsoft.iot.telemetry' OR datacontenttype = 'application/json') OR (specversion != '1.0')",
            event: "telemetry", expected: true),
        Case(
            filter: "type = 'Microsoft.DigitalTwins.Twin.Update'\n  AND $body.modelId = 'dtmi:example:Room;1'",
            event: "twinUpdate", expected: true),
        // A quote doubled stands for itself, in either kind of quotes.
        Case(filter: "'It''s' = \"It's\"", event: "twinCreate", expected: true),
        Case(filter: "\"say \"\"hi\"\"\" = 'say \"hi\"'", event: "twinCreate", expected: true),
        // Names that no notification has are never equal to anything.
        Case(filter: "this = 'x'", event: "twinCreate", expected: false),
        Case(filter: "Type = 'Microsoft.DigitalTwins.Twin.Create'", event: "twinCreate", expected: false),
        // The 2020 API's event categories.
        Case(filter: "$eventType = 'DigitalTwinTelemetryMessages'", event: "telemetry", expected: true),
        Case(
            filter: "$eventType = 'DigitalTwinTelemetryMessages' or $eventType = 'DigitalTwinLifecycleNotification'",
            event: "twinCreate", expected: true),
        Case(
            filter: "$eventType = 'DigitalTwinTelemetryMessages' or $eventType = 'DigitalTwinLifecycleNotification'",
            event: "twinUpdate", expected: false),
        Case(filter: "$eventType = 'DigitalTwinChangeNotification'", event: "twinUpdate", expected: true),
        Case(
            filter: "$eventType = 'DigitalTwinRelationshipChangeNotification'", event: "relationshipDelete",
            expected: true),
    ]

    @Test(arguments: cases) func filterMatchesEvent(_ example: Case) throws {
        let filter = try RouteFilter(parsing: example.filter)
        #expect(filter.matches(try #require(Self.events[example.event])) == example.expected)
        #expect(filter.text == example.filter)
    }

    @Test func tableIsLargeAndCoversEveryEventAndBothOutcomes() {
        #expect(Self.cases.count >= 60)
        #expect(Set(Self.cases.map(\.event)) == Set(Self.events.keys))
        #expect(Self.cases.contains { $0.expected } && Self.cases.contains { !$0.expected })
    }
}

@Suite struct InvalidRouteFilterTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let filter: String
        let line: Int
        let position: Int
        let reason: String
        var testDescription: String { filter }
    }

    static let cases: [Case] = [
        // Recorded: ADT answered Line=1, Position=6, Message=Unexpected input 'is'.
        Case(filter: "this is not a valid filter", line: 1, position: 6, reason: "Unexpected input 'is'"),
        Case(filter: "", line: 1, position: 1, reason: "Unexpected end of input"),
        Case(filter: "   ", line: 1, position: 4, reason: "Unexpected end of input"),
        Case(filter: "type", line: 1, position: 5, reason: "Unexpected end of input"),
        Case(filter: "type =", line: 1, position: 7, reason: "Unexpected end of input"),
        Case(filter: "type = 'a", line: 1, position: 8, reason: "Unterminated string"),
        Case(filter: "type == 'a'", line: 1, position: 7, reason: "Unexpected input '='"),
        Case(filter: "type = 'a' AND", line: 1, position: 15, reason: "Unexpected end of input"),
        Case(filter: "AND type = 'a'", line: 1, position: 1, reason: "Unexpected input 'AND'"),
        Case(filter: "type = 'a' OR OR type = 'b'", line: 1, position: 15, reason: "Unexpected input 'OR'"),
        Case(filter: "(type = 'a'", line: 1, position: 12, reason: "Unexpected end of input"),
        Case(filter: "type = 'a')", line: 1, position: 11, reason: "Unexpected input ')'"),
        Case(filter: "type = 'a' type = 'b'", line: 1, position: 12, reason: "Unexpected input 'type'"),
        Case(filter: "STARTS_WITH(subject)", line: 1, position: 20, reason: "Unexpected input ')'"),
        Case(filter: "STARTS_WITH(subject, 'a'", line: 1, position: 25, reason: "Unexpected end of input"),
        Case(filter: "type IN 'a'", line: 1, position: 9, reason: "Unexpected input ''a''"),
        Case(filter: "type IN ['a', type]", line: 1, position: 15, reason: "Unexpected input 'type'"),
        Case(filter: "type IN []", line: 1, position: 10, reason: "Unexpected input ']'"),
        Case(filter: "$body.patch[0].path = '/x'", line: 1, position: 12, reason: "Unexpected input '['"),
        Case(filter: "$body..x = 1", line: 1, position: 1, reason: "Unexpected input '$body..x'"),
        Case(filter: "type = 'a' & subject = 'b'", line: 1, position: 12, reason: "Unexpected input '&'"),
        Case(filter: "type ! 'a'", line: 1, position: 6, reason: "Unexpected input '!'"),
        Case(filter: "NOT", line: 1, position: 4, reason: "Unexpected end of input"),
        Case(filter: "type = 'a' AND\n  subject = ", line: 2, position: 13, reason: "Unexpected end of input"),
        Case(filter: "type = 'a'\nAND subject IS NULL", line: 2, position: 13, reason: "Unexpected input 'IS'"),
        Case(filter: "$body.floor > 1e999", line: 1, position: 15, reason: "Unexpected input '1e999'"),
        Case(filter: "'a'", line: 1, position: 4, reason: "Unexpected end of input"),
    ]

    @Test(arguments: cases) func invalidFilterIsRefusedWhereADTWould(_ example: Case) {
        #expect(throws: RouteFilterError(line: example.line, position: example.position, reason: example.reason)) {
            try RouteFilter(parsing: example.filter)
        }
    }

    @Test func messageIsADTs() {
        #expect(throws: RouteFilterError.self) { try RouteFilter(parsing: "this is not a valid filter") }
        do {
            _ = try RouteFilter(parsing: "this is not a valid filter")
        } catch {
            #expect(
                error.message
                    == "The provided filter is invalid. Parsing error, Line=1, Position=6, Message=Unexpected input 'is'. "
                    + "See event route documentation for supported values and structure (http://aka.ms/ADTv2Routes).")
        }
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        let deep = String(repeating: "(", count: 10_000) + "true" + String(repeating: ")", count: 10_000)
        #expect(throws: RouteFilterError.self) { try RouteFilter(parsing: deep) }
        let negations = String(repeating: "NOT ", count: 10_000) + "true"
        #expect(throws: RouteFilterError.self) { try RouteFilter(parsing: negations) }
        let fine = String(repeating: "(", count: 60) + "true" + String(repeating: ")", count: 60)
        #expect((try? RouteFilter(parsing: fine))?.matches(Events.twinCreate) == true)
    }

    @Test func tableIsLarge() { #expect(Self.cases.count >= 20) }
}
