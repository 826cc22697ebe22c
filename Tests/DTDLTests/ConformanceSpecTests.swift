import ADTWire
@testable import DTDL
import Testing

/// The official DTDL specification conformance cases (v2 and v3, 13,384 cases), in DTDL mode and
/// in ADT mode.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
struct ConformanceSpecTests {
    @Test("spec cases, DTDL mode", arguments: ["v2", "v3"])
    func dtdlMode(version: String) throws {
        let outcomes = try Conformance.runSpecCases(version: version, adt: false)
        #expect(outcomes.count > 6_000)
        check(outcomes, label: "spec \(version) (DTDL mode)")
    }

    @Test("spec cases, ADT mode", arguments: ["v2", "v3"])
    func adtMode(version: String) throws {
        // Every ADT-incompatible case must carry a tag whose restriction is documented.
        let index = try Fixtures.load(Fixtures.url("dtdl-spec-tests/index-\(version).json"))
        var restricted: [String: Int] = [:]
        for (file, entry) in index["files"]?.objectValue ?? JSONObject() {
            for (i, c) in (entry["cases"]?.arrayValue ?? []).enumerated() where c["adtCompatible"]?.boolValue == false {
                let tags = c["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(
                    tags.contains { KnownFailures.adtRestrictedTags[$0] != nil }, "\(version)/\(file)#\(i): \(tags)")
                if c["valid"]?.boolValue == true,
                    let tag = tags.first(where: { KnownFailures.adtRestrictedTags[$0] != nil })
                {
                    restricted[tag, default: 0] += 1
                }
            }
        }
        let outcomes = try Conformance.runSpecCases(version: version, adt: true)
        let why = restricted.sorted { $0.key < $1.key }
            .map { "\($0.value) × \(KnownFailures.adtRestrictedTags[$0.key]!)" }.joined(separator: "; ")
        check(
            outcomes,
            label: "spec \(version) (ADT mode; valid DTDL that ADT rejects on purpose, and we reject too: \(why))")
    }

    private func check(_ outcomes: [Conformance.Outcome], label: String) {
        var passed = 0
        for o in outcomes {
            if KnownFailures.specCases.contains(o.id) {
                #expect(!o.passed, "\(o.id) passes now: remove it from KnownFailures.specCases")
            } else {
                #expect(o.passed, "\(o.id): \(o.detail)")
            }
            if o.passed { passed += 1 }
        }
        let known = outcomes.filter { KnownFailures.specCases.contains($0.id) }.count
        print("\(label): \(passed)/\(outcomes.count) cases pass; \(known) known failures")
    }
}
