import ADTWire
import ArgumentParser
import DTDL
import DigitalTwinsClient
import Foundation

/// `twins query`: runs a query, following continuation tokens.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run a query; prints its rows as JSON lines or a table.",
        discussion: """
            Examples:
              twins query "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Room;1')"
              twins query "SELECT T.\\$dtId, T.temperature FROM DIGITALTWINS T" \\
                  --format table --max 20
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl
        case table
    }

    @Argument(help: "The query.") var text: String
    @Option(help: "jsonl (one row per line) or table.") var format: Format = .jsonl
    @Option(help: ArgumentHelp("Stop after this many rows.", valueName: "n")) var max: Int?
    @Option(help: ArgumentHelp("Rows per request (max-items-per-page).", valueName: "n")) var pageSize: Int?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await runClientCommand {
            var rows: [JSONValue] = []
            var count = 0
            rows: for try await page in try client.makeClient().query(text, pageSize: pageSize) {
                for row in page.items {
                    if let max, count >= max { break rows }
                    count += 1
                    if format == .jsonl { Output.line(row) } else { rows.append(row) }
                }
            }
            if format == .table { Output.text(Self.table(rows)) }
        }
    }

    /// Rows as a text table: one column per key (in order of first appearance), values as JSON.
    static func table(_ rows: [JSONValue]) -> String {
        var columns: [String] = []
        for case .object(let row) in rows {
            for key in row.keys where !columns.contains(key) { columns.append(key) }
        }
        let cells: [[String]] = rows.map { row in
            columns.map { key in
                guard let value = row[key] else { return "" }
                if case .string(let s) = value { return s }
                return JSONWriter.string(value)
            }
        }
        let widths = columns.indices.map { i in Swift.max(columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(columns), line(widths.map { String(repeating: "-", count: $0) })] + cells.map(line)).joined(
            separator: "\n")
    }
}

/// `twins telemetry send`.
struct TelemetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry", abstract: "Send telemetry for a twin.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send telemetry for a twin or one of its components; prints the Message-Id.",
            discussion: """
                Example:
                  twins telemetry send room-1 '{"humidity": 41.5}'
                """)
        @Argument(help: "The twin id.") var twin: String
        @Argument(help: "The telemetry as JSON, @file, or -.") var json: String
        @Option(help: "A component of the twin.") var component: String?
        @Option(help: "The Message-Id (default: a new UUID).") var messageId: String?
        @Option(help: "Telemetry-Source-Time, passed on as given.") var sourceTime: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                let payload = try Output.readJSON(json)
                let api = try client.makeClient()
                let id: String
                if let component {
                    id = try await api.publishComponentTelemetry(
                        twinID: twin, componentPath: component, payload: payload, messageID: messageId,
                        sourceTime: sourceTime)
                } else {
                    id = try await api.publishTelemetry(
                        twinID: twin, payload: payload, messageID: messageId, sourceTime: sourceTime)
                }
                Output.text(id)
            }
        }
    }
}
