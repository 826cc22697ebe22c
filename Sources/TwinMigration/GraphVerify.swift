import ADTWire
import DigitalTwinsClient

/// `twins migrate verify`: compares two instances item by item — models (ids, definitions,
/// decommissioned), twins (ids, models, properties, components) and relationships (ids,
/// targets, names, properties), ignoring what each service sets itself (`$etag`, times).
public struct GraphVerify: Sendable {
    /// One side.
    public let source: GraphReader
    /// The other.
    public let target: GraphReader
    /// Progress lines.
    public let progress: MigrationProgress
    /// Differences reported one by one, at most (the counts cover all of them).
    public static let maxListed = 1000

    /// A comparison of `source` and `target`.
    public init(source: GraphReader, target: GraphReader, progress: MigrationProgress) {
        self.source = source
        self.target = target
        self.progress = progress
    }

    /// What differs.
    public struct Report: Sendable {
        /// One line per difference (up to ``GraphVerify/maxListed``).
        public var lines: [String] = []
        /// Differences by kind: `missing`, `extra`, `different`.
        public var counts: [String: Int] = [:]
        /// Items compared, by collection.
        public var compared: [String: Int] = [:]
        /// Whether the two sides hold the same graph.
        public var isClean: Bool { counts.values.reduce(0, +) == 0 }

        mutating func note(_ kind: String, _ line: String) {
            counts[kind, default: 0] += 1
            if lines.count < GraphVerify.maxListed { lines.append("\(kind): \(line)") }
        }
    }

    /// Compares the two instances.
    public func run() async throws -> Report {
        var report = Report()
        // Models: with a twin query, those of the selected twins on each side.
        let models = try await (modelMap(source), modelMap(target))
        compare(models.0, models.1, kind: "model", into: &report)
        let twins = try await (twinMap(source, "source"), twinMap(target, "target"))
        compare(twins.0, twins.1, kind: "twin", into: &report)
        let relationships = try await (
            relationshipMap(source, twins: Set(twins.0.keys), "source"),
            relationshipMap(target, twins: Set(twins.1.keys), "target")
        )
        compare(relationships.0, relationships.1, kind: "relationship", into: &report)
        report.compared = ["models": models.0.count, "twins": twins.0.count, "relationships": relationships.0.count]
        return report
    }

    func compare(_ a: [String: String], _ b: [String: String], kind: String, into report: inout Report) {
        for key in a.keys.sorted() {
            guard let other = b[key] else {
                report.note("missing", "\(kind) \(key) is not on the target")
                continue
            }
            if other != a[key] { report.note("different", "\(kind) \(key): \(Self.difference(a[key]!, other))") }
        }
        for key in b.keys.sorted() where a[key] == nil { report.note("extra", "\(kind) \(key) is only on the target") }
    }

    /// The top-level members whose values differ, as `name: source → target`.
    static func difference(_ a: String, _ b: String) -> String {
        guard case .object(let x)? = try? JSONParser.parse(a), case .object(let y)? = try? JSONParser.parse(b) else {
            return "source \(a) target \(b)"
        }
        var parts: [String] = []
        for key in Set(x.members.map(\.key) + y.members.map(\.key)).sorted() where x[key] != y[key] {
            parts.append(
                "\(key): \(x[key].map { JSONWriter.string($0) } ?? "(none)") → \(y[key].map { JSONWriter.string($0) } ?? "(none)")"
            )
        }
        return parts.joined(separator: "; ")
    }

    func modelMap(_ reader: GraphReader) async throws -> [String: String] {
        var out: [String: String] = [:]
        for model in try await reader.selectedModels() {
            var entry = JSONObject()
            entry["decommissioned"] = .bool(model.decommissioned)
            entry["definition"] = model.model.map(GraphItems.sorted) ?? .null
            out[model.id] = JSONWriter.string(.object(entry))
        }
        return out
    }

    func twinMap(_ reader: GraphReader, _ side: String) async throws -> [String: String] {
        progress.begin("reading \(side) twins", total: nil)
        var out: [String: String] = [:]
        for try await page in reader.twinPages(from: nil) {
            for row in page.items {
                guard let twin = GraphReader.twin(fromRow: row), let id = twin["$dtId"]?.stringValue else { continue }
                out[id] = GraphItems.twinFingerprint(twin)
            }
            progress.advance(by: page.items.count)
        }
        progress.end()
        return out
    }

    func relationshipMap(_ reader: GraphReader, twins: Set<String>, _ side: String) async throws -> [String: String] {
        progress.begin("reading \(side) relationships", total: nil)
        var out: [String: String] = [:]
        func add(_ relationship: JSONObject) {
            let portable = GraphItems.portableRelationship(relationship)
            guard let source = portable["$dtId"]?.stringValue, let id = portable["$relationshipId"]?.stringValue
            else { return }
            out[source + "/" + id] = GraphItems.relationshipFingerprint(relationship)
        }
        if reader.twinQuery == nil {
            for try await page in reader.relationshipPages(from: nil) {
                for row in page.items { if let r = row.objectValue { add(r) } }
                progress.advance(by: page.items.count)
            }
        } else {
            for relationship in try await reader.relationships(from: twins.sorted(), within: twins) {
                add(relationship)
                progress.advance(by: 1)
            }
        }
        progress.end()
        return out
    }
}
