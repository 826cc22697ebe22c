import ADTWire
import EventRoutes
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinGateway
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct EventRouteRoutesTests {
    static let v = GatewayTest.version

    static func configuration(limit: Int = EventRoute.defaultLimit) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.endpoints = [
            EventEndpoint(name: "endpoint-001", kind: .webhook), EventEndpoint(name: "endpoint-002", kind: .mqtt),
        ]
        configuration.maxEventRoutes = limit
        return configuration
    }

    static func route(_ endpoint: String = "endpoint-001", _ filter: String = "true") -> String {
        JSONWriter.string(
            .object(
                JSONObject([(key: "endpointName", value: .string(endpoint)), (key: "filter", value: .string(filter))]))
        )
    }

    @Test func addReadReplaceListDeleteInADTShape() async throws {
        try await GatewayTest.withGateways(configurations: [Self.configuration()]) { gateways, _ in
            let http = gateways[0]
            let filter = "type = 'Microsoft.DigitalTwins.Twin.Create'"
            let put = try await http.send(
                .put, "/eventroutes/eventroute-001?\(Self.v)", Self.route("endpoint-001", filter))
            #expect(put.status == .noContent)
            #expect(put.body.readableBytes == 0)
            let get = try await http.send(.get, "/eventroutes/eventroute-001?\(Self.v)")
            #expect(get.status == .ok)
            #expect(
                String(buffer: get.body)
                    == #"{"id":"eventroute-001","endpointName":"endpoint-001","filter":"type = 'Microsoft.DigitalTwins.Twin.Create'"}"#
            )
            // PUT replaces: the filter comes back byte for byte, whatever its spacing and case.
            let legacy =
                "$eventType = 'DigitalTwinTelemetryMessages' or $eventType = 'DigitalTwinLifecycleNotification'"
            #expect(
                try await http.send(.put, "/eventroutes/eventroute-001?\(Self.v)", Self.route("endpoint-002", legacy))
                    .status == .noContent)
            let replaced = try GatewayTest.json(try await http.send(.get, "/eventroutes/eventroute-001?\(Self.v)"))
            #expect(replaced["endpointName"]?.stringValue == "endpoint-002")
            #expect(replaced["filter"]?.stringValue == legacy)
            let list = try GatewayTest.json(try await http.send(.get, "/eventroutes?\(Self.v)"))
            #expect(list["value"]?.arrayValue?.count == 1)
            #expect(list["nextLink"] == .null)
            #expect(try await http.send(.delete, "/eventroutes/eventroute-001?\(Self.v)").status == .noContent)
            let gone = try await http.send(.get, "/eventroutes/eventroute-001?\(Self.v)")
            #expect(gone.status == .notFound)
            #expect(try GatewayTest.errorCode(gone) == "EventRouteNotFound")
            let again = try await http.send(.delete, "/eventroutes/eventroute-001?\(Self.v)")
            #expect(again.status == .notFound)
            #expect(try GatewayTest.errorCode(again) == "EventRouteNotFound")
        }
    }

    @Test func invalidRoutesAreRefusedWithADTsCodesAndChangeNothing() async throws {
        try await GatewayTest.withGateways(configurations: [Self.configuration()]) { gateways, _ in
            let http = gateways[0]
            let badFilter = try await http.send(
                .put, "/eventroutes/r1?\(Self.v)", Self.route("endpoint-001", "this is not a valid filter"))
            #expect(badFilter.status == .badRequest)
            #expect(try GatewayTest.errorCode(badFilter) == "EventRouteFilterInvalid")
            #expect(
                try GatewayTest.json(badFilter)["error"]?["message"]?.stringValue
                    == "The provided filter is invalid. Parsing error, Line=1, Position=6, Message=Unexpected input 'is'. "
                    + "See event route documentation for supported values and structure (http://aka.ms/ADTv2Routes).")
            let badEndpoint = try await http.send(.put, "/eventroutes/r1?\(Self.v)", Self.route("nowhere"))
            #expect(badEndpoint.status == .badRequest)
            #expect(try GatewayTest.errorCode(badEndpoint) == "EventRouteEndpointInvalid")
            let badID = try await http.send(.put, "/eventroutes/r%20one?\(Self.v)", Self.route())
            #expect(badID.status == .badRequest)
            #expect(try GatewayTest.errorCode(badID) == "EventRouteIdInvalid")
            let longID = try await http.send(
                .put, "/eventroutes/\(String(repeating: "r", count: 257))?\(Self.v)", Self.route())
            #expect(try GatewayTest.errorCode(longID) == "EventRouteIdInvalid")
            for body in [
                #"{"filter":"true"}"#, #"{"endpointName":"endpoint-001"}"#, #"{"endpointName":1,"filter":"true"}"#,
                "[]",
            ] {
                let response = try await http.send(.put, "/eventroutes/r1?\(Self.v)", body)
                #expect(response.status == .badRequest)
                #expect(try GatewayTest.errorCode(response) == "InvalidArgument")
            }
            let noVersion = try await http.send(.put, "/eventroutes/r1", Self.route())
            #expect(noVersion.status == .badRequest)
            let list = try GatewayTest.json(try await http.send(.get, "/eventroutes?\(Self.v)"))
            #expect(list["value"]?.arrayValue?.isEmpty == true)
            // A refused replacement keeps the route as it was.
            #expect(try await http.send(.put, "/eventroutes/r1?\(Self.v)", Self.route()).status == .noContent)
            _ = try await http.send(.put, "/eventroutes/r1?\(Self.v)", Self.route("endpoint-002", "type ="))
            let kept = try GatewayTest.json(try await http.send(.get, "/eventroutes/r1?\(Self.v)"))
            #expect(kept["endpointName"]?.stringValue == "endpoint-001")
            #expect(kept["filter"]?.stringValue == "true")
        }
    }

    @Test func theLimitHoldsUnderConcurrentAddsAndReplacementsStillWork() async throws {
        try await GatewayTest.withGateways(configurations: [Self.configuration(), Self.configuration()]) {
            gateways, _ in
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let response = try await gateways[index % 2].send(
                            .put, "/eventroutes/route-\(index)?\(Self.v)", Self.route())
                        return response.status == .noContent ? "added" : (try GatewayTest.errorCode(response) ?? "?")
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(codes.filter { $0 == "added" }.count == EventRoute.defaultLimit)
            #expect(codes.filter { $0 == "LimitExceeded" }.count == 20 - EventRoute.defaultLimit)
            let list = try GatewayTest.json(try await gateways[1].send(.get, "/eventroutes?\(Self.v)"))
            let ids = try #require(list["value"]?.arrayValue).compactMap { $0["id"]?.stringValue }
            #expect(ids.count == EventRoute.defaultLimit)
            // At the limit, a route can still be replaced.
            let replace = try await gateways[0].send(
                .put, "/eventroutes/\(ids[0])?\(Self.v)", Self.route("endpoint-002"))
            #expect(replace.status == .noContent)
        }
    }

    @Test func everyGatewayOnTheDatabaseSeesAChangeAtOnce() async throws {
        try await GatewayTest.withGateways(configurations: [Self.configuration(), Self.configuration()]) {
            gateways, _ in
            let put = try await gateways[0].send(.put, "/eventroutes/shared?\(Self.v)", Self.route())
            #expect(put.status == .noContent)
            let seen = try await gateways[1].send(.get, "/eventroutes/shared?\(Self.v)")
            #expect(seen.status == .ok)
            let deleted = try await gateways[1].send(.delete, "/eventroutes/shared?\(Self.v)")
            #expect(deleted.status == .noContent)
            let gone = try await gateways[0].send(.get, "/eventroutes/shared?\(Self.v)")
            #expect(gone.status == .notFound)
        }
    }

    @Test func listPagesByMaxItemsPerPageAndNextLink() async throws {
        try await GatewayTest.withGateways(configurations: [Self.configuration(limit: 7)]) { gateways, _ in
            let http = gateways[0]
            for index in [5, 1, 7, 3, 2, 6, 4] {
                #expect(
                    try await http.send(.put, "/eventroutes/r\(index)?\(Self.v)", Self.route()).status == .noContent)
            }
            var ids: [String] = []
            var pages = 0
            var uri = "/eventroutes?\(Self.v)"
            var headers: HTTPFields = [HTTPField.Name("max-items-per-page")!: "3"]
            while true {
                let page = try GatewayTest.json(try await http.send(.get, uri, headers: headers))
                pages += 1
                ids += try #require(page["value"]?.arrayValue).compactMap { $0["id"]?.stringValue }
                guard case .string(let next)? = page["nextLink"] else { break }
                #expect(next.hasPrefix("http://"))
                let path = try #require(next.range(of: "/eventroutes?"))
                uri = String(next[path.lowerBound...])
                headers = [:]
            }
            #expect(ids == ["r1", "r2", "r3", "r4", "r5", "r6", "r7"])
            #expect(pages == 3)
        }
    }

    @Test func endpointsAreListedByNameTypeAndDeliveryStatusWithoutTheirSettings() async throws {
        var configuration = Self.configuration()
        configuration.endpoints.append(
            EventEndpoint(
                name: "grid", kind: .eventgrid,
                settings: JSONObject([(key: "sasKey", value: .string("c2VjcmV0LWtleS12YWx1ZQ=="))])))
        try await GatewayTest.withGateways(configurations: [configuration]) { gateways, _ in
            let response = try await gateways[0].send(.get, "/endpoints?\(Self.v)")
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            let items = try #require(GatewayTest.json(response)["value"]?.arrayValue)
            #expect(items.map { $0["name"] } == ["endpoint-001", "endpoint-002", "grid"])
            #expect(items.map { $0["type"] } == ["webhook", "mqtt", "eventgrid"])
            // Each with its delivery figures, nothing else.
            #expect(
                items[2].objectValue?.keys == [
                    "name", "type", "backlog", "oldestUndeliveredAgeSeconds", "delivered", "failedAttempts",
                    "deadLetters", "lastDeliveredAt", "lastError", "lastErrorAt",
                ])
            #expect(items[2]["backlog"] == 0)
            #expect(!text.contains("c2VjcmV0"))
        }
    }

    @Test func noEndpointsConfiguredMeansEveryEndpointNameIsInvalid() async throws {
        try await GatewayTest.withGateways { gateways in
            let response = try await gateways[0].send(.put, "/eventroutes/r1?\(Self.v)", Self.route())
            #expect(try GatewayTest.errorCode(response) == "EventRouteEndpointInvalid")
        }
    }
}
