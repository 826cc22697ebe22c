import Foundation
import Testing
@testable import DTDL

/// The .NET DTDLParser's own cases (generated, solecisms, doc-examples): valid or invalid as
/// expected, and for invalid cases the same ValidationIDs (and PrimaryIDs where given).
/// Line numbers are not checked.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
struct ConformanceParserTests {
    /// Cases run per folder at least (those run today, less a margin for cases the official
    /// suite may drop).
    static let minimumCases = ["generated": 1_300, "solecisms": 15, "doc-examples": 90]

    @Test("parser cases", arguments: ["generated", "solecisms", "doc-examples"])
    func parserCases(folder: String) throws {
        var passed = 0, total = 0, outcomeOnly = 0
        var skipped: [String: Int] = [:]
        for url in Fixtures.jsonFiles(under: "dtdl-parser-tests/\(folder)") {
            let id = "\(folder)/\(url.lastPathComponent)"
            let c = try Fixtures.load(url)
            if let reason = Conformance.skipReason(c) {
                skipped[reason, default: 0] += 1
                continue
            }
            total += 1
            if Conformance.outcomeOnly(c) { outcomeOnly += 1 }
            let o = Conformance.runParserCase(c, id: id)
            if KnownFailures.parserCases.contains(id) {
                #expect(!o.passed, "\(id) passes now: remove it from KnownFailures.parserCases")
            } else {
                #expect(o.passed, "\(id): \(o.detail)")
            }
            if o.passed { passed += 1 }
        }
        // The folder must hold about the cases it held when this was written: a moved or
        // emptied folder fails here instead of passing with nothing run.
        let minimum = Self.minimumCases[folder] ?? 1
        #expect(total >= minimum, "\(folder): \(total) cases run, expected at least \(minimum)")
        let reasons = skipped.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: "; ")
        print(
            "parser \(folder): \(passed)/\(total) cases pass (\(outcomeOnly) layering cases by outcome only); skipped: \(reasons.isEmpty ? "none" : reasons)"
        )
    }

    /// For valid cases that list the expected object model, every expected element of a class the
    /// parser materialises exists with the same identifier, given or synthesised
    /// (`dtmi:example:someInterface:_contents:__myProp:_schema;1`).
    @Test func elementIdentifiersMatchTheObjectModel() throws {
        let classes: Set<String> = Set(ElementClass.allCases.map(\.rawValue))
        var checked = 0, schemasChecked = 0
        for url in Fixtures.jsonFiles(under: "dtdl-parser-tests/generated") {
            let c = try Fixtures.load(url)
            guard c["valid"]?.boolValue == true, let expected = c["expect"]?["elements"]?.arrayValue,
                Conformance.skipReason(c) == nil
            else { continue }
            let opts = c["options"]?.arrayValue ?? []
            let allow: Bool? =
                opts.contains(.string("AllowUndefinedExtensions"))
                ? true
                : opts.contains(.string("DisallowUndefinedExtensions")) ? false : nil
            var parser = DocumentParser(options: .init(allowUndefinedExtensions: allow))
            var documents = c["input"]?.arrayValue ?? []
            for r in c["resolution"]?.arrayValue ?? [] { documents.append(contentsOf: r["response"]?.arrayValue ?? []) }
            for (i, d) in documents.enumerated() { parser.parse(document: d, index: i) }
            var byID: [String: ParsedElement] = [:]
            for e in parser.elements { byID[e.id] = e }
            let ids = Set(byID.keys)
            for element in expected {
                // Standard elements (units, built-in schemas) are the language's, not the model's.
                guard let type = element["type"]?.stringValue, classes.contains(type),
                    let id = element["id"]?.stringValue,
                    !IdentifierSyntax.isReserved(id)
                else { continue }
                checked += 1
                #expect(ids.contains(id), "\(url.lastPathComponent): no element \(id) (\(type))")
                guard let parsed = byID[id], let props = element["properties"]?.objectValue else { continue }
                if let name = props["name"]?.stringValue {
                    #expect(parsed.name == name, "\(url.lastPathComponent): \(id) name")
                }
                if let schema = props["schema"]?.stringValue, let ref = parsed.children["schema"]?.first {
                    let actual = Self.referenceID(ref, version: parsed.version)
                    #expect(actual == schema, "\(url.lastPathComponent): \(id) schema \(actual) != \(schema)")
                    schemasChecked += 1
                }
            }
        }
        #expect(checked > 500)
        print("parser object model: \(checked) element identifiers and \(schemasChecked) schema references checked")
    }

    /// The identifier the .NET object model gives a schema reference: standard schemas are
    /// `dtmi:dtdl:instance:Schema:<name>;2` in v3 too, geospatial ones carry the element's version,
    /// unit enums are the QuantitativeTypes enum ids.
    static func referenceID(_ r: Reference, version: Int) -> String {
        switch r {
        case .element(let e): return e.id
        case .id(let s): return s
        case .builtin(let t):
            switch t {
            case "point", "multiPoint", "lineString", "multiLineString", "polygon", "multiPolygon":
                return "dtmi:standard:schema:geospatial:\(t);\(version)"
            case "vector", "geopoint": return "dtmi:iotcentral:schema:\(t);2"
            default:
                if let unitEnum = DTDLContexts.terms(of: "dtmi:dtdl:extension:quantitativeTypes;1")?[t] {
                    return unitEnum
                }
                return "dtmi:dtdl:instance:Schema:\(t);2"
            }
        }
    }
}
