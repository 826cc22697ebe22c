import ADTWire

/// Shape checks for the DTDL geospatial schemas, which are GeoJSON geometries (RFC 7946):
/// an object with exactly `type` (the GeoJSON type name) and `coordinates`, plus an optional
/// `bbox`. A position is an array of two or three numbers; a LineString has at least two
/// positions; a Polygon ring has at least four and is closed (first equals last).
///
/// DTDL describes these schemas as Objects with the fields `type` and `coordinates`, so other
/// members are rejected as for any Object; both fields are required because a geometry
/// without them is not GeoJSON.
enum GeoJSONValidator {
    static func violation(of value: JSONValue, against schema: PrimitiveSchema) -> SchemaViolation? {
        let typeName = geoJSONType(schema)
        guard case .object(let o) = value else {
            return SchemaViolation(reason: .mismatch(expected: schema.rawValue, actual: value))
        }
        for member in o.members where member.key != "type" && member.key != "coordinates" && member.key != "bbox" {
            return SchemaViolation(path: [member.key], reason: .undeclaredField(member.key))
        }
        guard o["type"] == .string(typeName) else {
            return fail(typeName, "\"type\" is not \"\(typeName)\"", path: ["type"])
        }
        if let bbox = o["bbox"] {
            guard case .array(let numbers) = bbox, numbers.count >= 4, numbers.count % 2 == 0,
                numbers.allSatisfy({ $0.numberValue?.isFinite == true })
            else { return fail(typeName, "\"bbox\" is not an array of 2n numbers", path: ["bbox"]) }
        }
        guard let coordinates = o["coordinates"] else {
            return fail(typeName, "\"coordinates\" is missing", path: [])
        }
        let ok: Bool
        switch schema {
        case .point: ok = isPosition(coordinates)
        case .multiPoint: ok = isArray(coordinates, minCount: 0, of: isPosition)
        case .lineString: ok = isLineString(coordinates)
        case .multiLineString: ok = isArray(coordinates, minCount: 0, of: isLineString)
        case .polygon: ok = isPolygon(coordinates)
        case .multiPolygon: ok = isArray(coordinates, minCount: 0, of: isPolygon)
        default: ok = false
        }
        return ok ? nil : fail(typeName, "\"coordinates\" do not have its shape", path: ["coordinates"])
    }

    static func geoJSONType(_ schema: PrimitiveSchema) -> String {
        switch schema {
        case .point: return "Point"
        case .multiPoint: return "MultiPoint"
        case .lineString: return "LineString"
        case .multiLineString: return "MultiLineString"
        case .polygon: return "Polygon"
        case .multiPolygon: return "MultiPolygon"
        default: return schema.rawValue
        }
    }

    static func fail(_ typeName: String, _ detail: String, path: [String]) -> SchemaViolation {
        SchemaViolation(path: path, reason: .invalidGeometry(expected: typeName, detail: detail))
    }

    static func isArray(_ value: JSONValue, minCount: Int, of element: (JSONValue) -> Bool) -> Bool {
        guard case .array(let items) = value, items.count >= minCount else { return false }
        return items.allSatisfy(element)
    }

    /// Two or three finite numbers (RFC 7946 §3.1.1: longitude, latitude, optional altitude).
    static func isPosition(_ value: JSONValue) -> Bool {
        guard case .array(let numbers) = value, numbers.count == 2 || numbers.count == 3 else { return false }
        return numbers.allSatisfy { $0.numberValue?.isFinite == true }
    }

    static func isLineString(_ value: JSONValue) -> Bool { isArray(value, minCount: 2, of: isPosition) }

    static func isLinearRing(_ value: JSONValue) -> Bool {
        guard isArray(value, minCount: 4, of: isPosition), case .array(let positions) = value else { return false }
        return samePosition(positions[0], positions[positions.count - 1])
    }

    static func samePosition(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard case .array(let x) = a, case .array(let y) = b, x.count == y.count else { return false }
        for i in x.indices where x[i].numberValue != y[i].numberValue { return false }
        return true
    }

    static func isPolygon(_ value: JSONValue) -> Bool { isArray(value, minCount: 1, of: isLinearRing) }
}
