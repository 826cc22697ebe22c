import ADTWire
import DTDL
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

/// One conformance case of `POST /query`, written from ADT's documented semantics
/// (`/work/shared/reference/adt-api/QUERY.md`, `adt-docs/queries-reference.sql`).
///
/// Rows are JSON text. A row (or a member value) written as the string `"@twin:<id>"` stands for
/// the twin document as `GET /digitaltwins/<id>` returns it, `"@twin:<id>/a/b"` for a value inside
/// it, and `"@rel:<id>"` for a relationship document (see `QueryFixture.substitute`). A whole row
/// may be written without quotes: `@twin:bldg1`.
struct QueryCase: Sendable, CustomStringConvertible {
    enum Expectation: Sendable {
        /// Exactly these rows, in any order (a multiset).
        case rows([String])
        /// Every `required` row, plus any of the `optional` rows at most once each: for results
        /// the docs leave open (a MATCH path that comes back to its start twin).
        case subset(required: [String], optional: [String])
        /// `count` rows, each a distinct member of `allowed` (TOP).
        case top(count: Int, allowed: [String])
        /// HTTP 400 with this ADT error code.
        case error(String)
    }

    var category: String
    var query: String
    var expectation: Expectation
    var note: String = ""

    var description: String {
        "[\(category)] \(query.count > 300 ? String(query.prefix(200)) + "… (\(query.count) characters)" : query)"
    }
}

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct QuerySuiteTests {
    static let v = GatewayTest.version

    /// The fixture itself: every PUT accepted, 27 twins and 19 relationships read back.
    @Test func fixtureLoads() async throws {
        try await GatewayTest.withGateways { gateways in
            let fixture = try await QueryFixture.load(gateways[0])
            #expect(fixture.twins.count == 27)
            #expect(fixture.relationships.count == 19)
            #expect(fixture.twins["floor1"]?["level"] == .integer(2))
            #expect(fixture.twins["quote-1"]?["name"] == #"O'Brien's "Den" \ path"#)
        }
    }

    /// Every case of `QueryCases.all` on one loaded fixture; each failure is recorded with its query.
    @Test func conformanceTable() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let fixture = try await QueryFixture.load(http)
            let cases = QueryCases.all
            let verbose = ProcessInfo.processInfo.environment["QUERYSUITE_VERBOSE"] == "1"
            var failed = 0
            var byCategory: [String: (pass: Int, fail: Int)] = [:]
            for c in cases {
                let problem = try await Self.check(c, http: http, fixture: fixture, verbose: verbose)
                var tally = byCategory[c.category] ?? (0, 0)
                if let problem {
                    failed += 1
                    tally.fail += 1
                    Issue.record(Comment(rawValue: "\(c)\n\(problem)"))
                } else {
                    tally.pass += 1
                }
                byCategory[c.category] = tally
            }
            #expect(
                failed == 0,
                "\(failed) of \(cases.count) cases failed; by category: \(byCategory.filter { $0.value.fail > 0 })")
        }
    }

    /// Paging: `max-items-per-page: 2` over a 7-row result, tokens alone and with the query,
    /// the last page's null token, malformed tokens.
    @Test func paging() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let fixture = try await QueryFixture.load(http)
            let query = "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Room;1')"
            let rooms = ["room101", "room102", "room201", "room202", "room203", "room301", "room302"]
            let expected = rooms.map { fixture.twins[$0]! }

            // The whole result in one go (default page size).
            let whole = try await QueryPager.fetchAll(http, query)
            #expect(whole.errorStatus == nil, "\(whole.errorCode ?? "")")
            #expect(whole.shapeProblems.isEmpty, "\(whole.shapeProblems)")
            #expect(Self.sameMultiset(whole.rows, expected), "default paging: \(Self.describe(whole.rows, fixture))")

            // Two rows per page, the header sent with every request.
            let paged = try await QueryPager.fetchAll(http, query, pageSize: 2)
            #expect(paged.errorStatus == nil)
            #expect(paged.shapeProblems.isEmpty, "\(paged.shapeProblems)")
            #expect(paged.pageSizes.allSatisfy { $0 <= 2 }, "page sizes \(paged.pageSizes)")
            #expect(paged.pages >= 4, "page sizes \(paged.pageSizes)")
            #expect(
                paged.pageSizes == [2, 2, 2, 1], "page sizes \(paged.pageSizes) (ADT lets the server return fewer)")
            #expect(Self.sameMultiset(paged.rows, expected), "pages joined: \(Self.describe(paged.rows, fixture))")
            #expect(Set(paged.rows.compactMap { $0["$dtId"]?.stringValue }).count == 7, "a row repeated across pages")

            // First page by hand; its token alone, then query + token, give the same second page.
            let first = try await QueryPager.post(http, body: QueryPager.requestBody(query: query), pageSize: 2)
            #expect(first.status == 200)
            #expect(first.rows.count == 2)
            let token = try #require(first.token, "a 7-row result in pages of 2 needs a continuation token")
            let alone = try await QueryPager.post(http, body: QueryPager.requestBody(token: token), pageSize: 2)
            #expect(alone.status == 200, "token alone: \(alone.errorCode ?? "")")
            #expect(alone.rows.count == 2)
            let withQuery = try await QueryPager.post(
                http, body: QueryPager.requestBody(query: query, token: token), pageSize: 2)
            #expect(withQuery.status == 200, "query + token: \(withQuery.errorCode ?? "")")
            #expect(withQuery.rows == alone.rows, "query + token must give the same page as the token alone")
            let firstIDs = Set(first.rows.compactMap { $0["$dtId"]?.stringValue })
            #expect(
                firstIDs.isDisjoint(with: alone.rows.compactMap { $0["$dtId"]?.stringValue }), "page 2 repeats page 1")
            // SUMMARY.md: `query` is ignored when a token is given.
            let otherQuery = try await QueryPager.post(
                http, body: QueryPager.requestBody(query: "SELECT * FROM RELATIONSHIPS", token: token), pageSize: 2)
            #expect(otherQuery.status == 200)
            #expect(otherQuery.rows == alone.rows, "the query text must be ignored when a continuation token is given")

            // The rest without the header: still the remaining rows only.
            var rest = alone.rows
            var next = alone.token
            var guardPages = 0
            while let t = next, guardPages < 20 {
                let page = try await QueryPager.post(http, body: QueryPager.requestBody(token: t))
                #expect(page.status == 200)
                rest += page.rows
                next = page.token
                guardPages += 1
            }
            #expect(
                Self.sameMultiset(first.rows + rest, expected),
                "first page + rest: \(Self.describe(first.rows + rest, fixture))")

            // The last page says null explicitly.
            let last = try await QueryPager.post(http, body: QueryPager.requestBody(query: query), pageSize: 1000)
            #expect(last.status == 200)
            #expect(last.body?["continuationToken"] == .null)
            #expect(last.rows.count == 7)

            // COUNT is one row, even with a page size of 1.
            let count = try await QueryPager.fetchAll(http, "SELECT COUNT() FROM DIGITALTWINS", pageSize: 1)
            #expect(count.rows == [["COUNT": 27]])
            #expect(count.pages == 1)

            // TOP and JOIN results page too.
            let top = try await QueryPager.fetchAll(http, "SELECT TOP(5) FROM DIGITALTWINS", pageSize: 2)
            #expect(top.rows.count == 5, "TOP(5) over pages of 2: \(top.pageSizes)")
            #expect(Set(top.rows.compactMap { $0["$dtId"]?.stringValue }).count == 5)
            let join = try await QueryPager.fetchAll(
                http,
                "SELECT R FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains WHERE B.$dtId = 'bldg1'",
                pageSize: 2)
            #expect(join.rows.count == 5, "JOIN over pages of 2: \(join.pageSizes)")
            #expect(join.pageSizes.allSatisfy { $0 <= 2 })
            let match = try await QueryPager.fetchAll(
                http, "SELECT x FROM DIGITALTWINS MATCH (b)-[:contains*..3]->(x) WHERE b.$dtId = 'bldg1'", pageSize: 3)
            #expect(match.rows.count == 11, "MATCH over pages of 3: \(match.pageSizes)")
            #expect(match.pageSizes.allSatisfy { $0 <= 3 })

            // Malformed tokens: 400 BadRequest.
            for bad in ["not-a-token", "eyJmb28iOiJiYXIifQ==", String(token.reversed()), token + "x"] {
                let response = try await QueryPager.post(http, body: QueryPager.requestBody(token: bad))
                #expect(response.status == 400, "token \(bad)")
                #expect(response.errorCode == "BadRequest", "token \(bad): \(response.errorCode ?? "no code")")
            }
        }
    }

    // MARK: - Checking one case

    /// nil when the case passes, else a description of the difference.
    static func check(
        _ c: QueryCase, http: any TestClientProtocol, fixture: QueryFixture, verbose: Bool = false
    ) async throws -> String? {
        let outcome = try await QueryPager.fetchAll(http, c.query)
        if verbose {
            print("QUERYSUITE RAN \(c)\n  -> \(outcome.errorCode ?? describe(outcome.rows, fixture))")
        }
        var problems: [String] = []
        if case .error(let code) = c.expectation {
            guard let status = outcome.errorStatus else {
                return
                    "expected 400 \(code), got 200 with \(outcome.rows.count) rows: \(describe(outcome.rows, fixture))"
            }
            if status != 400 { problems.append("expected status 400, got \(status)") }
            if outcome.errorCode != code {
                problems.append(
                    "expected error code \(code), got \(outcome.errorCode ?? "none") (\(outcome.errorMessage ?? ""))")
            }
            problems += outcome.shapeProblems
            return problems.isEmpty ? nil : problems.joined(separator: "\n")
        }
        if let status = outcome.errorStatus {
            return "expected 200, got \(status) \(outcome.errorCode ?? "") \(outcome.errorMessage ?? "")"
        }
        problems += outcome.shapeProblems.map { "shape: \($0)" }

        func resolve(_ texts: [String]) throws -> [JSONValue] {
            try texts.map { text in
                let raw: JSONValue
                do {
                    raw = text.hasPrefix("@") ? .string(text) : try JSONParser.parse(text)
                } catch {
                    throw CaseError(message: "bad expected row \(text): \(error)")
                }
                switch fixture.substitute(raw) {
                case .success(let v): return v
                case .failure(let e): throw CaseError(message: "unknown placeholder \(e.text)")
                }
            }
        }

        let actual = outcome.rows
        do {
            switch c.expectation {
            case .rows(let texts):
                let expected = try resolve(texts)
                let (missing, unexpected) = difference(actual: actual, expected: expected)
                if !missing.isEmpty || !unexpected.isEmpty {
                    problems.append(
                        "expected \(expected.count) rows, got \(actual.count)\n  missing:    \(describe(missing, fixture))\n  unexpected: \(describe(unexpected, fixture))"
                    )
                }
            case .subset(let requiredTexts, let optionalTexts):
                let required = try resolve(requiredTexts)
                let optional = try resolve(optionalTexts)
                let (missing, extra) = difference(actual: actual, expected: required)
                let (_, notAllowed) = difference(actual: extra, expected: optional)
                if !missing.isEmpty || !notAllowed.isEmpty {
                    problems.append(
                        "required rows missing: \(describe(missing, fixture))\n  rows neither required nor allowed: \(describe(notAllowed, fixture))"
                    )
                }
            case .top(let count, let allowedTexts):
                let allowed = try resolve(allowedTexts)
                if actual.count != count { problems.append("expected \(count) rows, got \(actual.count)") }
                let (_, notAllowed) = difference(actual: actual, expected: allowed)
                if !notAllowed.isEmpty {
                    problems.append("rows outside the allowed set (or repeated): \(describe(notAllowed, fixture))")
                }
            case .error:
                break
            }
        } catch let error as CaseError {
            problems.append("TEST BUG: \(error.message)")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "\n")
    }

    struct CaseError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Multiset difference: expected rows not found, and actual rows left over.
    static func difference(actual: [JSONValue], expected: [JSONValue]) -> (
        missing: [JSONValue], unexpected: [JSONValue]
    ) {
        var remaining = actual
        var missing: [JSONValue] = []
        for e in expected {
            if let i = remaining.firstIndex(of: e) {
                remaining.remove(at: i)
            } else {
                missing.append(e)
            }
        }
        return (missing, remaining)
    }

    static func sameMultiset(_ a: [JSONValue], _ b: [JSONValue]) -> Bool {
        let (missing, unexpected) = difference(actual: a, expected: b)
        return missing.isEmpty && unexpected.isEmpty
    }

    /// Rows as short text: fixture documents are named (`@twin:id`, `@rel:id`), sorted.
    static func describe(_ rows: [JSONValue], _ fixture: QueryFixture) -> String {
        if rows.isEmpty { return "(none)" }
        return "[" + rows.map { short($0, fixture) }.sorted().joined(separator: ", ") + "]"
    }

    static func short(_ value: JSONValue, _ fixture: QueryFixture) -> String {
        if case .object(let o) = value {
            if let id = o["$dtId"]?.stringValue, o["$etag"] != nil, let twin = fixture.twins[id] {
                return twin == value ? "@twin:\(id)" : "@twin:\(id)(DIFFERS: \(JSONWriter.string(value)))"
            }
            if let id = o["$relationshipId"]?.stringValue, o["$etag"] != nil, let rel = fixture.relationships[id] {
                return rel == value ? "@rel:\(id)" : "@rel:\(id)(DIFFERS: \(JSONWriter.string(value)))"
            }
            return "{"
                + o.members.map { "\(JSONWriter.string(.string($0.key))):\(short($0.value, fixture))" }.joined(
                    separator: ",") + "}"
        }
        return JSONWriter.string(value)
    }
}

// MARK: - The cases
