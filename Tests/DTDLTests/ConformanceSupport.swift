import ADTWire
@testable import DTDL
import Foundation

/// Runs the official DTDL test cases through `ModelParser` and says, per case, whether the
/// outcome is the expected one. Shared by the conformance suites.
enum Conformance {
    /// The outcome of one case.
    struct Outcome {
        /// The case id, e.g. `v3/Requirement-Foo.json#3` or `generated/BarV2.json`.
        let id: String
        /// Whether the parser did what the case expects.
        let passed: Bool
        /// What happened, for failure messages.
        let detail: String
    }

    // MARK: Spec tests (dtdl-spec-tests/v2, v3)

    /// Every spec case of a version folder, run with one configuration (max version 3, the case's
    /// option). In ADT mode, a case must be rejected when its index entry says `adtCompatible: false`
    /// and otherwise have its DTDL outcome.
    static func runSpecCases(version: String, adt: Bool) throws -> [Outcome] {
        var index: JSONValue?
        if adt {
            index = try Fixtures.load(Fixtures.url("dtdl-spec-tests/index-\(version).json"))
        }
        var out: [Outcome] = []
        for url in Fixtures.jsonFiles(under: "dtdl-spec-tests/\(version)") {
            let file = url.lastPathComponent
            guard let cases = try Fixtures.load(url).arrayValue else { continue }
            let meta = index?["files"]?[file]?["cases"]?.arrayValue
            for (i, c) in cases.enumerated() {
                let id = "\(version)/\(file)#\(i)"
                let allow = c["options"]?.arrayValue?.contains(.string("AllowUndefinedExtensions")) ?? false
                var valid = c["valid"]?.boolValue ?? false
                let options = ModelParser.Options(
                    allowUndefinedExtensions: allow, maxDTDLVersion: 3, adtRestrictions: adt)
                let expectedUnresolved = c["expect"]?["unresolvedIdentifiers"]?.arrayValue?.compactMap(\.stringValue)
                var checkUnresolved = !adt
                if adt, let m = meta?[i], m["adtCompatible"]?.boolValue == false {
                    valid = false
                    checkUnresolved = false
                }
                do {
                    _ = try ModelParser.parse(documents: c["input"]?.arrayValue ?? [], options: options)
                    out.append(Outcome(id: id, passed: valid, detail: "accepted"))
                } catch {
                    var passed = !valid
                    if passed, checkUnresolved, let expectedUnresolved {
                        passed =
                            Set(error.unresolvedIdentifiers) == Set(expectedUnresolved)
                            && error.unresolvedIdentifiers.count == expectedUnresolved.count
                    }
                    out.append(Outcome(id: id, passed: passed, detail: error.description))
                }
            }
        }
        return out
    }

    // MARK: Parser tests (dtdl-parser-tests/generated, solecisms, doc-examples)

    /// Why a parser case is not run, or nil to run it. Every reason is listed, with its feature,
    /// in `KnownFailures.skippedParserFeatures`: a case that requires a context not listed there
    /// runs (and fails if the parser lacks the feature).
    static func skipReason(_ c: JSONValue) -> String? {
        for required in c["requiredContexts"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            if let reason = KnownFailures.skippedParserFeatures.first(where: {
                $0.key.hasPrefix("dtmi:") && required.hasPrefix($0.key)
            })?.value {
                return reason
            }
        }
        if let quirks = c["quirks"]?.arrayValue, !quirks.isEmpty {
            return KnownFailures.skippedParserFeatures["quirks"]
        }
        let text = JSONWriter.string(c["input"] ?? .null)
        for (marker, reason) in KnownFailures.skippedParserFeatures.sorted(by: { $0.key < $1.key })
        where marker.hasPrefix("dtmi:") && text.contains(marker) && !outcomeOnly(c) {
            // A valid case that uses DTDL v4 features is out of scope; invalid ones must still fail.
            if marker.hasPrefix("dtmi:dtdl:context;4") || marker.hasPrefix("dtmi:dtdl:extension:quantitativeTypes;") {
                if c["valid"]?.boolValue == true { return reason }
            } else {
                return reason
            }
        }
        return nil
    }

    /// Whether only the outcome (valid or invalid) of a case is compared, not its ValidationIDs:
    /// cases of features the parser rejects as a whole (layering), which are all invalid.
    static func outcomeOnly(_ c: JSONValue) -> Bool {
        JSONWriter.string(c["input"] ?? .null).contains("dtmi:dtdl:extension:layering;")
            && c["valid"]?.boolValue == false
    }

    /// Runs one parser case: valid/invalid as expected; for invalid cases the reported
    /// As the official harness (`ParserUnitTester.CheckException`) judges them: at least one
    /// error, and every reported error matches an entry of `expect.parsingErrors` by
    /// ValidationID and PrimaryID. An expected entry need not be reported (the official cases
    /// rely on this: identical inputs list different optional follow-on errors). Where the
    /// official parser reports no PrimaryID (`null`), ours may name the element (users are told
    /// which element to fix); secondary fields and line positions are not compared.
    /// Canned `resolution` responses are parsed with the input, as if the resolver had supplied them.
    static func runParserCase(_ c: JSONValue, id: String) -> Outcome {
        let valid = c["valid"]?.boolValue ?? false
        let opts = c["options"]?.arrayValue ?? []
        var allow: Bool?
        if opts.contains(.string("AllowUndefinedExtensions")) { allow = true }
        if opts.contains(.string("DisallowUndefinedExtensions")) { allow = false }
        var options = ModelParser.Options(allowUndefinedExtensions: allow, maxDTDLVersion: 3)
        if case .integer(let m)? = c["maxDtdlVersion"] { options.maxDTDLVersion = Int(m) }
        var documents = c["input"]?.arrayValue ?? []
        for r in c["resolution"]?.arrayValue ?? [] {
            documents.append(contentsOf: r["response"]?.arrayValue ?? [])
        }
        do {
            _ = try ModelParser.parse(documents: documents, options: options)
            return Outcome(id: id, passed: valid, detail: "accepted")
        } catch {
            guard !valid else { return Outcome(id: id, passed: false, detail: error.description) }
            if outcomeOnly(c) { return Outcome(id: id, passed: true, detail: "rejected") }
            let actual = error.issues.map { "\(short($0.validationID))[\($0.primaryID ?? "-")]" }.joined(separator: " ")
            if let expected = c["expect"]?["parsingErrors"]?.arrayValue {
                let eachActual = error.issues.allSatisfy { a in expected.contains { matches(a, $0) } }
                let wanted = expected.map {
                    "\(short($0["ValidationID"]?.stringValue ?? ""))[\($0["PrimaryID"]?.stringValue ?? "-")]"
                }.joined(separator: " ")
                return Outcome(
                    id: id, passed: eachActual && !error.issues.isEmpty,
                    detail: "reported \(actual); expected \(wanted)")
            }
            if let ids = c["expect"]?["unresolvedIdentifiers"]?.arrayValue?.compactMap(\.stringValue) {
                return Outcome(
                    id: id, passed: Set(ids) == Set(error.unresolvedIdentifiers),
                    detail: "unresolved \(error.unresolvedIdentifiers); expected \(ids)")
            }
            return Outcome(id: id, passed: true, detail: actual)
        }
    }

    /// Whether a reported issue matches an expected error entry: same ValidationID, and the
    /// same PrimaryID where the entry names one.
    static func matches(_ issue: ParsingIssue, _ entry: JSONValue) -> Bool {
        guard entry["ValidationID"]?.stringValue == issue.validationID else { return false }
        guard let primary = entry["PrimaryID"]?.stringValue else { return true }
        return primary == issue.primaryID
    }

    private static func short(_ validationID: String) -> Substring {
        validationID.split(separator: ":").last ?? Substring(validationID)
    }
}
