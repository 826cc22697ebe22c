/// The schemas built into DTDL (primitive and geospatial) and the IoT Central extension's ones.
enum BuiltinSchemas {
    /// The primitive schema of a DTDL context term in a version.
    static func primitive(_ term: String, version: Int) -> PrimitiveSchema? {
        guard let primitive = PrimitiveSchema(rawValue: term) else { return nil }
        // The v3 additions (byte, uuid, ...) belong to DTDL v4, which this parser does not accept.
        switch primitive {
        case .byte, .bytes, .decimal, .short, .unsignedByte, .unsignedInteger, .unsignedLong, .unsignedShort, .uuid:
            return nil
        default: return primitive
        }
    }

    /// The built-in schema term a string designates in a scope: a term, or the IRI of a standard
    /// schema instance (`dtmi:dtdl:instance:Schema:double;2`, `dtmi:standard:schema:geospatial:point;3`).
    static func term(_ text: String, scope: ContextScope) -> String? {
        if !text.contains(":") {
            if primitive(text, version: scope.version) != nil { return text }
            if scope.extensions.contains(.iotcentral), text == "vector" || text == "geopoint" { return text }
            return nil
        }
        for prefix in ["dtmi:dtdl:instance:Schema:", "dtmi:standard:schema:geospatial:"] where text.hasPrefix(prefix) {
            guard let semicolon = text.lastIndex(of: ";"), let iriVersion = Int(text[text.index(after: semicolon)...]),
                iriVersion >= 2, iriVersion <= scope.version
            else { return nil }
            let name = String(text[text.index(text.startIndex, offsetBy: prefix.count)..<semicolon])
            return primitive(name, version: scope.version) != nil ? name : nil
        }
        if scope.extensions.contains(.iotcentral), text == "dtmi:iotcentral:schema:vector;2" { return "vector" }
        if scope.extensions.contains(.iotcentral), text == "dtmi:iotcentral:schema:geopoint;2" { return "geopoint" }
        return nil
    }

    /// The resolved schema of a built-in term.
    static func schema(_ term: String) -> Schema? {
        if let primitive = PrimitiveSchema(rawValue: term) { return .primitive(primitive) }
        switch term {
        case "vector": return vector
        case "geopoint": return geopoint
        default: return nil
        }
    }

    /// IoT Central `vector`: an object of three doubles.
    private static let vector = Schema.object(
        ObjectSchema(
            id: "dtmi:iotcentral:schema:vector;2",
            fields: ["x", "y", "z"].map { Field(name: $0, schema: .primitive(.double)) }))
    /// IoT Central `geopoint`: latitude, longitude and optional altitude.
    private static let geopoint = Schema.object(
        ObjectSchema(
            id: "dtmi:iotcentral:schema:geopoint;2",
            fields: ["lat", "lon", "alt"].map { Field(name: $0, schema: .primitive(.double)) }))
}
