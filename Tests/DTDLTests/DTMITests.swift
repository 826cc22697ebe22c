import Foundation
import Testing
@testable import DTDL

@Suite struct DTMITests {
    @Test func parsesComponents() throws {
        let id = try #require(DTMI("dtmi:com:example:Thermostat;12.34#frag"))
        #expect(id.labels == ["com", "example", "Thermostat"])
        #expect(id.majorVersion == 12)
        #expect(id.minorVersion == 34)
        #expect(id.completeVersion == 12.000034)
        #expect(id.fragment == "frag")
        #expect(id.versionless == "dtmi:com:example:Thermostat#frag")
        #expect(id.fragmentless.rawValue == "dtmi:com:example:Thermostat;12.34")
        #expect(!id.isReserved)
        #expect(id.description == "dtmi:com:example:Thermostat;12.34#frag")
    }

    @Test func withoutVersion() throws {
        let id = try #require(DTMI("dtmi:foo:bar"))
        #expect(id.majorVersion == nil && id.minorVersion == nil && id.completeVersion == nil)
        #expect(id.versionless == "dtmi:foo:bar")
        #expect(id.fragment == nil)
    }

    @Test(arguments: [
        "dtmi:", "dtmi:;1", "dtmi:foo::bar;1", "dtmi:1foo;1", "dtmi:foo_;1", "dtmi:foo;0", "dtmi:foo;01",
        "dtmi:foo;1.0", "dtmi:foo;1.01", "dtmi:foo;1234567890", "dtmi:foo;1.1234567", "dtmi:foo;", "dtmi:foo;1a",
        "DTMI:foo;1", "urn:foo:bar", "dtmi:foo;1#bar.baz", "dtmi:foo;1#1x", "dtmi:foo:_;1", "dtmi:foo bar;1",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(DTMI(text) == nil)
    }

    @Test func reservedAndPrefixes() throws {
        #expect(try #require(DTMI("dtmi:ex:parent:_contents:__child;1")).isReserved)
        #expect(try #require(DTMI("dtmi:ex:thing;1#_x")).isReserved)
        #expect(try #require(DTMI("dtmi:dtdl:class:Interface;2")).hasDTDLReservedPrefix)
        #expect(try #require(DTMI("dtmi:standard:unit:metre;2")).hasDTDLReservedPrefix)
        #expect(!(try #require(DTMI("dtmi:dtdlx:a;1")).hasDTDLReservedPrefix))
    }

    @Test func lengthLimits() {
        let user = "dtmi:" + String(repeating: "a", count: DTMI.maxUserLength - 7) + ";1"
        #expect(user.count == DTMI.maxUserLength)
        #expect(DTMI(user) != nil)
        let tooLong = "dtmi:a" + user.dropFirst(5)
        #expect(DTMI(tooLong) == nil)
        #expect(DTMI(tooLong, enforcingLengthLimits: false) != nil)
        let system = "dtmi:_" + user.dropFirst(5)
        #expect(DTMI(system) != nil)
    }

    @Test func comparesAndHashesByText() throws {
        let a = try #require(DTMI("dtmi:a;1"))
        let b = try #require(DTMI("dtmi:b;1"))
        #expect(a < b)
        #expect(Set([a, b, try #require(DTMI("dtmi:a;1"))]).count == 2)
    }

    @Test func dtdlIdentifierRules() throws {
        #expect(DTDLIdentifierRules.v2.maxIdLength == 2048)
        #expect(DTDLIdentifierRules.v3.maxInterfaceIdLength == 128)
        #expect(DTDLIdentifierRules.v2.requiresVersion && !DTDLIdentifierRules.v3.requiresVersion)
        #expect(!DTDLIdentifierRules.v2.allowsMinorVersion && DTDLIdentifierRules.v3.allowsMinorVersion)
        #expect(DTDLIdentifierRules.v2.allowsUndefinedExtensionsByDefault)
        #expect(!DTDLIdentifierRules.v3.allowsUndefinedExtensionsByDefault)
        #expect(DTDLIdentifierRules.v3.maxInterfaceBytes == 1_048_576)
        #expect(DTDLIdentifierRules.v3.reservedPrefixes == ["dtmi:dtdl:", "dtmi:standard:"])
        let twoPart = try #require(DTMI("dtmi:ex:a;1.2"))
        #expect(!DTDLIdentifierRules.v2.accepts(twoPart) && DTDLIdentifierRules.v3.accepts(twoPart))
        let unversioned = try #require(DTMI("dtmi:ex:a"))
        #expect(!DTDLIdentifierRules.v2.accepts(unversioned) && DTDLIdentifierRules.v3.accepts(unversioned))
        let long = try #require(DTMI("dtmi:" + String(repeating: "a", count: 122) + ";1"))
        #expect(long.rawValue.count == 129)
        #expect(!DTDLIdentifierRules.v3.accepts(long, isInterface: true) && DTDLIdentifierRules.v3.accepts(long))
    }

    /// Every case of the official parser's DTMI tests (`dtdl-parser-tests/dtmis`).
    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
    func officialCases() throws {
        let files = Fixtures.jsonFiles(under: "dtdl-parser-tests/dtmis")
        #expect(files.count >= 34)
        for file in files {
            let name = file.lastPathComponent
            let c = try Fixtures.load(file)
            let text = try #require(c["idText"]?.stringValue, "\(name)")
            let valid = c["valid"]?.boolValue ?? false
            let id = DTMI(text)
            #expect((id != nil) == valid, "\(name): \(text)")
            guard valid, let id, let expect = c["expect"] else { continue }
            #expect(Double(id.majorVersion ?? 0) == expect["MajorVersion"]?.numberValue, "\(name)")
            #expect(Double(id.minorVersion ?? 0) == expect["MinorVersion"]?.numberValue, "\(name)")
            let complete = try #require(expect["CompleteVersion"]?.numberValue)
            #expect(abs((id.completeVersion ?? 0) - complete) < 1e-9, "\(name)")
            #expect(id.versionless == expect["Versionless"]?.stringValue, "\(name)")
            #expect(id.labels == expect["Labels"]?.arrayValue?.compactMap(\.stringValue), "\(name)")
            #expect(id.isReserved == expect["IsReserved"]?.boolValue, "\(name)")
            #expect((id.fragment.map { "#" + $0 } ?? "") == expect["Fragment"]?.stringValue, "\(name)")
        }
    }

    /// The identifier rules match the metamodel's and the spec tests' Interface id limit.
    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
    func interfaceIdLimitMatchesSpecTests() throws {
        for (version, rules) in [(2, DTDLIdentifierRules.v2), (3, DTDLIdentifierRules.v3)] {
            let file = Fixtures.url("dtdl-spec-tests/v\(version)/Requirement-ClassInterfaceIdLongV\(version).json")
            let cases = try #require(Fixtures.load(file).arrayValue)
            for c in cases {
                let id = try #require(
                    c["input"]?.arrayValue?.first?["@id"]?.stringValue ?? c["input"]?["@id"]?.stringValue)
                let dtmi = try #require(DTMI(id))
                #expect(rules.accepts(dtmi, isInterface: true) == c["valid"]?.boolValue)
            }
        }
    }
}
