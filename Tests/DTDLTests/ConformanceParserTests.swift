import Foundation
import Testing
@testable import DTDL

/// The .NET DTDLParser's own cases (generated, solecisms, doc-examples): valid or invalid as
/// expected, and for invalid cases the same ValidationIDs (and PrimaryIDs where given).
/// Line numbers are not checked.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
struct ConformanceParserTests {
    @Test("parser cases", arguments: ["generated", "solecisms", "doc-examples"])
    func parserCases(folder: String) throws {
        var passed = 0, total = 0
        var skipped: [String: Int] = [:]
        for url in Fixtures.jsonFiles(under: "dtdl-parser-tests/\(folder)") {
            let id = "\(folder)/\(url.lastPathComponent)"
            let c = try Fixtures.load(url)
            if let reason = Conformance.skipReason(c) {
                skipped[reason, default: 0] += 1
                continue
            }
            total += 1
            let o = Conformance.runParserCase(c, id: id)
            if KnownFailures.parserCases.contains(id) {
                #expect(!o.passed, "\(id) passes now: remove it from KnownFailures.parserCases")
            } else {
                #expect(o.passed, "\(id): \(o.detail)")
            }
            if o.passed { passed += 1 }
        }
        let reasons = skipped.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: "; ")
        print("parser \(folder): \(passed)/\(total) cases pass; skipped: \(reasons.isEmpty ? "none" : reasons)")
    }
}
