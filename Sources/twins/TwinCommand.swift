import ADTWire
import ArgumentParser
import DTDL
import DigitalTwinsClient
import Foundation

/// `twins twin`: digital twins.
struct TwinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twin", abstract: "Create, show, update and delete twins.",
        subcommands: [Create.self, Show.self, Update.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a twin; prints it.",
            discussion: """
                Examples:
                  twins twin create room-1 \\
                      '{"$metadata":{"$model":"dtmi:ex:Room;1"},"name":"Kitchen"}'
                  twins twin create room-1 @room.json --if-none-match
                """)
        @Argument(help: "The twin id.") var id: String
        @Argument(help: "The twin as JSON, @file, or - for standard input.") var json: String
        @Flag(help: "Fail (412) if the twin exists already.") var ifNoneMatch = false
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                guard case .object(let twin) = try Output.readJSON(json) else {
                    throw CommandFailure("the twin must be a JSON object")
                }
                let created = try await client.makeClient().createOrReplaceTwin(
                    id: id, twin, ifNoneMatch: ifNoneMatch ? "*" : nil)
                Output.line(.object(created.json))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a twin (exit code 2 if it does not exist).")
        @Argument(help: "The twin id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand { Output.line(.object(try await client.makeClient().getTwin(id: id).json)) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply a JSON Patch to a twin; prints the new ETag.",
            discussion: """
                Example:
                  twins twin update room-1 \\
                      '[{"op":"replace","path":"/temperature","value":21.5}]'
                """)
        @Argument(help: "The twin id.") var id: String
        @Argument(help: "The JSON Patch (RFC 6902), @file, or -.") var patch: String
        @Option(help: ArgumentHelp("Only if the twin still has this ETag.", valueName: "etag")) var ifMatch: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                let etag = try await client.makeClient().updateTwin(
                    id: id, patch: try Output.readJSON(patch), ifMatch: ifMatch)
                if let etag { Output.text(etag) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a twin.")
        @Argument(help: "The twin id.") var id: String
        @Flag(help: "Delete its relationships too (the gateway's extension; not on Azure).") var cascade = false
        @Option(help: ArgumentHelp("Only if the twin still has this ETag.", valueName: "etag")) var ifMatch: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                try await client.makeClient().deleteTwin(id: id, ifMatch: ifMatch, cascade: cascade)
            }
        }
    }
}

/// `twins relationship`: relationships between twins.
struct RelationshipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relationship", abstract: "Create, list and delete relationships.",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a relationship; prints it.",
            discussion: """
                Example:
                  twins relationship create floor-1 r1 --name contains --target room-1 \\
                      --properties '{"since":"2024"}'
                """)
        @Argument(help: "The source twin id.") var source: String
        @Argument(help: "The relationship id.") var id: String
        @Option(help: "The relationship name.") var name: String
        @Option(help: "The target twin id.") var target: String
        @Option(help: "Properties as a JSON object, @file, or -.") var properties: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                var body = JSONObject([("$targetId", .string(target)), ("$relationshipName", .string(name))])
                if let properties {
                    guard case .object(let extra) = try Output.readJSON(properties) else {
                        throw CommandFailure("properties must be a JSON object")
                    }
                    for member in extra.members { body[member.key] = member.value }
                }
                let created = try await client.makeClient().createOrReplaceRelationship(
                    sourceID: source, relationshipID: id, body)
                Output.line(.object(created.json))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a twin's relationships, one JSON line each.")
        @Argument(help: "The twin id.") var twin: String
        @Option(help: "Only relationships of this name.") var name: String?
        @Flag(help: "Incoming relationships instead.") var incoming = false
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                let api = try client.makeClient()
                if incoming {
                    for try await r in api.listIncomingRelationships(twinID: twin) { Output.line(.object(r.json)) }
                } else {
                    for try await r in api.listRelationships(twinID: twin, name: name) { Output.line(.object(r.json)) }
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a relationship.")
        @Argument(help: "The source twin id.") var source: String
        @Argument(help: "The relationship id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                try await client.makeClient().deleteRelationship(sourceID: source, relationshipID: id)
            }
        }
    }
}
