import Foundation
import HTTPServerSetup
import Hummingbird
import PostgresNIO
import Testing
import TwinGateway
import TwinStore

/// `openapi/openapi.yaml` describes exactly the routes the gateway serves.
@Suite struct OpenAPIDocumentTests {
    /// `METHOD /path` for each operation in the document (path parameters as `{name}`).
    static func documentedRoutes() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        var routes: Set<String> = []
        var inPaths = false
        var currentPath: String?
        let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /") && line.hasSuffix(":") && !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    ") && !line.hasPrefix("     ") && line.hasSuffix(":"),
                let path = currentPath
            {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if methods.contains(String(method)) { routes.insert("\(method.uppercased()) \(path)") }
            }
        }
        return routes
    }

    @Test func theDocumentListsEveryRouteAndNothingElse() throws {
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", port: 9, username: "u", password: nil, database: nil, tls: .disable)
        )
        // As `twins serve` builds it: with metrics (`GET /metrics`).
        let router = buildRouter(database: client, observability: ServerObservability(), logger: Logger(label: "test"))
        let served = Set(router.routes.map { "\($0.method) \($0.path)" })
        let documented = try Self.documentedRoutes()
        #expect(!served.isEmpty)
        #expect(
            served == documented,
            "served but not documented: \(served.subtracting(documented)); documented but not served: \(documented.subtracting(served))"
        )
    }
}
