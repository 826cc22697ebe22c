import ADTWire
import DTDL
@testable import DeviceEmulators
@testable import DeviceLifecycle
import Foundation
import Testing

/// The hub's deliveries, read by the functions' own readers (retire, ingest).
@Suite("Delivery formats against the functions")
struct DeliveryFormatTests {
    static let hub = HubConfiguration(hostName: "myhub.azure-devices.net")

    static let device = HubDevice(
        hub: "myhub.azure-devices.net", deviceID: "thermostat-67", generationID: "638000000000000000", version: 0,
        twinVersion: 2, status: "enabled", statusReason: nil, authType: "sas", primaryKey: "a2V5", secondaryKey: "a2V5",
        iotEdge: false,
        tags: (["dtmi": "dtmi:contosocom:DigitalTwins:Thermostat;2", "dtId": "thermostat-67"] as JSONValue)
            .objectValue!,
        desired: JSONObject(), createdAt: Date(), updatedAt: Date(), statusUpdatedAt: nil, lastActivityAt: nil)

    static func events(_ message: HubMessage, _ format: RouteEndpoint.Format) throws -> [InboundEvent] {
        let endpoint = RouteEndpoint(name: "e", url: "http://127.0.0.1/x", format: format)
        let request = try #require(DeliveryWorker.request(for: message, to: endpoint, hub: hub, timeout: .seconds(1)))
        guard case .events(let events) = try InboundDelivery.classify(body: try #require(request.body)) else {
            Issue.record("not events")
            return []
        }
        return events
    }

    static func telemetry(_ body: String, contentType: String?) -> HubMessage {
        var system = JSONObject()
        if let contentType {
            system["content-type"] = .string(contentType)
            system["content-encoding"] = "utf-8"
        }
        system["message-id"] = "m-7"
        system["iothub-connection-device-id"] = "thermostat-67"
        system["iothub-enqueuedtime"] = 1_653_677_378_534
        system["iothub-message-source"] = "Telemetry"
        return HubMessage(
            hub: "myhub.azure-devices.net", source: .deviceMessages, eventID: "e-1", deviceID: "thermostat-67",
            properties: JSONObject(), systemProperties: system, body: Array(body.utf8),
            enqueuedAt: Date(timeIntervalSince1970: 1_653_677_378.534))
    }

    @Test("the retire function reads the delete event in both forms, twin id from tags.dtId")
    func retire() throws {
        let deleted = HubMessage.lifecycle("deleteDeviceIdentity", device: Self.device)
        for format in RouteEndpoint.Format.allCases {
            let events = try Self.events(deleted, format)
            #expect(events.count == 1)
            for event in events {
                #expect(
                    RetireFunction.retirementTarget(of: event, configuration: RetireConfiguration())
                        == .retire(twinID: "thermostat-67"), "\(format)")
            }
        }
        let created = HubMessage.lifecycle("createDeviceIdentity", device: Self.device)
        for event in try Self.events(created, .eventHubsEnvelope) {
            #expect(
                RetireFunction.retirementTarget(of: event, configuration: RetireConfiguration())
                    == .ignore("opType createDeviceIdentity"))
        }
    }

    @Test("the ingest function reads telemetry in both forms, JSON or not")
    func ingest() throws {
        for contentType in ["application/json", nil] {
            let message = Self.telemetry(#"{"Temperature": 25.3}"#, contentType: contentType)
            for format in RouteEndpoint.Format.allCases {
                let events = try Self.events(message, format)
                guard case .message(let read)? = events.first.map(TelemetryMessage.read) else {
                    Issue.record("not read: \(format), \(contentType ?? "no content type")")
                    continue
                }
                #expect(read.deviceID == "thermostat-67")
                #expect(read.body["Temperature"] == 25.3)
                #expect(read.messageID == "m-7")
                #expect(read.sourceTime?.hasPrefix("2022-05-27T18:49:38.534") == true)
            }
        }
    }
}
