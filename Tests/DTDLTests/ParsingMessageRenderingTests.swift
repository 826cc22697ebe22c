import Foundation
import Testing
@testable import DTDL

/// Users fix their files from our messages alone: every message must be fully rendered.
@Suite struct ParsingMessageRenderingTests {
    @Test func aMisspelledSchemaNamesTheElementAndTheValue() throws {
        let model = """
            {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:com:example:Thermostat;1", "@type": "Interface",
             "contents": [{"@type": "Property", "name": "mode", "schema": "strng"}]}
            """
        do {
            _ = try ModelParser.parse(texts: [model], options: .init(adtRestrictions: true))
            Issue.record("a misspelled schema must be refused")
        } catch {
            #expect(error.code == .dtdlParserError)
            #expect(error.message.contains("dtmi:com:example:Thermostat;1"), "\(error.message)")
            #expect(error.message.contains("strng"), "\(error.message)")
            #expect(!error.message.contains("{"), "\(error.message)")
        }
    }

    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
    func everyMessageOfTheOfficialInvalidCasesIsRendered() throws {
        var unrendered: [String] = []
        var checked = 0
        for file in Fixtures.jsonFiles(under: "dtdl-parser-tests/generated") {
            let testCase = try Fixtures.load(file)
            guard testCase["valid"] == .bool(false), let input = testCase["input"]?.arrayValue else { continue }
            do {
                _ = try ModelParser.parse(documents: input)
            } catch {
                for issue in error.issues {
                    checked += 1
                    let text = issue.description
                    if let open = text.firstIndex(of: "{"), text[open...].contains("}"),
                        text.range(of: #"\{[a-zA-Z]+[0-9]*(:[nper])?\}"#, options: .regularExpression) != nil
                    {
                        unrendered.append("\(file.lastPathComponent): \(text)")
                    }
                }
            }
        }
        #expect(checked > 500)
        #expect(
            unrendered.isEmpty,
            "\(unrendered.count) messages with placeholders left, e.g. \(unrendered.prefix(5).joined(separator: "\n"))")
    }
}
