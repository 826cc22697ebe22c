import ADTWire
import DTDL
@testable import DeviceEmulators
import Foundation
import Testing

@Suite("Routing queries")
struct RoutingQueryTests {
    static let lifecycle = RoutingQuery.Input(
        properties: ([
            "opType": "deleteDeviceIdentity", "deviceId": "d1", "iothub-message-schema": "deviceLifecycleNotification",
        ] as JSONValue).objectValue!,
        systemProperties: ([
            "iothub-connection-device-id": "d1", "content-type": "application/json",
            "iothub-message-source": "deviceLifecycleEvents",
        ] as JSONValue).objectValue!,
        enqueuedAt: Date(timeIntervalSince1970: 1_653_677_378), body: ["deviceId": "d1", "version": 2])
    static let telemetry = RoutingQuery.Input(
        properties: (["status": "active", "level": "7"] as JSONValue).objectValue!,
        systemProperties: (["iothub-connection-device-id": "d2", "message-id": "m1"] as JSONValue).objectValue!,
        enqueuedAt: Date(timeIntervalSince1970: 1_653_677_378),
        body: ["Weather": ["Temperature": 31.5], "Location": "USA"])

    static func matches(_ query: String, _ input: RoutingQuery.Input) throws -> Bool {
        try RoutingQuery(query).matches(input)
    }

    @Test("true, property and system property comparisons")
    func basics() throws {
        #expect(try Self.matches("true", Self.telemetry))
        #expect(try Self.matches("", Self.telemetry))
        #expect(try !Self.matches("false", Self.telemetry))
        #expect(try Self.matches("opType = 'deleteDeviceIdentity'", Self.lifecycle))
        #expect(try Self.matches("opType='deleteDeviceIdentity'", Self.lifecycle))
        #expect(try Self.matches(#"opType = "deleteDeviceIdentity""#, Self.lifecycle))
        #expect(try !Self.matches("opType = 'deleteDeviceIdentity'", Self.telemetry))
        #expect(try !Self.matches("opType != 'deleteDeviceIdentity'", Self.telemetry))  // undefined
        #expect(try Self.matches("opType = 'deleteDeviceIdentity' OR opType = 'deleteModuleIdentity'", Self.lifecycle))
        #expect(try Self.matches("$connectionDeviceId = 'd2' AND status = 'active'", Self.telemetry))
        #expect(try Self.matches("$CONNECTIONDEVICEID = 'd2'", Self.telemetry))
        #expect(try Self.matches("$messageId = 'm1'", Self.telemetry))
        #expect(try Self.matches("$contentType = 'application/json'", Self.lifecycle))
        #expect(try Self.matches("$iothub-message-source = 'deviceLifecycleEvents'", Self.lifecycle))
        #expect(try Self.matches("[iothub-message-schema] = 'deviceLifecycleNotification'", Self.lifecycle))
        #expect(try Self.matches("iothub-message-schema = 'deviceLifecycleNotification'", Self.lifecycle))
        #expect(try Self.matches("$enqueuedTime > '2022-05-27T00:00:00Z'", Self.lifecycle))
    }

    @Test("body paths, numbers, NOT, functions, undefined")
    func bodyAndLogic() throws {
        #expect(try Self.matches("$body.Weather.Temperature > 30", Self.telemetry))
        #expect(try !Self.matches("$body.Weather.Temperature > 35.5", Self.telemetry))
        #expect(try Self.matches("$body.Weather.Temperature >= -1e3", Self.telemetry))
        #expect(try Self.matches("level > 5", Self.telemetry))  // a string property read as a number
        #expect(try Self.matches("NOT (status = 'idle')", Self.telemetry))
        #expect(try !Self.matches("NOT missing = 'x'", Self.telemetry))  // NOT undefined is undefined
        #expect(try Self.matches("NOT IS_DEFINED(missing)", Self.telemetry))
        #expect(try Self.matches("IS_DEFINED($body.Location) AND STARTS_WITH($body.Location, 'US')", Self.telemetry))
        #expect(try Self.matches("CONTAINS(LOWER(status), 'act') AND LENGTH(status) = 6", Self.telemetry))
        #expect(try Self.matches("missing = 'x' OR status <> 'idle'", Self.telemetry))
        #expect(try !Self.matches("$twin.tags.site = 'lab'", Self.telemetry))
        #expect(try !Self.matches("$body.Weather = 1", Self.telemetry))
    }

    @Test("invalid queries are refused")
    func invalid() {
        for query in ["opType =", "(true", "'open", "FOO(x)", "IS_DEFINED(a, b)", "a = 1 b", "#", "$"] {
            #expect(throws: RoutingQuery.ParseError.self, "\(query)") { try RoutingQuery(query) }
        }
    }
}
