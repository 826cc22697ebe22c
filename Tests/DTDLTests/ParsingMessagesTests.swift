import Foundation
import Testing
@testable import DTDL

@Suite struct ParsingMessagesTests {
    @Test func tableIsComplete() {
        #expect(ParsingMessages.templateCount == 254)
        #expect(ParsingMessages.knownValidationIDs.count == 255)  // plus badType
        #expect(ParsingMessages.template(for: "badType") != nil)
        #expect(ParsingMessages.template(for: "dtmi:dtdl:parsingError:badType") != nil)
    }

    @Test func rendersBadDtmiOrTerm() {
        let issue = ParsingMessages.issue(
            "badDtmiOrTerm", primaryID: "dtmi:samples:Model;1", property: "schema", value: "XXX", restriction: "3")
        #expect(issue.validationID == "dtmi:dtdl:parsingError:badDtmiOrTerm")
        #expect(issue.primaryID == "dtmi:samples:Model;1")
        #expect(issue.property == "schema")
        #expect(issue.value == "XXX")
        #expect(
            issue.cause
                == "dtmi:samples:Model;1's property 'schema' has value 'XXX' that is neither a valid DTMI reference nor a DTDL v3 term."
        )
        #expect(
            issue.action
                == "Replace the value of property 'schema' with a valid DTMI reference or a term defined by DTDL v3 -- see aka.ms/dtdl."
        )
    }

    @Test func rendersGeneratedIdsThroughTheirParent() {
        let issue = ParsingMessages.issue(
            "dtmi:dtdl:parsingError:badDtmiOrTerm", primaryID: "dtmi:ex:i:_contents:__temp;1", property: "schema",
            value: "XXX", restriction: "2", documentIndex: 1)
        #expect(
            issue.cause
                == "dtmi:ex:i;1 has 'contents' value with name 'temp' whose property 'schema' has value 'XXX' that is neither a valid DTMI reference nor a DTDL v2 term."
        )
        #expect(issue.documentIndex == 1)
    }

    @Test func rendersCountsAndLayers() {
        let issue = ParsingMessages.issue(
            "objectCountBelowMin", primaryID: "dtmi:ex:i;1", property: "schema", layer: "", counts: [0, 1])
        #expect(issue.cause == "dtmi:ex:i;1's property 'schema' has no valid value but one value is required.")
        #expect(issue.action.hasPrefix("Provide at least one value for 'schema'"))
        let plural = ParsingMessages.issue(
            "stringCountBelowMin", primaryID: "dtmi:ex:i;1", property: "p", layer: "base", counts: [1, 3])
        #expect(plural.cause == "In layer 'base', dtmi:ex:i;1's property 'p' has one value but 3 values are required.")
        let long = ParsingMessages.issue(
            "idTooLongForType", value: "dtmi:x;1", type: "Interface", counts: [128])
        #expect(long.cause.hasSuffix("length limit for this type is 128 characters."))
    }

    @Test func rendersBadType() {
        let issue = ParsingMessages.issue(
            "badType", primaryID: "dtmi:ex:i;1", secondaryID: "dtmi:ex:i:_schema;1", property: "schema",
            type: "Interface")
        #expect(issue.cause == "dtmi:ex:i;1's property 'schema' has value that does not have @type of Interface.")
    }

    @Test func unknownValidationIdGivesGenericIssue() {
        let issue = ParsingMessages.issue("noSuchThing", primaryID: "dtmi:ex:i;1", property: "p")
        #expect(issue.validationID == "dtmi:dtdl:parsingError:noSuchThing")
        #expect(issue.cause.contains("noSuchThing"))
        #expect(issue.cause.hasPrefix("dtmi:ex:i;1"))
        #expect(!issue.action.isEmpty)
    }

    @Test func missingPlaceholdersStayVisible() {
        let issue = ParsingMessages.issue("badDtmiOrTerm", primaryID: "dtmi:ex:i;1")
        #expect(issue.cause.contains("'{property}'"))
    }

    @Test func identifierPhrases() {
        #expect(IdentifierPhrase.render("_:b1", .possessive) == "_:b1's")
        #expect(IdentifierPhrase.render("_:b1", .relative) == "")
        #expect(IdentifierPhrase.render("http://x", .elective) == " 'http://x'")
        #expect(IdentifierPhrase.render("dtmi:a:b;1", .elective) == " dtmi:a:b;1")
        #expect(IdentifierPhrase.render("dtmi:a:b:_schema;1", .nominative) == "dtmi:a:b;1 has 'schema' value which")
    }

    /// Every case of the official parser's phrase tests (`dtdl-parser-tests/phrases`).
    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
    func officialPhraseCases() throws {
        let files = Fixtures.jsonFiles(under: "dtdl-parser-tests/phrases")
        #expect(files.count == 6)
        var total = 0
        for file in files {
            for c in try #require(Fixtures.load(file).arrayValue) {
                let phrase = try #require(c["phrase"]?.stringValue)
                var installed: [String: String] = [:]
                for (key, value) in try #require(c["install"]?.objectValue) {
                    installed[key] = value.stringValue
                }
                // Keys named id* are identifiers; the others are plain values.
                let ids = installed.filter { $0.key.hasPrefix("id") }
                let values = installed.filter { !$0.key.hasPrefix("id") }
                let rendered = ParsingMessages.render(phrase, values: values, identifiers: ids)
                #expect(
                    rendered == c["expect"]?.stringValue,
                    "\(file.lastPathComponent): \(c["description"]?.stringValue ?? "")")
                total += 1
            }
        }
        #expect(total == 56)
    }

    /// Every template renders without leftover placeholders when all values are given.
    @Test func everyTemplateRenders() {
        for id in ParsingMessages.knownValidationIDs {
            let issue = ParsingMessages.issue(
                id, primaryID: "dtmi:ex:a;1", secondaryID: "dtmi:ex:b;1", property: "p", auxProperty: "q", value: "v",
                type: "T", restriction: "R", transformation: "X", layer: "L", counts: [2, 3], items: [],
                violations: ["bad"])
            let text = issue.cause + issue.action
            let leftovers = text.split(separator: "{").dropFirst().map { $0.prefix { $0 != "}" } }
                .filter {
                    !["sourceName1", "sourceName2", "line1", "line2"].contains(String($0)) && !$0.hasPrefix("item")
                }
            #expect(leftovers.isEmpty, "\(id): \(leftovers)")
        }
    }
}
