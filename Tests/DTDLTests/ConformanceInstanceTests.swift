import ADTWire
@testable import DTDL
import Foundation
import Testing

/// The official parser's instance-value cases (`instances` in dtdl-parser-tests/generated):
/// each case's models are parsed with our parser, then every submitted value is checked against
/// the subject schema with our `SchemaValidator` and must conform exactly when the case says so.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
struct ConformanceInstanceTests {
    struct Outcome {
        var checked = 0
        var failures: [String] = []
        var skipped: [String: Int] = [:]
    }

    @Test func instanceValuesConformAsTheOfficialParserSays() throws {
        var outcome = Outcome()
        for file in Fixtures.jsonFiles(under: "dtdl-parser-tests/generated") {
            let testCase = try Fixtures.load(file)
            guard let instances = testCase["instances"]?.arrayValue, testCase["valid"] == .bool(true) else { continue }
            let name = file.lastPathComponent
            let options = testCase["options"]?.arrayValue ?? []
            let allow: Bool? =
                options.contains(.string("AllowUndefinedExtensions"))
                ? true : options.contains(.string("DisallowUndefinedExtensions")) ? false : nil
            let documents = testCase["input"]?.arrayValue ?? []
            let graph: ModelGraph
            do {
                graph = try ModelParser.parse(documents: documents, options: .init(allowUndefinedExtensions: allow))
            } catch {
                outcome.failures.append("\(name): the models do not parse: \(error)")
                continue
            }
            for instance in instances {
                guard let subject = instance["subject"]?.stringValue, let submit = instance["submit"]?.stringValue
                else { continue }
                if instance["throws"] == .bool(true) {
                    // The official parser refuses to validate a value against this element (it is
                    // not a schema, e.g. a Command): we must find no schema for it either.
                    outcome.checked += 1
                    if Self.schema(subject, in: graph) != nil {
                        outcome.failures.append("\(name): \(subject) is not a schema, yet one was found")
                    }
                    continue
                }
                guard let conforms = instance["conforms"]?.boolValue, let schema = Self.schema(subject, in: graph)
                else {
                    outcome.skipped["subject without a schema", default: 0] += 1
                    outcome.failures.append("\(name): no schema found for \(subject)")
                    continue
                }
                outcome.checked += 1
                let actual = (try? JSONParser.parse(submit)).map { SchemaValidator().conforms($0, to: schema) } ?? false
                if actual != conforms {
                    outcome.failures.append("\(name): \(subject) <- \(submit): expected conforms=\(conforms)")
                }
            }
        }
        let skipped = outcome.skipped.map { "\($0.value) (\($0.key))" }.joined(separator: ", ")
        print(
            "instance cases: \(outcome.checked - outcome.failures.count) of \(outcome.checked) pass; skipped: \(skipped.isEmpty ? "none" : skipped)"
        )
        #expect(outcome.checked > 800)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.joined(separator: "\n"))")
    }

    /// The schema an instance subject names: a standard primitive schema, an identified complex
    /// schema, or the schema of an identified Property, Field or Telemetry.
    static func schema(_ subject: String, in graph: ModelGraph) -> Schema? {
        if let primitive = DTDLContexts.standardElement(id: subject)?.primitiveSchema { return .primitive(primitive) }
        if let schema = graph.schemas[subject] { return schema }
        return nil
    }
}
