import Foundation
import Testing

@testable import TwinQuery

/// One `-- <Name>` ... `-- </Name>` block of queries-reference.sql.
struct DocSnippet: Sendable, CustomTestStringConvertible {
    var name: String
    /// The non-comment lines, joined with newlines.
    var text: String
    var testDescription: String { name }
}

/// Loads the ADT docs' query snippets from ../shared/reference/adt-docs/queries-reference.sql,
/// relative to the package root of /work/main.
enum DocsReference {
    static let file: String? = {
        // Tests/TwinQueryTests/<file>.swift -> package root -> ../shared/...
        let relative = "../../../../shared/reference/adt-docs/queries-reference.sql"
        var candidates = [URL(fileURLWithPath: #filePath).appendingPathComponent(relative).standardizedFileURL.path]
        // The dev package reaches the tests through a symlinked folder; resolve it too.
        let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: testsDir) {
            let resolved = URL(fileURLWithPath: target).appendingPathComponent("x.swift")
            candidates.append(resolved.appendingPathComponent(relative).standardizedFileURL.path)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()

    static var available: Bool { file != nil }

    static let snippets: [DocSnippet] = {
        guard let file, let content = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        var out: [DocSnippet] = []
        var name: String?
        var lines: [String] = []
        for raw in content.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("-- </"), let current = name {
                out.append(DocSnippet(name: current, text: lines.joined(separator: "\n")))
                name = nil
            } else if line.hasPrefix("-- <"), line.hasSuffix(">") {
                name = String(line.dropFirst(4).dropLast())
                lines = []
            } else if name != nil, !line.hasPrefix("--") {
                lines.append(String(raw))
            }
        }
        return out
    }()

    /// Snippets that must be rejected.
    static let negative: Set<String> = ["FromNegativeExample"]

    /// Examples whose published text has a typo that makes it invalid in any reading of the grammar.
    /// Each maps to the corrected query, which must parse; the original must fail.
    static let typos: [String: String] = [
        // `(building-[]-(sensor)`: the first node is not closed.
        "MatchNameAllExample":
            "SELECT building, sensor FROM DIGITALTWINS MATCH (building)-[]-(sensor) WHERE building.$dtId = 'Seattle21'",
        // `SELECT floor,cafe, rel DIGITALTWINS`: FROM is missing.
        "MatchVariableExample":
            "SELECT floor,cafe, rel FROM DIGITALTWINS MATCH (floor)-[rel]-(cafe) WHERE floor.$dtId = 'thermostat-15' AND rel.name = 'child'",
        // `FROM DIGITIALTWINS`: misspelled collection.
        "IsStringExample": "SELECT * FROM DIGITALTWINS WHERE IS_STRING( Status ) AND Status != 'Completed'",
        // `[has|includes*..3]` has no colon, so `has` is a variable, which cannot have alternatives or hops.
        "MatchCombinedChainExample":
            "SELECT floor,room, cafe FROM DIGITALTWINS MATCH (floor)-[r:contains|isAssociatedWith]->(cafe)<-[:has|includes*..3]-(room) WHERE floor.$dtId = 'thermostat-15'  AND r.length = 10 AND cafe.temperature = 55",
    ]

    /// True for syntax templates: `...Syntax` blocks, `<placeholders>`, `...`, or fragments that do
    /// not start with SELECT.
    static func isTemplate(_ s: DocSnippet) -> Bool {
        if negative.contains(s.name) { return false }
        let text = s.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.name.hasSuffix("Syntax") || text.contains("...") { return true }
        if text.range(of: "<[A-Za-z][A-Za-z0-9_-]*>", options: .regularExpression) != nil { return true }
        return !text.uppercased().hasPrefix("SELECT")
    }

    static let queries: [DocSnippet] = snippets.filter { !isTemplate($0) }
}

@Suite(
    "ADT docs: queries-reference.sql",
    .enabled(if: DocsReference.available, "queries-reference.sql not found under ../shared"))
struct DocsReferenceTests {
    @Test("the snippet file yields the expected examples")
    func inventory() {
        #expect(DocsReference.snippets.count > 90)
        // 55 runnable examples at the time of writing; fewer would mean the extraction broke.
        #expect(DocsReference.queries.count >= 50, "\(DocsReference.queries.map(\.name))")
        for name in DocsReference.negative.union(DocsReference.typos.keys) {
            #expect(DocsReference.queries.contains { $0.name == name }, "\(name) not extracted")
        }
    }

    @Test("each documented example parses (negatives and doc typos fail)", arguments: DocsReference.queries)
    func example(_ snippet: DocSnippet) {
        let outcome = tryParse(snippet.text)
        if DocsReference.negative.contains(snippet.name) {
            guard case .failure(let error) = outcome else {
                Issue.record("\(snippet.name) must be rejected")
                return
            }
            #expect(error.kind == .unsupported, "\(snippet.name): \(error.message)")
            #expect(error.reason.contains("subquer"), "\(snippet.name): \(error.message)")
        } else if let corrected = DocsReference.typos[snippet.name] {
            if case .success = outcome { Issue.record("\(snippet.name) has a doc typo and should fail") }
            if case .failure(let error) = tryParse(corrected) {
                Issue.record("\(snippet.name) (corrected) failed: \(error.message)")
            }
        } else if case .failure(let error) = outcome {
            Issue.record("\(snippet.name) failed: \(error.message)\n\(snippet.text)")
        }
    }

    @Test("doc typos fail for the documented reason")
    func typoReasons() throws {
        func error(_ name: String) throws -> QueryError {
            let snippet = try #require(DocsReference.queries.first { $0.name == name })
            guard case .failure(let e) = tryParse(snippet.text) else { throw CancellationError() }
            return e
        }
        #expect(try error("MatchNameAllExample").reason.contains("expected ')' to close the MATCH node"))
        #expect(
            try error("MatchVariableExample").reason
                == "expected ',' or FROM after a projection item, found 'DIGITALTWINS'")
        #expect(try error("IsStringExample").reason.contains("expected DIGITALTWINS or RELATIONSHIPS"))
        #expect(try error("MatchCombinedChainExample").reason.contains("need a leading ':'"))
    }

    @Test("multi-line snippets report line and column")
    func multiLinePosition() throws {
        let snippet = try #require(DocsReference.queries.first { $0.name == "IsStringExample" })
        guard case .failure(let e) = tryParse(snippet.text) else { Issue.record("should fail"); return }
        #expect(e.line == 2)
        #expect(e.column == 6)
        #expect(e.message.hasPrefix("Syntax error at line 2, column 6:"))
    }
}

/// QUERY.md section 11 ("More examples, verbatim query text") and the device-flow sample queries.
@Suite("QUERY.md examples")
struct QueryNotesExampleTests {
    static let cases: [ASTCase] = [
        ASTCase(
            "SELECT * FROM DigitalTwins T WHERE T.firmwareVersion = '1.1' AND T.$dtId in ['123', '456'] AND T.Temperature = 70",
            Query(
                select: .all, from: twinsFrom("T"),
                where: .and(
                    .and(
                        cmp(path("T", "firmwareVersion"), .equal, str("1.1")),
                        .membership(.path(path("T", "$dtId")), .in, [lit("123"), lit("456")])),
                    cmp(path("T", "Temperature"), .equal, num("70"))))),
        ASTCase(
            "SELECT * FROM DIGITALTWINS WHERE IS_DEFINED(Location)",
            Query(select: .all, from: twinsFrom(), where: .function(.typeCheck(.isDefined, implicit("Location"))))),
        ASTCase(
            "SELECT * FROM DIGITALTWINS T WHERE IS_NUMBER(T.Temperature)",
            Query(select: .all, from: twinsFrom("T"), where: .function(.typeCheck(.isNumber, path("T", "Temperature"))))
        ),
        ASTCase(
            "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:example:thing;1')",
            Query(
                select: .all, from: twinsFrom(),
                where: .function(.isOfModel(IsOfModel(modelId: "dtmi:example:thing;1"))))),
        ASTCase(
            "SELECT * FROM DIGITALTWINS DT WHERE IS_OF_MODEL(DT, 'dtmi:example:thing;1')",
            Query(
                select: .all, from: twinsFrom("DT"),
                where: .function(.isOfModel(IsOfModel(collection: "DT", modelId: "dtmi:example:thing;1"))))),
        ASTCase(
            "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:example:thing;1', exact)",
            Query(
                select: .all, from: twinsFrom(),
                where: .function(.isOfModel(IsOfModel(modelId: "dtmi:example:thing;1", exact: true))))),
        ASTCase(
            "SELECT ROOM FROM DIGITALTWINS DT WHERE IS_OF_MODEL(DT, 'dtmi:example:thing;1', exact)",
            Query(
                select: items(implicit("ROOM")), from: twinsFrom("DT"),
                where: .function(.isOfModel(IsOfModel(collection: "DT", modelId: "dtmi:example:thing;1", exact: true))))
        ),
        ASTCase(
            "SELECT Consumer, Factory, Edge FROM DIGITALTWINS Factory JOIN Consumer RELATED Factory.customer Edge WHERE Factory.$dtId = 'ABC'",
            Query(
                select: items(path("Consumer"), path("Factory"), path("Edge")), from: twinsFrom("Factory"),
                joins: [
                    Join(target: "Consumer", source: "Factory", relationship: "customer", relationshipAlias: "Edge")
                ],
                where: cmp(path("Factory", "$dtId"), .equal, str("ABC")))),
        ASTCase(
            "SELECT Consumer.name AS consumerName, Factory FROM DIGITALTWINS Factory JOIN Consumer RELATED Factory.customer Edge WHERE Factory.$dtId = 'ABC' AND IS_PRIMITIVE(Factory.area) AND IS_PRIMITIVE(Consumer.name)",
            Query(
                select: .items([
                    ProjectionItem(path: path("Consumer", "name"), alias: "consumerName"),
                    ProjectionItem(path: path("Factory")),
                ]),
                from: twinsFrom("Factory"),
                joins: [
                    Join(target: "Consumer", source: "Factory", relationship: "customer", relationshipAlias: "Edge")
                ],
                where: .and(
                    .and(
                        cmp(path("Factory", "$dtId"), .equal, str("ABC")),
                        .function(.typeCheck(.isPrimitive, path("Factory", "area")))),
                    .function(.typeCheck(.isPrimitive, path("Consumer", "name")))))),
        ASTCase(
            "SELECT building, sensor FROM DIGITALTWINS MATCH (building)-[]->(sensor) WHERE building.$dtId = 'Building21' AND sensor.temperature > 50",
            Query(
                select: items(path("building"), path("sensor")), from: twinsFrom(),
                match: MatchPattern(nodes: ["building", "sensor"], edges: [MatchEdge(direction: .right)]),
                where: .and(
                    cmp(path("building", "$dtId"), .equal, str("Building21")),
                    cmp(path("sensor", "temperature"), .greater, num("50"))))),
        ASTCase(
            "SELECT floor, room FROM DIGITALTWINS MATCH (floor)-[r:contains|isAssociatedWith]->(room) WHERE floor.$dtId = 'thermostat-15' AND r.length = 10",
            Query(
                select: items(path("floor"), path("room")), from: twinsFrom(),
                match: MatchPattern(
                    nodes: ["floor", "room"],
                    edges: [
                        MatchEdge(
                            direction: .right, relationshipNames: ["contains", "isAssociatedWith"], variable: "r")
                    ]),
                where: .and(
                    cmp(path("floor", "$dtId"), .equal, str("thermostat-15")),
                    cmp(path("r", "length"), .equal, num("10"))))),
        ASTCase(
            "SELECT T.name FROM DIGITALTWINS T WHERE ARRAY_CONTAINS(T.floor_number, 2)",
            Query(
                select: items(path("T", "name")), from: twinsFrom("T"),
                where: .function(.arrayContains(path("T", "floor_number"), .number(NumberLiteral("2")))))),
        // Device-flow samples (DPS allocation functions).
        ASTCase(
            "SELECT * FROM DigitalTwins T WHERE T.HubRegistrationId = 'dev-1' AND IS_OF_MODEL('dtmi:contoso:Thermostat;1')",
            Query(
                select: .all, from: twinsFrom("T"),
                where: .and(
                    cmp(path("T", "HubRegistrationId"), .equal, str("dev-1")),
                    .function(.isOfModel(IsOfModel(modelId: "dtmi:contoso:Thermostat;1")))))),
        ASTCase(
            "SELECT * FROM DIGITALTWINS WHERE temp = 79",
            Query(select: .all, from: twinsFrom(), where: cmp(implicit("temp"), .equal, num("79")))),
    ]

    @Test("parse to the expected AST", arguments: cases)
    func examples(_ c: ASTCase) {
        #expect(parsed(c.query, c.options) == c.expected)
    }
}
