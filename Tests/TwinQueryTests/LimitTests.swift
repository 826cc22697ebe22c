import Foundation
import Testing

@testable import TwinQuery

@Suite("Limits and extensions")
struct LimitTests {
    /// `SELECT * FROM DIGITALTWINS T WHERE T.p0 = 0 AND T.p1 = 1 ...` with `terms` comparisons.
    func conjunction(_ terms: Int, _ op: String = "AND") -> String {
        "SELECT * FROM DIGITALTWINS T WHERE "
            + (0..<terms).map { "T.p\($0) = \($0)" }.joined(separator: " \(op) ")
    }

    @Test("8,000 characters are allowed, 8,001 are not")
    func length() throws {
        let prefix = "SELECT * FROM DIGITALTWINS WHERE x = '"
        let exact = prefix + String(repeating: "a", count: 8_000 - prefix.count - 1) + "'"
        #expect(exact.utf16.count == 8_000)
        #expect(parsed(exact) != nil)
        let over = prefix + String(repeating: "a", count: 8_000 - prefix.count) + "'"
        let e = try #require(failure(over))
        #expect(e.kind == .limit)
        #expect(e.position == 8_001)
        #expect(e.reason == "the query is 8001 characters long; the maximum is 8000")
        // Counted in UTF-16 units, as ADT (.NET) does: 4,000 emoji are 8,000 units.
        let emoji = prefix + String(repeating: "😀", count: 4_000) + "'"
        let e2 = try #require(failure(emoji))
        #expect(e2.kind == .limit)
        #expect(e2.position == prefix.count + (8_000 - prefix.count) / 2 + 1)
        #expect(parsed(over, ParseOptions(limits: QueryLimits(maxLength: 10_000))) != nil)
    }

    @Test("50 AND/OR operators are allowed, 51 are not", arguments: ["AND", "OR"])
    func logicalOperators(_ op: String) throws {
        #expect(parsed(conjunction(51, op)) != nil)  // 50 operators
        let text = conjunction(52, op)
        let e = try #require(failure(text))
        #expect(e.kind == .limit)
        #expect(e.reason == "a query can have at most 50 AND/OR operators")
        // The 51st operator is reported.
        var last = text.startIndex
        var count = 0
        var search = text.startIndex
        while let r = text.range(of: " \(op) ", range: search..<text.endIndex) {
            count += 1
            if count == 51 { last = r.lowerBound }
            search = r.upperBound
        }
        #expect(e.column == text.distance(from: text.startIndex, to: last) + 2)
    }

    @Test("AND and OR are counted together")
    func mixedLogical() {
        let text =
            "SELECT * FROM DIGITALTWINS T WHERE " + (0..<51).map { "T.p\($0) = 1" }.joined(separator: " AND ")
            + " OR T.q = 1"
        #expect(failure(text)?.kind == .limit)
        #expect(parsed(text, ParseOptions(limits: QueryLimits(maxLogicalOperators: 51))) != nil)
    }

    @Test("100 IN/NIN items are allowed, 101 are not", arguments: ["IN", "NIN"])
    func listItems(_ op: String) throws {
        func list(_ n: Int) -> String {
            "SELECT * FROM DIGITALTWINS T WHERE T.$dtId \(op) [" + (0..<n).map { "'id\($0)'" }.joined(separator: ", ")
                + "]"
        }
        let q = try #require(parsed(list(100)))
        guard case .membership(_, _, let items)? = q.where else { Issue.record("expected \(op)"); return }
        #expect(items.count == 100)
        let text = list(101)
        let e = try #require(failure(text))
        #expect(e.kind == .limit)
        #expect(e.reason == "an \(op) list can have at most 100 items")
        #expect(e.column == text.distance(to: "'id100'") + 1)
        #expect(failure(list(51), ParseOptions(limits: QueryLimits(maxListItems: 50)))?.kind == .limit)
    }

    @Test("deep nesting is bounded")
    func nesting() throws {
        let ok =
            "SELECT * FROM DIGITALTWINS WHERE " + String(repeating: "(", count: 64) + "x = 1"
            + String(repeating: ")", count: 64)
        #expect(parsed(ok) != nil)
        let deep =
            "SELECT * FROM DIGITALTWINS WHERE " + String(repeating: "(", count: 3_000) + "x = 1"
            + String(repeating: ")", count: 3_000)
        #expect(failure(deep)?.kind == .limit)
        let nots = "SELECT * FROM DIGITALTWINS WHERE " + String(repeating: "NOT ", count: 65) + "x = 1"
        #expect(failure(nots)?.reason.contains("nested more than 64 levels") == true)
    }

    @Test("ORDER BY is an opt-in extension")
    func orderBy() throws {
        let text = "SELECT T FROM DIGITALTWINS T WHERE T.x > 1 ORDER BY T.name, T.age DESC, T.id ASC"
        let e = try #require(failure(text))
        #expect(e.kind == .unsupported)
        #expect(e.reason == "ORDER BY is not supported by Azure Digital Twins queries")
        #expect(e.column == 44)
        let q = try #require(parsed(text, ParseOptions(allowOrderBy: true)))
        #expect(
            q.orderBy == [
                OrderItem(path: path("T", "name")), OrderItem(path: path("T", "age"), descending: true),
                OrderItem(path: path("T", "id")),
            ])
        let implicitOrder = try #require(
            parsed("SELECT * FROM DIGITALTWINS ORDER BY name desc", ParseOptions(allowOrderBy: true)))
        #expect(implicitOrder.orderBy == [OrderItem(path: implicit("name"), descending: true)])
    }

    static let orderErrors: [ErrorCase] = [
        ErrorCase(
            "SELECT * FROM DIGITALTWINS ORDER name", .syntax, "expected BY after ORDER",
            options: ParseOptions(allowOrderBy: true)),
        ErrorCase(
            "SELECT * FROM DIGITALTWINS ORDER BY", .syntax, "expected a property to order by",
            options: ParseOptions(allowOrderBy: true)),
        ErrorCase(
            "SELECT * FROM DIGITALTWINS T ORDER BY T", .semantic, "'T' is a collection, not a property",
            options: ParseOptions(allowOrderBy: true)),
        ErrorCase(
            "SELECT * FROM DIGITALTWINS ORDER BY x WHERE x = 1", .syntax, "expected end of query, found 'WHERE'",
            options: ParseOptions(allowOrderBy: true)),
        ErrorCase("SELECT * FROM DIGITALTWINS ORDER BY x", .unsupported, "ORDER BY is not supported", column: 28),
    ]

    @Test("ORDER BY errors", arguments: orderErrors)
    func orderByErrors(_ c: ErrorCase) { c.check() }

    @Test("errors are values with kind, reason and location")
    func errorValue() throws {
        let e = try #require(failure("SELECT * FROM DIGITALTWINS WHERE"))
        #expect(e == QueryError(kind: .syntax, reason: e.reason, position: 33, line: 1, column: 33))
        #expect(e.message.hasPrefix("Syntax error at line 1, column 33: "))
        #expect(
            QueryError(kind: .limit, reason: "r", position: 4).message == "Query limit exceeded at line 1, column 4: r")
        #expect(QueryError(kind: .semantic, reason: "r", position: 4).message.hasPrefix("Invalid query"))
        #expect(QueryError(kind: .unsupported, reason: "r", position: 4).message.hasPrefix("Unsupported query"))
    }

    @Test("the one query the SDK recordings send is rejected like ADT does")
    func recordedFoo() throws {
        // python/test_digital_twins.test_query_digitaltwins_invalid_expression.yaml:
        // "missing SELECT at 'foo'" at Position=0 (0-based).
        let e = try #require(failure("foo"))
        #expect(e.kind == .syntax)
        #expect(e.position == 1)
        #expect(e.reason.contains("expected SELECT") && e.reason.contains("'foo'"))
    }
}
