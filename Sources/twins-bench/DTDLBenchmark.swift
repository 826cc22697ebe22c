import ADTWire
import DTDL
import Foundation

/// Measures the DTDL engine on published ontologies:
/// - interfaces per second to parse and resolve the Willow building ontology (3,700 interfaces,
///   `extends` depth 10) as one batch, JSON decoding included, disk reads excluded;
/// - twin validations per second on one core, for a RealEstateCore interface with about 20
///   properties and a twin that sets every one of them.
struct DTDLBenchmark {
    let fixtures: URL

    func run() throws {
        let willow = try loadFolder("ontologies/willow-building")
        print("parse+resolve: Willow building, \(willow.count) files")
        var best = Double.infinity
        var interfaces = 0
        for round in 1...5 {
            let start = DispatchTime.now()
            let documents = try willow.map { try JSONParser.parse($0) }
            let graph = try ModelParser.parse(documents: documents, options: .init(adtRestrictions: true))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            interfaces = graph.interfaces.count
            best = min(best, seconds)
            print(String(format: "  round %d: %.3f s", round, seconds))
        }
        print(
            String(
                format: "  best: %.3f s for %d interfaces = %.0f interfaces/s", best, interfaces,
                Double(interfaces) / best))

        let rec = try loadFolder("ontologies/realestatecore")
        let graph = try ModelParser.parse(
            documents: try rec.map { try JSONParser.parse($0) }, options: .init(adtRestrictions: true))
        let model = try pickModel(graph, properties: 20)
        let twin = TwinGenerator.twin(for: model)
        let validator = InstanceValidator(graph: graph)
        try validator.validateTwin(twin)
        print(
            "validation: \(model.id), \(model.properties.count) properties, twin of \(JSONWriter.bytes(.object(twin)).count) bytes"
        )
        let iterations = 300_000
        var bestRate = 0.0
        for round in 1...3 {
            let start = DispatchTime.now()
            for _ in 0..<iterations { try validator.validateTwin(twin) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            let rate = Double(iterations) / seconds
            bestRate = max(bestRate, rate)
            print(String(format: "  round %d: %d validations in %.3f s = %.0f/s", round, iterations, seconds, rate))
        }
        print(String(format: "  best: %.0f twin validations/s on one core", bestRate))
    }

    /// Every `.json` file under a fixture folder, read into memory.
    func loadFolder(_ relative: String) throws -> [[UInt8]] {
        let base = fixtures.appendingPathComponent(relative)
        guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            throw BenchmarkError("\(base.path) not found (pass the fixtures folder as an argument)")
        }
        var files: [[UInt8]] = []
        for case let url as URL in e where url.pathExtension == "json" {
            files.append([UInt8](try Data(contentsOf: url)))
        }
        guard !files.isEmpty else { throw BenchmarkError("no JSON files under \(base.path)") }
        return files
    }

    /// The interface whose property count is closest to `properties` (ties: the smallest id).
    func pickModel(_ graph: ModelGraph, properties: Int) throws -> InterfaceModel {
        let candidates = graph.interfaces.values.filter { $0.components.isEmpty }
        guard
            let best = candidates.min(by: {
                let a = abs($0.properties.count - properties)
                let b = abs($1.properties.count - properties)
                return a != b ? a < b : $0.id < $1.id
            })
        else { throw BenchmarkError("no interface found") }
        return best
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Builds a twin that sets every property of a model with a value its schema accepts.
enum TwinGenerator {
    static func twin(for model: InterfaceModel) -> JSONObject {
        var twin = JSONObject()
        twin["$dtId"] = .string("bench-twin")
        twin["$metadata"] = .object(JSONObject([(key: "$model", value: .string(model.id))]))
        for name in model.properties.keys.sorted() {
            twin[name] = value(for: model.properties[name]!.schema)
        }
        return twin
    }

    static func value(for schema: Schema) -> JSONValue {
        switch schema {
        case .primitive(let p):
            switch p {
            case .boolean: return .bool(true)
            case .date: return "2024-05-01"
            case .dateTime: return "2024-05-01T12:30:00Z"
            case .time: return "12:30:00"
            case .duration: return "PT1H30M"
            case .double, .float, .decimal: return .double(21.5)
            case .integer, .long, .short, .byte, .unsignedByte, .unsignedShort, .unsignedInteger, .unsignedLong:
                return .integer(42)
            case .string: return "a value"
            case .uuid: return "0f8fad5b-d9cb-469f-a165-70867728950e"
            case .bytes: return "aGVsbG8="
            case .point: return ["type": "Point", "coordinates": [1.0, 2.0]]
            case .multiPoint: return ["type": "MultiPoint", "coordinates": [[1.0, 2.0]]]
            case .lineString: return ["type": "LineString", "coordinates": [[1.0, 2.0], [3.0, 4.0]]]
            case .multiLineString: return ["type": "MultiLineString", "coordinates": [[[1.0, 2.0], [3.0, 4.0]]]]
            case .polygon:
                return ["type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]]
            case .multiPolygon:
                return [
                    "type": "MultiPolygon", "coordinates": [[[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]],
                ]
            }
        case .array(let a): return .array([value(for: a.elementSchema)])
        case .enumeration(let e): return e.values.first?.enumValue ?? .null
        case .map(let m): return .object(JSONObject([(key: "key1", value: value(for: m.valueSchema))]))
        case .object(let o): return .object(JSONObject(o.fields.map { (key: $0.name, value: value(for: $0.schema)) }))
        }
    }
}
