import Foundation
import GatewayTestSupport
import HTTPServerSetup
import Hummingbird
import HummingbirdTesting
import Testing
import TwinGateway
import TwinTestSupport

/// `GET /metrics`: requests counted per method, route template and status, timed in a
/// histogram, in Prometheus' text format, with no twin id in any label.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct MetricsTests {
    static let v = GatewayTest.version

    /// The value of the sample `name{labels}` in an exposition, or nil.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func requestsAreCountedPerRouteTemplateAndStatus() async throws {
        try await TestDatabase.withFreshDatabase { _, database in
            try await TwinStoreMigrations.migrate(database)
            let app = Application(
                router: buildRouter(
                    database: database, observability: ServerObservability(), logger: TestDatabase.logger),
                logger: TestDatabase.logger)
            try await app.test(.router) { http in
                for id in ["secret-twin-1", "secret-twin-2", "secret-twin-3"] {
                    #expect(try await http.send(.get, "/digitaltwins/\(id)?\(Self.v)").status == .notFound)
                }
                let model = #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:M;1","@type":"Interface"}]"#
                #expect(try await http.send(.post, "/models?\(Self.v)", model).status == .created)

                let response = try await http.send(.get, "/metrics")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(
                    Self.sample(
                        text, #"http_server_requests_total{method="GET",route="/digitaltwins/{id}",status="404"}"#)
                        == 3, "\(text)")
                #expect(
                    Self.sample(text, #"http_server_requests_total{method="POST",route="/models",status="201"}"#) == 1)
                #expect(
                    Self.sample(
                        text, #"http_server_request_duration_seconds_count{method="GET",route="/digitaltwins/{id}"}"#)
                        == 3)
                #expect(
                    Self.sample(
                        text,
                        #"http_server_request_duration_seconds_bucket{method="GET",route="/digitaltwins/{id}",le="+Inf"}"#
                    )
                        == 3)
                #expect(text.contains("# TYPE http_server_requests_total counter"))
                #expect(text.contains("# TYPE http_server_request_duration_seconds histogram"))
                #expect(!text.contains("secret-twin"), "a twin id in a label")
            }
        }
    }
}
