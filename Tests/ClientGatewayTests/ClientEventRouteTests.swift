import DigitalTwinsClient
import EventRoutes
import GatewayTestSupport
import Testing
import TwinTestSupport

/// The client's event-route calls against the real gateway (HTTPS, development issuer).
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)), .timeLimit(.minutes(2)))
struct ClientEventRouteTests {
    static let endpoints = [EventEndpoint(name: "hooks", kind: .webhook), EventEndpoint(name: "bus", kind: .mqtt)]

    @Test func upsertGetListPageAndDelete() async throws {
        try await LiveGateway.secured(endpoints: Self.endpoints) { endpoint in
            let client = try ClientEndToEndTests.client(endpoint)
            for id in ["c", "a", "b"] {
                try await client.upsertEventRoute(
                    id: id, endpointName: "hooks", filter: "type = 'microsoft.iot.telemetry'")
            }
            try await client.upsertEventRoute(id: "b", endpointName: "bus", filter: "true")
            #expect(
                try await client.getEventRoute(id: "b") == EventRouteData(id: "b", endpointName: "bus", filter: "true"))
            var listed: [String] = []
            for try await route in client.listEventRoutes(maxItemsPerPage: 1) { listed.append(route.id) }
            #expect(listed == ["a", "b", "c"])
            try await client.deleteEventRoute(id: "a")
            do {
                _ = try await client.getEventRoute(id: "a")
                Issue.record("a deleted route was found")
            } catch let error as ADTError {
                #expect(error.isNotFound)
                #expect(error.code == .eventRouteNotFound)
            }
        }
    }

    @Test func refusalsArriveAsADTErrors() async throws {
        try await LiveGateway.secured(endpoints: Self.endpoints) { endpoint in
            let client = try ClientEndToEndTests.client(endpoint)
            for (endpointName, filter, code) in [
                ("hooks", "type =", ADTError.Code.eventRouteFilterInvalid),
                ("nowhere", "true", ADTError.Code.eventRouteEndpointInvalid),
            ] {
                do {
                    try await client.upsertEventRoute(id: "r", endpointName: endpointName, filter: filter)
                    Issue.record("\(endpointName) / \(filter) was accepted")
                } catch let error as ADTError {
                    #expect(error.status == 400)
                    #expect(error.code == code)
                }
            }
            // A reader may list routes but not change them.
            let reader = try ClientEndToEndTests.client(endpoint, id: "reader-app", secret: "reader-secret")
            var count = 0
            for try await _ in reader.listEventRoutes() { count += 1 }
            #expect(count == 0)
            do {
                try await reader.upsertEventRoute(id: "r", endpointName: "hooks", filter: "true")
                Issue.record("a reader added a route")
            } catch let error as ADTError {
                #expect(error.status == 403)
            }
        }
    }
}
