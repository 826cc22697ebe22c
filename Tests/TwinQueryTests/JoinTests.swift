import Foundation
import Testing

@testable import TwinQuery

@Suite("JOIN")
struct JoinTests {
    static let cases: [ASTCase] = [
        ASTCase(
            "SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'ABC'",
            Query(
                select: items(path("T"), path("CT")), from: twinsFrom("T"),
                joins: [Join(target: "CT", source: "T", relationship: "contains")],
                where: cmp(path("T", "$dtId"), .equal, str("ABC")))),
        ASTCase(
            "SELECT T, SBT, R FROM DIGITALTWINS T JOIN SBT RELATED T.servicedBy R WHERE T.$dtId = 'ABC' AND R.reportedCondition = 'clean'",
            Query(
                select: items(path("T"), path("SBT"), path("R")), from: twinsFrom("T"),
                joins: [Join(target: "SBT", source: "T", relationship: "servicedBy", relationshipAlias: "R")],
                where: .and(
                    cmp(path("T", "$dtId"), .equal, str("ABC")),
                    cmp(path("R", "reportedCondition"), .equal, str("clean"))))),
        ASTCase(
            "SELECT Consumer.name, Relationship.managedBy FROM DIGITALTWINS Factory JOIN Consumer RELATED Factory.consumerRelationship Relationship WHERE Factory.$dtId = 'FactoryA'",
            Query(
                select: items(path("Consumer", "name"), path("Relationship", "managedBy")), from: twinsFrom("Factory"),
                joins: [
                    Join(
                        target: "Consumer", source: "Factory", relationship: "consumerRelationship",
                        relationshipAlias: "Relationship")
                ],
                where: cmp(path("Factory", "$dtId"), .equal, str("FactoryA")))),
        ASTCase(
            "SELECT Consumer.name AS consumerName, Edge.prop1 AS first, Factory FROM DIGITALTWINS Factory JOIN Consumer RELATED Factory.customer Edge WHERE Factory.$dtId = 'ABC'",
            Query(
                select: .items([
                    ProjectionItem(path: path("Consumer", "name"), alias: "consumerName"),
                    ProjectionItem(path: path("Edge", "prop1"), alias: "first"),
                    ProjectionItem(path: path("Factory")),
                ]),
                from: twinsFrom("Factory"),
                joins: [
                    Join(target: "Consumer", source: "Factory", relationship: "customer", relationshipAlias: "Edge")
                ],
                where: cmp(path("Factory", "$dtId"), .equal, str("ABC")))),
        ASTCase(
            "SELECT LightBulb FROM DIGITALTWINS Room JOIN LightPanel RELATED Room.contains JOIN LightBulb RELATED LightPanel.contains WHERE IS_OF_MODEL(LightPanel, 'dtmi:contoso:com:lightpanel;1') AND IS_OF_MODEL(LightBulb, 'dtmi:contoso:com:lightbulb ;1') AND Room.$dtId IN ['room1', 'room2']",
            Query(
                select: items(path("LightBulb")), from: twinsFrom("Room"),
                joins: [
                    Join(target: "LightPanel", source: "Room", relationship: "contains"),
                    Join(target: "LightBulb", source: "LightPanel", relationship: "contains"),
                ],
                where: .and(
                    .and(
                        .function(
                            .isOfModel(IsOfModel(collection: "LightPanel", modelId: "dtmi:contoso:com:lightpanel;1"))),
                        .function(
                            .isOfModel(IsOfModel(collection: "LightBulb", modelId: "dtmi:contoso:com:lightbulb ;1")))),
                    .membership(.path(path("Room", "$dtId")), .in, [lit("room1"), lit("room2")])))),
        // Anchor on the target collection instead of the source.
        ASTCase(
            "SELECT A, B FROM DIGITALTWINS A JOIN B RELATED A.has WHERE B.$dtId = 'b'",
            Query(
                select: items(path("A"), path("B")), from: twinsFrom("A"),
                joins: [Join(target: "B", source: "A", relationship: "has")],
                where: cmp(path("B", "$dtId"), .equal, str("b")))),
        // A later JOIN may start from any earlier twin collection, not only the previous one.
        ASTCase(
            "SELECT B, C FROM DIGITALTWINS A JOIN B RELATED A.x JOIN C RELATED A.y WHERE 'a' = A.$dtId",
            Query(
                select: items(path("B"), path("C")), from: twinsFrom("A"),
                joins: [
                    Join(target: "B", source: "A", relationship: "x"),
                    Join(target: "C", source: "A", relationship: "y"),
                ],
                where: .comparison(.equal, str("a"), .path(path("A", "$dtId"))))),
        ASTCase(
            "SELECT COUNT() FROM DIGITALTWINS A JOIN B RELATED A.[[has part]] WHERE A.$dtId = 'a'",
            Query(
                select: .count, from: twinsFrom("A"),
                joins: [Join(target: "B", source: "A", relationship: "has part")],
                where: cmp(path("A", "$dtId"), .equal, str("a")))),
    ]

    @Test("JOIN forms", arguments: cases)
    func forms(_ c: ASTCase) {
        #expect(parsed(c.query, c.options) == c.expected)
    }

    @Test("five JOINs are allowed, six are not")
    func joinLimit() throws {
        let five =
            "SELECT LightBulb FROM DIGITALTWINS Building JOIN Floor RELATED Building.contains JOIN Room RELATED Floor.contains JOIN LightPanel RELATED Room.contains JOIN LightBulbRow RELATED LightPanel.contains JOIN LightBulb RELATED LightBulbRow.contains WHERE Building.$dtId = 'Building1'"
        let q = try #require(parsed(five))
        #expect(q.joins.map(\.target) == ["Floor", "Room", "LightPanel", "LightBulbRow", "LightBulb"])
        #expect(q.joins.map(\.source) == ["Building", "Floor", "Room", "LightPanel", "LightBulbRow"])
        let six = five.replacingOccurrences(of: " WHERE", with: " JOIN Socket RELATED LightBulb.contains WHERE")
        let e = try #require(failure(six))
        #expect(e.kind == .limit)
        #expect(e.reason == "a query can have at most 5 JOINs")
        #expect(e.column == six.distance(to: "JOIN Socket") + 1)
        // The limit is configurable.
        #expect(parsed(six, ParseOptions(limits: QueryLimits(maxJoins: 6))) != nil)
    }

    @Test("JOIN positions are recorded")
    func positions() throws {
        let q = try #require(parsed("SELECT B FROM DIGITALTWINS A JOIN B RELATED A.x WHERE A.$dtId = 'a'"))
        #expect(q.joins.first?.position == 30)
    }

    @Test("anchoring can be switched off")
    func unanchored() throws {
        let text = "SELECT A, B FROM DIGITALTWINS A JOIN B RELATED A.has WHERE B.temperature > 50"
        let e = try #require(failure(text))
        #expect(e.kind == .semantic)
        #expect(e.column == 33)
        #expect(e.reason.contains("must filter a twin's $dtId with = or IN"))
        let q = try #require(parsed(text, ParseOptions(requireAnchor: false)))
        #expect(q.where == cmp(path("B", "temperature"), .greater, num("50")))
        #expect(
            parsed("SELECT A, B FROM DIGITALTWINS A JOIN B RELATED A.has", ParseOptions(requireAnchor: false)) != nil)
    }

    static let anchors: [(String, Bool)] = [
        ("A.$dtId = 'a'", true),
        ("'a' = A.$dtId", true),
        ("A.$dtId IN ['a', 'b']", true),
        ("B.$dtId = 'b' AND B.x = 1", true),
        ("B.x = 1 AND (A.y = 2 AND A.$dtId = 'a')", true),
        ("A.$dtId = 'a' OR B.$dtId = 'b'", true),
        ("A.$dtId = 'a' OR B.x = 1", false),
        ("NOT A.$dtId = 'a'", false),
        ("A.$dtId != 'a'", false),
        ("A.$dtId NIN ['a']", false),
        ("A.$dtId IN ['a', 1]", false),
        ("A.$dtId = 1", false),
        ("A.$dtId = B.$dtId", false),
        ("STARTSWITH(A.$dtId, 'a')", false),
        ("R.$dtId = 'r'", false),  // R names relationships, which have no $dtId
        ("A.$dtid = 'a'", false),  // names are case-sensitive
        ("A.x.$dtId = 'a'", false),
    ]

    @Test("what counts as a $dtId anchor", arguments: anchors)
    func anchorRule(_ condition: String, _ anchored: Bool) {
        let text = "SELECT A, B FROM DIGITALTWINS A JOIN B RELATED A.has R WHERE " + condition
        switch tryParse(text) {
        case .success: #expect(anchored, "\(condition) should not count as an anchor")
        case .failure(let e):
            #expect(!anchored, "\(condition): \(e.message)")
            #expect(e.reason.contains("$dtId"), "\(e.message)")
        }
    }

    static let errors: [ErrorCase] = [
        ErrorCase(
            "SELECT * FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'ABC'", .semantic,
            "SELECT * cannot be used in a query with JOIN", column: 8),
        ErrorCase(
            "SELECT TOP(3) FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'ABC'", .semantic,
            "SELECT TOP(n) without a projection cannot be used", column: 8),
        ErrorCase(
            "SELECT R FROM RELATIONSHIPS R JOIN T RELATED R.x WHERE T.$dtId = 'a'", .semantic,
            "FROM RELATIONSHIPS cannot be combined with JOIN", column: 31),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS JOIN CT RELATED T.contains WHERE CT.$dtId = 'a'", .semantic,
            "name the FROM collection"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN CT RELATED X.contains WHERE T.$dtId = 'a'", .semantic,
            "unknown collection 'X' in RELATED X.contains; the query defines T"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN CT RELATED CT.contains WHERE T.$dtId = 'a'", .semantic,
            "unknown collection 'CT'"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN A RELATED T.x R JOIN B RELATED R.y WHERE T.$dtId = 'a'", .semantic,
            "RELATED must start from a twin collection"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN T RELATED T.x WHERE T.$dtId = 'a'", .semantic,
            "'T' is defined more than once"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN A RELATED T.x A WHERE T.$dtId = 'a'", .semantic,
            "'A' is defined more than once"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN CT T.contains WHERE T.$dtId = 'a'", .syntax,
            "expected RELATED after 'JOIN CT', found 'T'"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN CT RELATED T WHERE T.$dtId = 'a'", .syntax,
            "expected '.' and a relationship name"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN CT RELATED T.a.b WHERE T.$dtId = 'a'", .syntax,
            "single relationship name"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T JOIN RELATED T.a WHERE T.$dtId = 'a'", .syntax,
            "expected RELATED after 'JOIN RELATED'"),
        ErrorCase(
            "SELECT T FROM DIGITALTWINS T LEFT JOIN CT RELATED T.a WHERE T.$dtId = 'a'", .syntax,
            "expected end of query, found 'LEFT'"),
        ErrorCase(
            "SELECT name FROM DIGITALTWINS T JOIN CT RELATED T.a WHERE T.$dtId = 'a'", .semantic,
            "unknown collection 'name'; the query defines T, CT"),
        // The 2020 docs example: `has` is the relationship name, not an alias.
        ErrorCase(
            "SELECT device FROM DigitalTwins space JOIN device RELATED space.has WHERE space.$dtid = 'Room 123' AND device.$metadata.model = 'dtmi:contoso:com:DigitalTwins:MxChip:3' AND has.role = 'Operator'",
            .semantic, "unknown collection 'has'"),
        ErrorCase(
            "SELECT A FROM DIGITALTWINS A JOIN B RELATED A.x WHERE IS_OF_MODEL('dtmi:a:b;1') AND A.$dtId = 'a'",
            .semantic, "IS_OF_MODEL needs a collection argument"),
        ErrorCase(
            "SELECT A FROM DIGITALTWINS A JOIN B RELATED A.x R WHERE IS_OF_MODEL(R, 'dtmi:a:b;1') AND A.$dtId = 'a'",
            .semantic, "'R' names relationships"),
        ErrorCase(
            "SELECT A FROM DIGITALTWINS A JOIN B RELATED A.x WHERE A.$dtId = 'a' ORDER BY C.x", .semantic,
            "unknown collection 'C'", options: ParseOptions(allowOrderBy: true)),
    ]

    @Test("JOIN errors", arguments: errors)
    func joinErrors(_ c: ErrorCase) { c.check() }
}

extension String {
    /// Offset of the first occurrence of `needle` (test helper; ASCII queries only).
    func distance(to needle: String) -> Int {
        guard let r = range(of: needle) else { return -1 }
        return self.distance(from: startIndex, to: r.lowerBound)
    }
}
