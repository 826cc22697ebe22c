import Testing

@testable import TwinQuery

/// A WHERE condition (after `SELECT * FROM DIGITALTWINS DT WHERE `) and its expected expression.
struct WhereCase: Sendable, CustomTestStringConvertible {
    var condition: String
    var expected: Expression
    var testDescription: String { condition }

    init(_ condition: String, _ expected: Expression) {
        self.condition = condition
        self.expected = expected
    }
}

@Suite("WHERE")
struct WhereTests {
    static let dt = "SELECT * FROM DIGITALTWINS DT WHERE "

    static let cases: [WhereCase] = [
        // Operators page.
        WhereCase("DT.Temperature = 80", cmp(path("DT", "Temperature"), .equal, num("80"))),
        WhereCase("DT.Temperature != 80", cmp(path("DT", "Temperature"), .notEqual, num("80"))),
        WhereCase("DT.Temperature < 80", cmp(path("DT", "Temperature"), .less, num("80"))),
        WhereCase("DT.Temperature <= 80", cmp(path("DT", "Temperature"), .lessOrEqual, num("80"))),
        WhereCase("DT.Temperature > 80", cmp(path("DT", "Temperature"), .greater, num("80"))),
        WhereCase("DT.Temperature >= 80", cmp(path("DT", "Temperature"), .greaterOrEqual, num("80"))),
        WhereCase("NOT DT.Temperature <= 80", .not(cmp(path("DT", "Temperature"), .lessOrEqual, num("80")))),
        WhereCase(
            "DT.owner IN ['John', 'Anil', 'Bailey', 'Alex']",
            .membership(.path(path("DT", "owner")), .in, [lit("John"), lit("Anil"), lit("Bailey"), lit("Alex")])),
        WhereCase("DT.owner NIN ['John']", .membership(.path(path("DT", "owner")), .notIn, [lit("John")])),
        WhereCase(
            "DT.x IN [1, -2.5, true, false, null, 'a']",
            .membership(
                .path(path("DT", "x")), .in,
                [
                    .number(NumberLiteral("1")), .number(NumberLiteral("-2.5")), .bool(true), .bool(false), .null,
                    lit("a"),
                ])),
        WhereCase(
            "DT.Temperature < 80 AND DT.Humidity < 50",
            .and(cmp(path("DT", "Temperature"), .less, num("80")), cmp(path("DT", "Humidity"), .less, num("50")))),
        WhereCase(
            "DT.Temperature < 80 OR DT.Humidity < 50",
            .or(cmp(path("DT", "Temperature"), .less, num("80")), cmp(path("DT", "Humidity"), .less, num("50")))),
        // Precedence: AND over OR, NOT over AND, parentheses regroup, left associativity.
        WhereCase(
            "DT.a = 1 OR DT.b = 2 AND DT.c = 3",
            .or(
                cmp(path("DT", "a"), .equal, num("1")),
                .and(cmp(path("DT", "b"), .equal, num("2")), cmp(path("DT", "c"), .equal, num("3"))))),
        WhereCase(
            "(DT.a = 1 OR DT.b = 2) AND DT.c = 3",
            .and(
                .or(cmp(path("DT", "a"), .equal, num("1")), cmp(path("DT", "b"), .equal, num("2"))),
                cmp(path("DT", "c"), .equal, num("3")))),
        WhereCase(
            "NOT DT.a = 1 AND DT.b = 2",
            .and(.not(cmp(path("DT", "a"), .equal, num("1"))), cmp(path("DT", "b"), .equal, num("2")))),
        WhereCase(
            "NOT (DT.a = 1 AND DT.b = 2)",
            .not(.and(cmp(path("DT", "a"), .equal, num("1")), cmp(path("DT", "b"), .equal, num("2"))))),
        WhereCase(
            "DT.a = 1 AND DT.b = 2 AND DT.c = 3",
            .and(
                .and(cmp(path("DT", "a"), .equal, num("1")), cmp(path("DT", "b"), .equal, num("2"))),
                cmp(path("DT", "c"), .equal, num("3")))),
        WhereCase("NOT NOT DT.a = 1", .not(.not(cmp(path("DT", "a"), .equal, num("1"))))),
        WhereCase("((DT.a = 1))", cmp(path("DT", "a"), .equal, num("1"))),
        // Literals.
        WhereCase("DT.Name = 'D\\'Souza'", cmp(path("DT", "Name"), .equal, str("D'Souza"))),
        WhereCase("DT.x = -5", cmp(path("DT", "x"), .equal, num("-5"))),
        WhereCase("DT.x <-5", cmp(path("DT", "x"), .less, num("-5"))),
        WhereCase("DT.x = 1.5e3", cmp(path("DT", "x"), .equal, num("1.5e3"))),
        WhereCase("DT.x = true", .comparison(.equal, .path(path("DT", "x")), .literal(.bool(true)))),
        WhereCase("DT.x != NULL", .comparison(.notEqual, .path(path("DT", "x")), .literal(.null))),
        WhereCase("80 = DT.x", .comparison(.equal, num("80"), .path(path("DT", "x")))),
        WhereCase("DT.a = DT.b", .comparison(.equal, .path(path("DT", "a")), .path(path("DT", "b")))),
        // Functions.
        WhereCase(
            "IS_OF_MODEL('dtmi:example:thing;1')", .function(.isOfModel(IsOfModel(modelId: "dtmi:example:thing;1")))),
        WhereCase(
            "IS_OF_MODEL(DT, 'dtmi:example:thing;1')",
            .function(.isOfModel(IsOfModel(collection: "DT", modelId: "dtmi:example:thing;1")))),
        WhereCase(
            "IS_OF_MODEL('dtmi:example:thing;1', exact)",
            .function(.isOfModel(IsOfModel(modelId: "dtmi:example:thing;1", exact: true)))),
        WhereCase(
            "IS_OF_MODEL(DT, 'dtmi:example:thing;1', exact)",
            .function(.isOfModel(IsOfModel(collection: "DT", modelId: "dtmi:example:thing;1", exact: true)))),
        WhereCase("IS_DEFINED(Location)", .function(.typeCheck(.isDefined, implicit("Location")))),
        WhereCase("IS_DEFINED(tags.red)", .function(.typeCheck(.isDefined, implicit("tags", "red")))),
        WhereCase("NOT IS_NULL(DT.Temperature)", .not(.function(.typeCheck(.isNull, path("DT", "Temperature"))))),
        WhereCase("IS_BOOL( HasTemperature )", .function(.typeCheck(.isBool, implicit("HasTemperature")))),
        WhereCase("IS_NUMBER(DT.Temperature)", .function(.typeCheck(.isNumber, path("DT", "Temperature")))),
        WhereCase("IS_STRING(DT.Status)", .function(.typeCheck(.isString, path("DT", "Status")))),
        WhereCase("IS_PRIMITIVE(DT.area)", .function(.typeCheck(.isPrimitive, path("DT", "area")))),
        WhereCase("IS_OBJECT(MapObject)", .function(.typeCheck(.isObject, implicit("MapObject")))),
        WhereCase(
            "STARTSWITH(DT.$dtId, 'area1-')", .function(.stringMatch(.startsWith, path("DT", "$dtId"), "area1-"))),
        WhereCase("ENDSWITH(DT.$dtId, '-small')", .function(.stringMatch(.endsWith, path("DT", "$dtId"), "-small"))),
        WhereCase("CONTAINS(DT.$dtId, '-route')", .function(.stringMatch(.contains, path("DT", "$dtId"), "-route"))),
        // The reserved list spells these with an underscore; both spellings are accepted.
        WhereCase("STARTS_WITH(DT.$dtId, 'a')", .function(.stringMatch(.startsWith, path("DT", "$dtId"), "a"))),
        WhereCase("ENDS_WITH(DT.$dtId, 'z')", .function(.stringMatch(.endsWith, path("DT", "$dtId"), "z"))),
        WhereCase(
            "ARRAY_CONTAINS(DT.floor_number, 2)",
            .function(.arrayContains(path("DT", "floor_number"), .number(NumberLiteral("2"))))),
        WhereCase("ARRAY_CONTAINS(DT.tags, 'x')", .function(.arrayContains(path("DT", "tags"), lit("x")))),
        WhereCase("ARRAY_CONTAINS(DT.flags, false)", .function(.arrayContains(path("DT", "flags"), .bool(false)))),
        WhereCase("is_defined(DT.x)", .function(.typeCheck(.isDefined, path("DT", "x")))),
        WhereCase(
            "IS_OBJECT( MapObject ) AND NOT IS_DEFINED ( MapObject.TemperatureReading )",
            .and(
                .function(.typeCheck(.isObject, implicit("MapObject"))),
                .not(.function(.typeCheck(.isDefined, implicit("MapObject", "TemperatureReading")))))),
    ]

    @Test("conditions", arguments: cases)
    func conditions(_ c: WhereCase) {
        #expect(parsed(Self.dt + c.condition)?.where == c.expected)
    }

    @Test("number literals keep their text and value")
    func numbers() throws {
        let q = try #require(parsed(Self.dt + "DT.a IN [0, 42, -7, 3.25, 1e3, 2E-2, 12345678901234567890]"))
        guard case .membership(_, _, let list)? = q.where else { Issue.record("expected IN"); return }
        let numbers = list.compactMap { if case .number(let n) = $0 { n } else { nil } }
        #expect(numbers.map(\.text) == ["0", "42", "-7", "3.25", "1e3", "2E-2", "12345678901234567890"])
        #expect(numbers.map(\.value) == [0, 42, -7, 3.25, 1000, 0.02, 1.2345678901234567e19])
        #expect(numbers.map(\.isInteger) == [true, true, true, false, false, false, true])
    }

    @Test("unqualified names refer to the single collection even when it has an alias")
    func unqualifiedWithAlias() {
        #expect(
            parsed("SELECT * FROM DigitalTwins T WHERE $dtId = 'x' AND IS_OF_MODEL('dtmi:a:b;1')")?.where
                == .and(
                    cmp(implicit("$dtId"), .equal, str("x")), .function(.isOfModel(IsOfModel(modelId: "dtmi:a:b;1")))))
        #expect(
            parsed("SELECT * FROM RELATIONSHIPS WHERE $sourceId IN  ['A', 'B', 'C', 'D']")?.where
                == .membership(.path(implicit("$sourceId")), .in, ["A", "B", "C", "D"].map(lit)))
    }

    static let errors: [ErrorCase] = [
        ErrorCase(dt + "DT.x <> 1", .syntax, "'<>' is not an operator", column: 42),
        ErrorCase(dt + "DT.x == 1", .syntax, "use '=' for equality"),
        ErrorCase(dt + "DT.x = \"a\"", .syntax, "single quotes", column: 44),
        ErrorCase(dt + "DT.x", .syntax, "expected a comparison operator", column: 41),
        ErrorCase(
            dt + "DT.x LIKE 'a%'", .syntax,
            "expected a comparison operator (=, !=, <, <=, >, >=), IN or NIN, found 'LIKE'"),
        ErrorCase(dt + "DT.x NOT IN ['a']", .syntax, "use NIN"),
        ErrorCase(dt + "DT.x IN ('a', 'b')", .syntax, "expected '[' after IN"),
        ErrorCase(dt + "DT.x IN []", .syntax, "must not be empty"),
        ErrorCase(dt + "DT.x IN [DT.y]", .syntax, "expected a literal in the IN list"),
        ErrorCase(dt + "DT.x IN ['a' 'b']", .syntax, "expected ']' to close the IN list"),
        ErrorCase(dt + "DT.x IN (SELECT * FROM DIGITALTWINS)", .unsupported, "subqueries", column: 45),
        ErrorCase(dt + "DT.x = (SELECT * FROM DIGITALTWINS)", .unsupported, "subqueries"),
        ErrorCase(dt + "(SELECT 1)", .unsupported, "subqueries"),
        ErrorCase(dt + "DT.x = ", .syntax, "expected a value after '=': a property or a literal, found end of query"),
        ErrorCase(dt + "(DT.x = 1", .syntax, "expected ')' to close the parenthesis"),
        ErrorCase(dt + "DT.x = 1 AND", .syntax, "found end of query"),
        ErrorCase(dt + "DT.x = - 'a'", .syntax, "'-' must be followed by a number"),
        ErrorCase(dt + "FOO(DT.x)", .syntax, "unknown function 'FOO'", column: 37),
        ErrorCase(dt + "COUNT() > 1", .syntax, "unknown function 'COUNT'"),
        ErrorCase(dt + "IS_OF_MODEL(DT)", .syntax, "expected ',' after the collection in IS_OF_MODEL"),
        ErrorCase(dt + "IS_OF_MODEL(DT, DT2)", .syntax, "expected a model id string"),
        ErrorCase(dt + "IS_OF_MODEL('m', strict)", .syntax, "expected 'exact'"),
        ErrorCase(dt + "IS_OF_MODEL('m', exact, 1)", .syntax, "expected ')' to close IS_OF_MODEL("),
        ErrorCase(dt + "IS_OF_MODEL(X, 'm')", .semantic, "unknown collection 'X' in IS_OF_MODEL"),
        ErrorCase("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL(X, 'm')", .semantic, "unknown collection 'X'"),
        ErrorCase("SELECT * FROM RELATIONSHIPS WHERE IS_OF_MODEL('m')", .semantic, "FROM RELATIONSHIPS"),
        ErrorCase("SELECT * FROM RELATIONSHIPS R WHERE IS_OF_MODEL(R, 'm')", .semantic, "'R' names relationships"),
        ErrorCase(
            dt + "STARTSWITH(DT.$dtId, DT.x)", .syntax, "expected a string literal as the second argument of STARTSWITH"
        ),
        ErrorCase(dt + "CONTAINS(DT.$dtId)", .syntax, "expected ',' between the arguments of CONTAINS"),
        ErrorCase(dt + "ARRAY_CONTAINS(DT.a, null)", .syntax, "string, number or Boolean"),
        ErrorCase(dt + "ARRAY_CONTAINS(DT.a, DT.b)", .syntax, "string, number or Boolean"),
        ErrorCase(dt + "IS_DEFINED('x')", .syntax, "expected a property for IS_DEFINED"),
        ErrorCase(dt + "IS_DEFINED(DT)", .semantic, "'DT' is a collection, not a property"),
        ErrorCase(dt + "DT = 1", .semantic, "'DT' is a collection, not a property", column: 37),
        ErrorCase(dt + "DT.x = 1 DT.y = 2", .syntax, "expected end of query, found 'DT'"),
    ]

    @Test("WHERE errors", arguments: errors)
    func whereErrors(_ c: ErrorCase) { c.check() }
}
