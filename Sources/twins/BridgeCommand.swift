import ADTWire
import ArgumentParser
import DigitalTwinsClient
import HTTPTransport

/// `twins bridge`: how bridge mode stands, both directions.
struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Bridge mode (docs/bridge.md): how the two directions stand.",
        subcommands: [Status.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per direction: backlog, lag, applied, conflicts, last error.",
            discussion: """
                Out (this instance to the other): the gateway's digitaltwins endpoints, from GET /endpoints \
                (--endpoint and its credential options): backlog and lag (the oldest undelivered \
                notification's age) from the delivery rows, applied and conflicts since the database was made.

                In (the other instance to this one): the functions host's ApplyDigitalTwinsEvents \
                (--functions URL, --functions-key), counted since the host started; its backlog is held by \
                the sender (Event Grid), so the lag shown is the age of the last change when it was applied.

                twins migrate verify compares the two instances themselves.
                """)

        @Option(help: ArgumentHelp("The functions host that applies the other side's changes.", valueName: "url"))
        var functions: String?

        @Option(help: ArgumentHelp("Its function key (env TWINS_FUNCTION_KEY).", valueName: "key"))
        var functionsKey: String?

        @Option(help: "table or jsonl.") var format: QueryCommand.Format = .table
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                var rows: [JSONObject] = []
                let status = try await client.makeClient().endpointStatus()
                for endpoint in status["value"]?.arrayValue ?? [] where endpoint["type"] == "digitaltwins" {
                    var row = JSONObject()
                    row["direction"] = "out"
                    row["name"] = endpoint["name"] ?? .null
                    row["backlog"] = endpoint["backlog"] ?? .null
                    row["lagSeconds"] = endpoint["oldestUndeliveredAgeSeconds"] ?? .null
                    row["applied"] = endpoint["bridge"]?["applied"] ?? 0
                    row["unchanged"] = endpoint["bridge"]?["unchanged"] ?? 0
                    row["echoes"] = endpoint["bridge"]?["echoes"] ?? 0
                    row["conflicts"] = endpoint["bridge"]?["conflicts"] ?? 0
                    row["lastError"] = endpoint["lastError"] ?? .null
                    rows.append(row)
                }
                if let functions {
                    var row = JSONObject()
                    let inbound = try await Self.inbound(
                        functions, key: Environment.optional(functionsKey, "TWINS_FUNCTION_KEY"))
                    row["direction"] = "in"
                    row["name"] = .string(functions)
                    row["backlog"] = .null
                    row["lagSeconds"] = inbound["lagSeconds"] ?? .null
                    for name in ["applied", "unchanged", "echoes", "conflicts", "lastError"] {
                        row[name] = inbound[name] ?? .null
                    }
                    rows.append(row)
                }
                if format == .jsonl {
                    for row in rows { Output.line(.object(row)) }
                    return
                }
                guard !rows.isEmpty else {
                    Output.text("no bridge: the gateway has no digitaltwins endpoint, and no --functions was given")
                    return
                }
                Output.text(Self.table(rows))
            }
        }

        /// The function's counts (`GET /api/ApplyDigitalTwinsEvents`).
        static func inbound(_ base: String, key: String?) async throws -> JSONObject {
            var url = base
            while url.hasSuffix("/") { url.removeLast() }
            if !url.hasSuffix("/api/ApplyDigitalTwinsEvents") { url += "/api/ApplyDigitalTwinsEvents" }
            var headers = HTTPHeaders()
            if let key { headers["x-functions-key"] = key }
            let response: TransportResponse
            do {
                response = try await CurlTransport.shared.send(
                    TransportRequest(method: .get, url: url, headers: headers))
            } catch {
                throw CommandFailure("--functions \(url): \(error)")
            }
            guard response.status == 200, case .object(let object)? = try? JSONParser.parse(response.body) else {
                throw CommandFailure(
                    "--functions \(url) answered \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))"
                )
            }
            return object
        }

        static func table(_ rows: [JSONObject]) -> String {
            let columns = [
                "direction", "name", "backlog", "lagSeconds", "applied", "unchanged", "echoes", "conflicts",
                "lastError",
            ]
            let headers = [
                "direction", "endpoint", "backlog", "lag_s", "applied", "unchanged", "echoes", "conflicts",
                "last error",
            ]
            return Output.table(rows.map(JSONValue.object), columns: columns, headers: headers).joined(separator: "\n")
        }
    }
}
