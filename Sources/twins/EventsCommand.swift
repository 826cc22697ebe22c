import ADTWire
import ArgumentParser
import DigitalTwinsClient

/// `twins events`: event delivery's status and dead letters on a gateway (Data Owners).
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Event delivery: the live stream, status per endpoint, dead letters.",
        subcommands: [Watch.self, Status.self, DeadLetters.self]
    )

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints the gateway's notifications as they happen, one JSON object per line.",
            discussion: """
                Reads GET /events (Server-Sent Events) until interrupted. --filter takes an event route \
                filter, e.g. "type = 'Microsoft.DigitalTwins.Twin.Update' AND STARTS_WITH(subject, 'room')".
                """)

        @Option(help: "An event route filter; default: every notification.") var filter: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                try await client.makeClient().watchEvents(filter: filter) { line in Output.text(line) }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Per endpoint: backlog, oldest undelivered age, delivered and failed counts, dead letters, last error.",
            discussion: "Prints a table, or with --format jsonl one JSON object per endpoint.")

        @Option(help: "table or jsonl.") var format: QueryCommand.Format = .table
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                let status = try await client.makeClient().endpointStatus()
                let endpoints = status["value"]?.arrayValue ?? []
                if format == .jsonl {
                    for endpoint in endpoints { Output.line(endpoint) }
                    return
                }
                Output.text(Self.table(endpoints, unrouted: status["unroutedEvents"]))
            }
        }

        static func table(_ endpoints: [JSONValue], unrouted: JSONValue?) -> String {
            let columns = [
                "name", "type", "backlog", "oldestUndeliveredAgeSeconds", "delivered", "failedAttempts", "deadLetters",
                "lastError",
            ]
            let headers = ["endpoint", "type", "backlog", "oldest_s", "delivered", "failed", "dead", "last error"]
            var lines = Output.table(endpoints, columns: columns, headers: headers)
            lines.append("unrouted events: \(unrouted.map { JSONWriter.string($0) } ?? "0")")
            return lines.joined(separator: "\n")
        }
    }

    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deadletters",
            abstract: "Notifications not delivered within the time to live.",
            subcommands: [List.self, Replay.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Prints the dead letters, oldest first, one JSON object per line.")

            @Option(help: "Only this endpoint's (its name in the endpoints file).") var endpointName: String?
            @Option(help: ArgumentHelp("Stop after this many.", valueName: "n")) var max: Int?
            @OptionGroup var client: ClientOptions

            func run() async throws {
                try await runClientCommand {
                    var count = 0
                    for try await letter in try client.makeClient().listDeadLetters(endpointName: endpointName) {
                        if let max, count >= max { break }
                        count += 1
                        Output.line(letter)
                    }
                }
            }
        }

        struct Replay: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Queues dead letters for delivery again: by id, every one of an endpoint, or all.")

            @Option(name: .customLong("id"), help: "A dead letter's id (repeatable).") var ids: [String] = []
            @Option(help: "Every dead letter of this endpoint (its name in the endpoints file).") var endpointName:
                String?
            @Flag(help: "Every dead letter (required when neither --id nor --endpoint-name is given).") var all = false
            @OptionGroup var client: ClientOptions

            func validate() throws {
                if ids.isEmpty && endpointName == nil && !all {
                    throw ValidationError(
                        "name dead letters with --id or --endpoint-name, or replay them all with --all")
                }
            }

            func run() async throws {
                try await runClientCommand {
                    let count = try await client.makeClient().replayDeadLetters(
                        ids: ids.isEmpty ? nil : ids, endpointName: endpointName)
                    Output.text("replayed \(count)")
                }
            }
        }
    }
}
