import ADTWire
import ArgumentParser
import DTDL
import DigitalTwinsClient
import Foundation

/// `twins model`: DTDL models on the gateway or on Azure Digital Twins.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Upload, list, show, decommission and delete models.",
        subcommands: [Upload.self, List.self, Show.self, Decommission.self, Delete.self])

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload DTDL files or folders (searched for *.json), ordered by dependency, 250 per call.",
            discussion: """
                Examples:
                  twins model upload models/
                  twins model upload Room.json Thermostat.json --skip-existing
                Interfaces are sent after those they refer to (extends, components, schemas, \
                relationship targets), in calls of at most 250 (ADT's limit). Prints one line per \
                uploaded model id.
                """)

        @Argument(help: "Files (one interface or an array) or folders.") var paths: [String]
        @Flag(help: "Leave out the models the service already has.") var skipExisting = false
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                var interfaces = try ModelFiles.interfaces(in: paths)
                let api = try client.makeClient()
                if skipExisting {
                    let existing = Set(try await api.listModels().collect().map(\.id))
                    interfaces.removeAll { existing.contains($0.id) }
                }
                for batch in ModelFiles.batches(ModelFiles.dependencyOrder(interfaces), size: 250) {
                    for model in try await api.createModels(batch.map(\.document)) { Output.text(model.id) }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List models, one JSON line each (follows every page).")
        @Option(help: ArgumentHelp("Only these models and what they use (repeatable).", valueName: "dtmi"))
        var dependenciesFor: [String] = []
        @Flag(help: "Include each model's definition.") var definition = false
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                for try await model in try client.makeClient().listModels(
                    dependenciesFor: dependenciesFor, includeModelDefinition: definition)
                {
                    Output.line(.object(model.json))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one model with its definition.")
        @Argument(help: "The model id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand {
                Output.line(.object(try await client.makeClient().getModel(id: id, includeModelDefinition: true).json))
            }
        }
    }

    struct Decommission: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decommission a model: no new twins of it.")
        @Argument(help: "The model id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand { try await client.makeClient().decommissionModel(id: id) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a model (refused while other models use it).")
        @Argument(help: "The model id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand { try await client.makeClient().deleteModel(id: id) }
        }
    }
}

/// Reading DTDL files and ordering their interfaces for upload.
enum ModelFiles {
    struct Interface {
        let id: String
        let document: JSONValue
        /// Other interfaces' ids the document mentions.
        var uses: Set<String> = []
    }

    static func interfaces(in paths: [String]) throws -> [Interface] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure("\(path): no such file or folder")
            }
            if isDirectory.boolValue {
                let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
                files += found.filter { $0.hasSuffix(".json") }.sorted().map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        var interfaces: [Interface] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("cannot read \(file)")
            }
            let json: JSONValue
            do {
                json = try JSONParser.parse(Array(data))
            } catch {
                throw CommandFailure("\(file): not JSON: \(error)")
            }
            let documents: [JSONValue]
            if case .array(let list) = json { documents = list } else { documents = [json] }
            for document in documents {
                guard let id = document["@id"]?.stringValue else {
                    throw CommandFailure("\(file): an interface without @id")
                }
                interfaces.append(Interface(id: id, document: document))
            }
        }
        let ids = Set(interfaces.map(\.id))
        for i in interfaces.indices {
            var mentioned = Set<String>()
            collectStrings(interfaces[i].document, into: &mentioned)
            interfaces[i].uses = mentioned.intersection(ids).subtracting([interfaces[i].id])
        }
        return interfaces
    }

    static func collectStrings(_ value: JSONValue, into strings: inout Set<String>) {
        switch value {
        case .string(let s): strings.insert(s)
        case .array(let list): for item in list { collectStrings(item, into: &strings) }
        case .object(let object): for member in object.members { collectStrings(member.value, into: &strings) }
        default: break
        }
    }

    /// Each interface after those it uses; interfaces that use each other keep their order
    /// (ADT accepts such a cycle within one call).
    static func dependencyOrder(_ interfaces: [Interface]) -> [Interface] {
        var placed = Set<String>()
        var ordered: [Interface] = []
        var remaining = interfaces
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.uses.isSubset(of: placed) }
            let next = ready.isEmpty ? [remaining[0]] : ready
            for interface in next {
                ordered.append(interface)
                placed.insert(interface.id)
            }
            let taken = Set(next.map(\.id))
            remaining.removeAll { taken.contains($0.id) }
        }
        return ordered
    }

    static func batches(_ interfaces: [Interface], size: Int) -> [[Interface]] {
        stride(from: 0, to: interfaces.count, by: size).map { Array(interfaces[$0..<min($0 + size, interfaces.count)]) }
    }
}
