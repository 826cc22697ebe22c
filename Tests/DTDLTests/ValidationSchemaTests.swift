import ADTWire
@testable import DTDL
import Testing

/// Complex schemas, mirroring the DTDLParser `ArrayV3`, `EnumIntV3`, `EnumStringV3`, `MapV3`,
/// `ObjectV3` and `MixedComplexSchemaV3` instance cases.
@Suite struct ValidationSchemaTests {
    let validator = SchemaValidator()

    func check(_ schema: Schema, _ cases: [(String, Bool)], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (text, conforms) in cases {
            let value = try JSONParser.parse(text)
            let violation = validator.violation(of: value, against: schema)
            #expect(
                (violation == nil) == conforms, "\(text): \(violation?.description ?? "conforms")",
                sourceLocation: sourceLocation)
        }
    }

    @Test func arrayOfDouble() throws {
        let schema = Schema.array(ArraySchema(id: "dtmi:test:doubleArray;1", elementSchema: .primitive(.double)))
        try check(
            schema,
            [
                ("[ 2, 3.14, 555 ]", true), ("[ 3.14 ]", true), ("[ ]", true), ("[ 2, \"hi\", 555 ]", false),
                ("[ 2, true, 555 ]", false), ("true", false), ("\"[ 2, 3.14, 555 ]\"", false), ("3.14", false),
                ("null", false), ("{ \"value\": [ 2, 3.14, 555 ] }", false),
            ])
        #expect(validator.violation(of: try JSONParser.parse("[1, \"x\"]"), against: schema)?.path == ["1"])
    }

    @Test func integerEnum() throws {
        let schema = Schema.enumeration(ValidationModels.statusEnum)
        try check(
            schema,
            [
                ("0", true), ("1", true), ("2", false), ("1.0", false), ("\"1\"", false), ("null", false),
                ("[ 1 ]", false),
            ])
        let violation = validator.violation(of: .string("on"), against: schema)
        #expect(
            violation?.problem
                == "expects one of the values of Enum dtmi:test:Everything:status;1 (0, 1) but got string \"on\"")
    }

    @Test func stringEnum() throws {
        let schema = Schema.enumeration(
            EnumSchema(
                id: "dtmi:test:stringEnum;1", valueSchema: .string,
                values: [EnumValue(name: "near", enumValue: "west"), EnumValue(name: "far", enumValue: "east")]))
        try check(
            schema,
            [
                ("\"west\"", true), ("\"east\"", true), ("\"north\"", false), ("\"near\"", false), ("1", false),
                ("true", false),
            ])
    }

    @Test func mapOfDouble() throws {
        let schema = ValidationModels.everything.properties["distances"]!.schema
        try check(
            schema,
            [
                ("{ \"home\": 3.14, \"office\": 6.28 }", true), ("{ \"home\": true, \"office\": 6.28 }", false),
                ("{ \"home\": 3.14, \"office\": \"6.28\" }", false), ("{ }", true),
                ("{ \"home\": 3.14, \"office\": 6.28, \"gym\": 9.42 }", true),
                ("{ \"home\": 3.14, \"office\": null }", false),
                ("[ { \"home\": 3.14 } ]", false), ("3.14", false), ("null", false),
            ])
        #expect(
            validator.violation(of: try JSONParser.parse("{\"a/b\": 1, \"c\": \"x\"}"), against: schema)?.pointer
                == "/c")
    }

    @Test func mapKeysAreCapped() throws {
        let schema = ValidationModels.everything.properties["distances"]!.schema
        let capped = SchemaValidator(maxKeyBytes: 3)
        #expect(capped.conforms(try JSONParser.parse("{\"abc\": 1}"), to: schema))
        #expect(
            capped.violation(of: try JSONParser.parse("{\"abcd\": 1}"), against: schema)?.reason
                == .nameTooLong(byteCount: 4, limit: 3))
    }

    @Test func objectFieldsOptionalUndeclaredRejected() throws {
        let schema = Schema.object(ValidationModels.coordinates)
        try check(
            schema,
            [
                ("{ \"latitude\": 3.14, \"longitude\": 6.28 }", true),
                ("{ \"latitude\": true, \"longitude\": 6.28 }", false),
                ("{ \"longitude\": 3.14, \"latitude\": 6.28 }", true), ("{ \"latitude\": 3.14 }", true), ("{ }", true),
                ("{ \"latitude\": 3.14, \"longitude\": 6.28, \"altitude\": 9.42 }", false),
                ("{ \"latitude\": 3.14, \"longitude\": null }", false), ("[ { \"latitude\": 3.14 } ]", false),
                ("null", false),
            ])
        let violation = validator.violation(of: try JSONParser.parse("{\"altitude\": 1}"), against: schema)
        #expect(violation?.reason == .undeclaredField("altitude"))
        #expect(violation?.pointer == "/altitude")
    }

    @Test func mixedComplexSchema() throws {
        try check(
            ValidationModels.deepSchema,
            [
                ("[ { \"myField\": { \"myField\": { \"myField\": [ 2, 3.14, 555 ] } } } ]", true),
                (
                    "[ { \"myField\": { \"myField\": { \"myField\": [ 2, 3.14 ] } } }, { \"myField\": { \"myField\": { \"myField\": [ 555 ] } } } ]",
                    true
                ),
                ("[ { \"myField\": { \"myField\": { \"myField\": [ 2, \"hi\", 555 ] } } } ]", false),
                ("[ { \"myField\": { \"myField\": { \"myField\": [ 2, null, 555 ] } } } ]", false),
                ("{ \"myField\": { \"myField\": { \"myField\": { \"myField\": [ 2, 3.14, 555 ] } } } }", false),
                ("[ { \"myField\": { \"myField\": { \"myField\": { \"myField\": 3.14 } } } } ]", false),
                ("[ { \"myField\": [ { \"myField\": [ 2, 3.14, 555 ] } ] } ]", false),
                ("[ { \"myField\": { \"myField\": { \"myField\": [ ] } } } ]", true),
                ("[ { \"myField\": { \"myField\": { } } } ]", true), ("[ { \"myField\": { } } ]", true),
                ("[ { } ]", true),
                ("[ ]", true), ("true", false), ("3.14", false), ("null", false),
            ])
        let value = try JSONParser.parse("[{\"myField\": {\"k/1\": {\"myField\": [1, \"x\"]}}}]")
        #expect(
            validator.violation(of: value, against: ValidationModels.deepSchema)?.pointer == "/0/myField/k~11/myField/1"
        )
    }

    @Test func pointerParsingAndEscaping() {
        #expect(JSONPointer(parsing: "")?.tokens == [])
        #expect(JSONPointer(parsing: "/")?.tokens == [""])
        #expect(JSONPointer(parsing: "/a~1b/c~0d/~01")?.tokens == ["a/b", "c~d", "~1"])
        #expect(JSONPointer(parsing: "a/b") == nil)
        #expect(JSONPointer(parsing: "/a~2") == nil)
        #expect(JSONPointer(parsing: "/a~") == nil)
        #expect(JSONPointer(tokens: ["a/b", "c~d"]).description == "/a~1b/c~0d")
    }
}
