/// The schemas built into DTDL (primitive and geospatial) and the IoT Central extension's ones.
enum BuiltinSchemas {
    /// The primitive schema of a DTDL context term in a version.
    static func primitive(_ term: String, version: Int) -> PrimitiveSchema? {
        guard let p = PrimitiveSchema(rawValue: term) else { return nil }
        // The v3 additions (byte, uuid, ...) belong to DTDL v4, which this parser does not accept.
        switch p {
        case .byte, .bytes, .decimal, .short, .unsignedByte, .unsignedInteger, .unsignedLong, .unsignedShort, .uuid:
            return nil
        default: return p
        }
    }

    /// The built-in schema term a string designates in a scope: a term, or the IRI of a standard
    /// schema instance (`dtmi:dtdl:instance:Schema:double;2`, `dtmi:standard:schema:geospatial:point;3`).
    static func term(_ s: String, scope: ContextScope) -> String? {
        if !s.contains(":") {
            if primitive(s, version: scope.version) != nil { return s }
            if scope.extensions.contains(.iotcentral), s == "vector" || s == "geopoint" { return s }
            return nil
        }
        for prefix in ["dtmi:dtdl:instance:Schema:", "dtmi:standard:schema:geospatial:"] where s.hasPrefix(prefix) {
            guard let semi = s.lastIndex(of: ";"), let v = Int(s[s.index(after: semi)...]), v >= 2, v <= scope.version
            else { return nil }
            let name = String(s[s.index(s.startIndex, offsetBy: prefix.count)..<semi])
            return primitive(name, version: scope.version) != nil ? name : nil
        }
        if scope.extensions.contains(.iotcentral), s == "dtmi:iotcentral:schema:vector;2" { return "vector" }
        if scope.extensions.contains(.iotcentral), s == "dtmi:iotcentral:schema:geopoint;2" { return "geopoint" }
        return nil
    }

    /// The resolved schema of a built-in term.
    static func schema(_ term: String) -> Schema? {
        if let p = PrimitiveSchema(rawValue: term) { return .primitive(p) }
        switch term {
        case "vector": return vector
        case "geopoint": return geopoint
        default: return nil
        }
    }

    /// IoT Central `vector`: an object of three doubles.
    private static let vector = Schema.object(ObjectSchema(
        id: "dtmi:iotcentral:schema:vector;2",
        fields: ["x", "y", "z"].map { Field(name: $0, schema: .primitive(.double)) }))
    /// IoT Central `geopoint`: latitude, longitude and optional altitude.
    private static let geopoint = Schema.object(ObjectSchema(
        id: "dtmi:iotcentral:schema:geopoint;2",
        fields: ["lat", "lon", "alt"].map { Field(name: $0, schema: .primitive(.double)) }))
}
