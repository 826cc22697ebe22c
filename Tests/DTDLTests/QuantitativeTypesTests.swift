import Foundation
import Testing
@testable import DTDL

@Suite struct QuantitativeTypesTests {
    @Test func v2Temperature() throws {
        let t = try #require(QuantitativeTypes.v2.semanticType(named: "Temperature"))
        #expect(t.id == "dtmi:standard:class:Temperature;2")
        #expect(t.unitEnum == "TemperatureUnit")
        let units = try #require(QuantitativeTypes.v2.unitEnum(named: "TemperatureUnit"))
        #expect(Set(units) == ["degreeCelsius", "degreeFahrenheit", "kelvin"])
        let c = try #require(QuantitativeTypes.v2.unit(named: "degreeCelsius"))
        #expect(c.id == "dtmi:standard:unit:degreeCelsius;2")
        #expect(c.unitEnum == "TemperatureUnit")
        #expect(QuantitativeTypes.v2.unit("kelvin", isValidFor: "Temperature"))
        #expect(!QuantitativeTypes.v2.unit("metre", isValidFor: "Temperature"))
        #expect(QuantitativeTypes.v2.term(forID: "dtmi:standard:unit:kelvin;2") == "kelvin")
    }

    @Test func v2SharedUnitTypes() throws {
        #expect(QuantitativeTypes.v2.semanticType(named: "Distance")?.unitEnum == "LengthUnit")
        #expect(QuantitativeTypes.v2.semanticType(named: "Length")?.unitEnum == "LengthUnit")
        #expect(QuantitativeTypes.v2.semanticType(named: "Humidity")?.unitEnum == "DensityUnit")
        #expect(QuantitativeTypes.v2.semanticType(named: "RelativeHumidity")?.unitEnum == "Unitless")
        #expect(QuantitativeTypes.v2.unitEnum(named: "Unitless")?.contains("percent") == true)
        #expect(QuantitativeTypes.v2.semanticTypes.count == 42)
        #expect(QuantitativeTypes.v2.unitEnum(named: "NoSuchUnit") == nil)
    }

    @Test func v3Extension() throws {
        let q = QuantitativeTypes.v3
        #expect(q.contextID == "dtmi:dtdl:extension:quantitativeTypes;1")
        let t = try #require(q.semanticType(named: "Temperature"))
        #expect(t.id == "dtmi:dtdl:extension:quantitativeTypes:v1:class:Temperature")
        #expect(t.unitEnum == "TemperatureUnit")
        #expect(q.unitEnum(named: "TemperatureUnit")?.contains("degreeCelsius") == true)
        #expect(q.unit(named: "degreeCelsius")?.symbol == "°C")
        #expect(q.unit(named: "degreeCelsius")?.id == "dtmi:dtdl:extension:quantitativeTypes:v1:unit:degreeCelsius")
        #expect(q.semanticType(named: "Velocity")?.unitEnum == "VelocityUnit")
        #expect(q.unit("metrePerSecond", isValidFor: "Velocity"))
        #expect(q.unitEnum(named: "DecimalPrefix")?.contains("kilo") == true)
        #expect(q.semanticTypes.count == 52)
        #expect(q.unitEnums.count == 45)
        #expect(QuantitativeTypes.forContext("dtmi:dtdl:extension:quantitativeTypes;1") === q)
        #expect(QuantitativeTypes.forContext("dtmi:dtdl:context;2") === QuantitativeTypes.v2)
    }

    @Test func unitEnumAsSchema() throws {
        let schema = try #require(QuantitativeTypes.v3.unitEnumSchema(named: "TemperatureUnit"))
        guard case .enumeration(let e) = schema else {
            Issue.record("expected an enum schema")
            return
        }
        #expect(e.valueSchema == .string)
        #expect(e.id == "dtmi:dtdl:extension:quantitativeTypes:v1:enum:TemperatureUnit")
        #expect(e.values.map(\.name).contains("degreeCelsius"))
        #expect(e.values.contains { $0.enumValue == .string("kelvin") })
        #expect(
            QuantitativeTypes.v3.unitEnumSchema(id: "dtmi:dtdl:extension:quantitativeTypes:v1:enum:TemperatureUnit")
                != nil)
        #expect(QuantitativeTypes.v2.unitEnumSchema(named: "TemperatureUnit") != nil)
    }

    @Test func contextTerms() throws {
        #expect(DTDLContexts.terms(of: "dtmi:dtdl:context;2")?["Interface"] == "dtmi:dtdl:class:Interface;2")
        #expect(DTDLContexts.terms(of: "dtmi:dtdl:context;3")?["Interface"] == "dtmi:dtdl:class:Interface;3")
        #expect(DTDLContexts.terms(of: "dtmi:dtdl:context;2")?["Temperature"] == "dtmi:standard:class:Temperature;2")
        #expect(DTDLContexts.terms(of: "dtmi:dtdl:context;3")?["Temperature"] == nil)
        #expect(
            DTDLContexts.terms(of: "dtmi:dtdl:extension:quantitativeTypes;1")?["TemperatureUnit"]
                == "dtmi:dtdl:extension:quantitativeTypes:v1:enum:TemperatureUnit")
        #expect(
            DTDLContexts.terms(of: "dtmi:dtdl:extension:annotation;2")?["ValueAnnotation"]
                == "dtmi:dtdl:extension:annotation:v2:ValueAnnotation")
        #expect(
            DTDLContexts.terms(of: "dtmi:dtdl:extension:overriding;1")?["overrides"]
                == "dtmi:dtdl:extension:overriding:v1:Override:overrides")
        #expect(DTDLContexts.terms(of: "dtmi:iotcentral:context;2")?["geopoint"] == "dtmi:iotcentral:schema:geopoint;2")
        #expect(DTDLContexts.terms(of: "dtmi:dtdl:context;4") == nil)
        #expect(DTDLContexts.terms(of: "dtmi:dtdl:context;2")?["rdfs:Class"] == nil)
        #expect(DTDLContexts.dtdlVersion(ofContext: "dtmi:dtdl:context;3") == 3)
        #expect(DTDLContexts.dtdlVersion(ofContext: "dtmi:dtdl:extension:mqtt;1") == nil)
        #expect(DTDLContexts.knownContextIDs.count == 11)
        let schema = try #require(DTDLContexts.term("schema", in: "dtmi:dtdl:context;3"))
        #expect(schema.isIdentifierValued && !schema.isLanguageMap)
        #expect(DTDLContexts.term("displayName", in: "dtmi:dtdl:context;2")?.isLanguageMap == true)
    }

    @Test func standardElements() throws {
        #expect(DTDLContexts.standardSchemaID(named: "double", dtdlVersion: 2) == "dtmi:dtdl:instance:Schema:double;2")
        #expect(
            DTDLContexts.standardSchemaID(named: "point", dtdlVersion: 3) == "dtmi:standard:schema:geospatial:point;3")
        #expect(DTDLContexts.standardSchemaID(named: "synchronous", dtdlVersion: 2) == nil)
        let d3 = try #require(DTDLContexts.standardElement(id: "dtmi:dtdl:instance:Schema:double;3"))
        #expect(d3.aliasFor == "dtmi:dtdl:instance:Schema:double;2")
        #expect(d3.primitiveSchema == .double)
        #expect(DTDLContexts.standardElements(dtdlVersion: 2).count == 18)
        #expect(DTDLContexts.standardElements(dtdlVersion: 3)["multiPolygon"]?.primitiveSchema == .multiPolygon)
    }
}
