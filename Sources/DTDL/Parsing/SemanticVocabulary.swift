/// The semantic types, unit types and units the parser checks co-types and `unit` values against:
/// built into DTDL v2, and from the QuantitativeTypes extension in v3.
enum SemanticVocabulary {
    /// The table in force in a scope, if semantic types are available there.
    static func table(_ scope: ContextScope) -> QuantitativeTypes? {
        if scope.version == 2 { return .v2 }
        return scope.extensions.contains(.quantitativeTypes) ? .v3 : nil
    }

    /// The term of a semantic type, unit or unit enum written as its DTMI in this scope.
    static func term(forIRI iri: String, scope: ContextScope) -> String? {
        table(scope)?.term(forID: iri)
    }

    /// The unit type (e.g. `TemperatureUnit`) of a semantic type term (e.g. `Temperature`), when
    /// the term is a semantic type in this scope.
    static func unitType(ofSemanticType term: String, scope: ContextScope) -> String? {
        table(scope)?.semanticType(named: term)?.unitEnum
    }

    /// Whether a term names a unit type (`LengthUnit`) in DTDL v2 or the v3 QuantitativeTypes.
    static func isUnitType(_ term: String, version: Int) -> Bool {
        (version == 2 ? QuantitativeTypes.v2 : QuantitativeTypes.v3).unitEnums[term] != nil
    }

    /// The unit names of a unit type in this scope.
    static func units(ofUnitType unitType: String, scope: ContextScope) -> Set<String>? {
        table(scope)?.unitEnum(named: unitType).map(Set.init)
    }

    /// The schema of a unit type used as a schema (QuantitativeTypes lets a v3 model use a unit
    /// enum such as `TemperatureUnit` as a schema; its values are the unit names).
    static func unitEnumSchema(_ term: String, scope: ContextScope) -> Schema? {
        guard scope.version >= 3, scope.extensions.contains(.quantitativeTypes) else { return nil }
        if let schema = QuantitativeTypes.v3.unitEnumSchema(named: term) { return schema }
        // Some unit-enum terms are aliases (`EnergyRateUnit` is `PowerUnit`): follow the context.
        guard let id = DTDLContexts.terms(of: "dtmi:dtdl:extension:quantitativeTypes;1")?[term],
            let canonical = QuantitativeTypes.v3.term(forID: id)
        else { return nil }
        return QuantitativeTypes.v3.unitEnumSchema(named: canonical)
    }
}
