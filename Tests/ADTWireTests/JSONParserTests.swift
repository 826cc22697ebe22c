import Testing
@testable import ADTWire

@Suite struct JSONParserTests {
    @Test func parsesWithByteOrderMarkAndKeepsOrder() throws {
        let v = try JSONParser.parse(
            "\u{FEFF}{\"b\": [1, 2.5, \"x\\u00e9\\ud83d\\ude00\", null, true], \"a\": {\"c\": -12}}")
        #expect(v["b"]?.arrayValue?.count == 5)
        #expect(v.objectValue?.keys == ["b", "a"])
        #expect(JSONWriter.string(v) == "{\"b\":[1,2.5,\"xé😀\",null,true],\"a\":{\"c\":-12}}")
    }

    @Test func distinguishesIntegersFromDoubles() throws {
        #expect(try JSONParser.parse("42") == .integer(42))
        #expect(try JSONParser.parse("42.0") == .double(42))
        #expect(try JSONParser.parse("1e2") == .double(100))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(JSONWriter.string(.double(42)) == "42.0")
    }

    @Test(arguments: [
        "{\"a\":01}", "[1,]", "{\"a\" 1}", "\"\\x\"", "\"\\ud800\"", "[1] 2", "", "{\"a\":\"\u{01}\"}", "nul",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func objectsCompareIgnoringOrderAndEscapeOnWrite() throws {
        #expect(try JSONParser.parse("{\"a\":1,\"b\":2}") == JSONParser.parse("{\"b\":2,\"a\":1}"))
        #expect(JSONWriter.string(.string("q\"\\\n\u{01}")) == "\"q\\\"\\\\\\n\\u0001\"")
    }

    @Test func largeObjectsKeepLookupAndOrder() {
        var o = JSONObject()
        for i in 0..<40 { o["k\(i)"] = .integer(Int64(i)) }
        o["k3"] = nil
        o["k5"] = .string("x")
        #expect(o.count == 39)
        #expect(o["k39"] == .integer(39))
        #expect(o["k3"] == nil)
        #expect(o.keys[4] == "k5")
    }
}
