import Foundation
import Testing
@testable import DTDL

/// Hand-written models that exercise the parser and resolver without the shared fixtures.
@Suite struct ParserTests {
    private func parse(_ texts: String..., options: ModelParser.Options = .init(), existing: ModelGraph? = nil)
        throws(DTDLError) -> ModelGraph
    {
        try ModelParser.parse(texts: texts, options: options, existing: existing)
    }

    private func issues(_ texts: String..., options: ModelParser.Options = .init()) -> DTDLError? {
        do {
            _ = try ModelParser.parse(texts: texts, options: options)
            return nil
        } catch {
            return error
        }
    }

    static let base = """
        {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Base;1", "@type": "Interface",
         "displayName": "Base",
         "contents": [
           {"@type": "Property", "name": "serial", "schema": "string"},
           {"@type": "Relationship", "name": "feeds", "target": "dtmi:ex:Base;1",
            "properties": [{"@type": "Property", "name": "weight", "schema": "double"}]}
         ]}
        """

    @Test func resolvesInheritanceComponentsAndSchemas() throws {
        let room = """
            [{"@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;1"],
              "@id": "dtmi:ex:Room;1", "@type": "Interface", "extends": "dtmi:ex:Base;1",
              "displayName": {"en": "Room", "fr": "Pièce"},
              "schemas": [{"@id": "dtmi:ex:Mode;1", "@type": "Enum", "valueSchema": "string",
                           "enumValues": [{"name": "eco", "enumValue": "eco"}, {"name": "on", "enumValue": "on"}]}],
              "contents": [
                {"@type": ["Property", "Temperature"], "name": "setpoint", "schema": "double", "unit": "degreeCelsius", "writable": true},
                {"@type": "Property", "name": "setpointUnit", "schema": "TemperatureUnit"},
                {"@type": "Property", "name": "mode", "schema": "dtmi:ex:Mode;1"},
                {"@type": "Property", "name": "zones", "schema": {"@type": "Map",
                   "mapKey": {"name": "zone", "schema": "string"},
                   "mapValue": {"name": "area", "schema": {"@type": "Array", "elementSchema": "double"}}}},
                {"@type": "Telemetry", "name": "co2", "schema": "double"},
                {"@type": "Component", "name": "thermostat", "schema": "dtmi:ex:Thermostat;1"}
              ]},
             {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Thermostat;1", "@type": "Interface",
              "contents": [{"@type": "Property", "name": "on", "schema": "boolean"}]}]
            """
        let g = try parse(Self.base, room)
        let m = try #require(g["dtmi:ex:Room;1"])
        #expect(m.allBases == ["dtmi:ex:Base;1"])
        #expect(Set(m.properties.keys) == ["serial", "setpoint", "setpointUnit", "mode", "zones"])
        #expect(m.properties["setpoint"]?.writable == true)
        #expect(m.relationships["feeds"]?.target == "dtmi:ex:Base;1")
        #expect(m.relationships["feeds"]?.properties["weight"] != nil)
        #expect(m.components["thermostat"]?.schema == "dtmi:ex:Thermostat;1")
        #expect(m.displayName["fr"] == "Pièce")
        #expect(g.model("dtmi:ex:Room;1", isOrDerivesFrom: "dtmi:ex:Base;1"))
        guard case .enumeration(let mode)? = m.properties["mode"]?.schema else {
            Issue.record("mode is not an Enum")
            return
        }
        #expect(mode.values.map(\.name) == ["eco", "on"])
        guard case .map(let zones)? = m.properties["zones"]?.schema, case .array(let area) = zones.valueSchema else {
            Issue.record("zones is not a Map of Arrays")
            return
        }
        // Anonymous elements get the .NET parser's synthesised ids.
        #expect(area.id == "dtmi:ex:Room:_contents:__zones:_schema:_mapValue:_schema;1")
        guard case .enumeration(let units)? = m.properties["setpointUnit"]?.schema else {
            Issue.record("TemperatureUnit is not an Enum schema")
            return
        }
        #expect(units.values.contains { $0.enumValue == .string("degreeCelsius") })
    }

    @Test func reportsExactlyTheUnresolvedIdentifiers() {
        let e = issues(
            """
            {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:ex:A;1", "@type": "Interface",
             "extends": ["dtmi:ex:Missing;1", "dtmi:ex:B;1"],
             "contents": [{"@type": "Component", "name": "c", "schema": "dtmi:ex:Gone;1"}]}
            """,
            """
            {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:ex:B;1", "@type": "Interface"}
            """)
        #expect(e?.code == .dtdlParserError)
        #expect(Set(e?.unresolvedIdentifiers ?? []) == ["dtmi:ex:Missing;1", "dtmi:ex:Gone;1"])
    }

    @Test func aRejectedDefinitionIsNotAlsoReportedUnresolved() throws {
        let e = try #require(
            issues(
                """
                [{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:A;1", "@type": "Interface", "extends": "dtmi:ex:B;1"},
                 {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:B;1", "@type": "Interfaze"}]
                """))
        #expect(e.unresolvedIdentifiers.isEmpty)
        #expect(!e.issues.isEmpty)
    }

    @Test func existingModelsSatisfyReferences() throws {
        let first = try parse(Self.base)
        let g = try parse(
            """
            {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Child;1", "@type": "Interface", "extends": "dtmi:ex:Base;1"}
            """, existing: first)
        #expect(g.interfaces.count == 2)
        #expect(g["dtmi:ex:Child;1"]?.properties["serial"] != nil)
    }

    @Test func diamondInheritanceAcrossBatchesIsNotAClash() throws {
        let first = try parse(
            Self.base,
            """
            [{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Left;1", "@type": "Interface", "extends": "dtmi:ex:Base;1"},
             {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Right;1", "@type": "Interface", "extends": "dtmi:ex:Base;1"}]
            """)
        let g = try parse(
            """
            {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Both;1", "@type": "Interface",
             "extends": ["dtmi:ex:Left;1", "dtmi:ex:Right;1"]}
            """, existing: first)
        #expect(g["dtmi:ex:Both;1"]?.allBases == ["dtmi:ex:Left;1", "dtmi:ex:Right;1", "dtmi:ex:Base;1"])
        #expect(g["dtmi:ex:Both;1"]?.properties["serial"] != nil)
    }

    @Test func rejectsRedeclaredInheritedNames() {
        let e = issues(
            Self.base,
            """
            {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Child;1", "@type": "Interface", "extends": "dtmi:ex:Base;1",
             "contents": [{"@type": "Telemetry", "name": "serial", "schema": "string"}]}
            """)
        #expect(e?.issues.map(\.validationID) == ["dtmi:dtdl:parsingError:nonUniqueImportedPropertyValue"])
        #expect(e?.message.contains("serial") == true)
    }

    @Test func rejectsCyclesAndDeepHierarchies() {
        let cycle = issues(
            """
            [{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:A;1", "@type": "Interface", "extends": "dtmi:ex:B;1"},
             {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:B;1", "@type": "Interface", "extends": "dtmi:ex:A;1"}]
            """)
        #expect(cycle?.issues.contains { $0.validationID.hasSuffix("recursiveStructureNarrow") } == true)
        var chain: [String] = []
        for i in 0...11 {
            let ext = i == 0 ? "" : ", \"extends\": \"dtmi:ex:L\(i - 1);1\""
            chain.append(
                "{\"@context\": \"dtmi:dtdl:context;3\", \"@id\": \"dtmi:ex:L\(i);1\", \"@type\": \"Interface\"\(ext)}")
        }
        let deep = issues("[" + chain.joined(separator: ",") + "]")
        #expect(deep?.issues.contains { $0.validationID.hasSuffix("excessiveDepthNarrow") } == true)
    }

    @Test func reportsOfficialValidationIDsAndTexts() throws {
        let e = try #require(
            issues(
                """
                {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:ex:A;1", "@type": "Interface",
                 "contents": [{"@type": "Property", "name": "1bad", "schema": "double"}]}
                """))
        let issue = try #require(e.issues.first)
        #expect(issue.validationID == "dtmi:dtdl:parsingError:stringInvalid")
        #expect(issue.primaryID == "dtmi:ex:A:_contents:__1bad;1")
        #expect(!issue.cause.isEmpty && !issue.action.isEmpty)
        #expect(e.message.contains(issue.cause))
    }

    @Test func v2PropertiesCannotHoldArrays() {
        let e = issues(
            """
            {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:ex:A;1", "@type": "Interface",
             "contents": [{"@type": "Property", "name": "p", "schema": {"@type": "Array", "elementSchema": "double"}}]}
            """)
        #expect(e?.issues.map(\.validationID) == ["dtmi:dtdl:parsingError:excludedType"])
    }

    @Test func adtRestrictions() {
        let adt = ModelParser.Options(adtRestrictions: true)
        let command = """
            {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:A;1", "@type": "Interface",
             "contents": [{"@type": "Command", "name": "reboot"}]}
            """
        #expect(issues(command) == nil)
        #expect(issues(command, options: adt)?.code == .dtdlParserError)
        let inline = """
            {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:A;1", "@type": "Interface",
             "extends": {"@id": "dtmi:ex:B;1", "@type": "Interface"}}
            """
        #expect(issues(inline) == nil)
        #expect(issues(inline, options: adt) != nil)
        let v4 = """
            {"@context": "dtmi:dtdl:context;4", "@id": "dtmi:ex:A;1", "@type": "Interface"}
            """
        #expect(issues(v4, options: adt)?.code == .modelVersionNotSupported)
        #expect(issues(v4)?.code == .dtdlParserError)
    }

    @Test func undefinedExtensionsFollowTheOptionAndVersionDefault() {
        let v3 = """
            {"@context": ["dtmi:dtdl:context;3", "dtmi:acme:context;1"], "@id": "dtmi:ex:A;1", "@type": "Interface",
             "contents": [{"@type": ["Property", "Commercial"], "name": "p", "schema": "string", "brand": "Acme"}]}
            """
        #expect(issues(v3) != nil)
        #expect(issues(v3, options: .init(allowUndefinedExtensions: true)) == nil)
        let v2 = v3.replacingOccurrences(of: "context;3", with: "context;2")
        #expect(issues(v2) == nil)
        #expect(issues(v2, options: .init(allowUndefinedExtensions: false)) != nil)
    }
}
