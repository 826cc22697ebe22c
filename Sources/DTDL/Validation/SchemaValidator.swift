import ADTWire

/// Checks one JSON value against a resolved DTDL `Schema`, with the rules of the official
/// DTDLParser's instance validation:
///
/// - `integer`, `long` and the v3 sized integers accept JSON integers only, in range. `1.0` is
///   not an `integer` (DTDLParser `IntegerInstances`: `0.0` and `-0.0` do not conform).
/// - `float`, `double` and `decimal` accept any finite number, integers included; `float` must
///   fit a single (`3.402824E+38` does not conform).
/// - `null` conforms to no schema, also as an Object field or Map value.
/// - Object fields are all optional; members the schema does not declare are rejected.
/// - Map keys are any strings; only values are checked.
///
/// Strings may be capped (ADT stores at most 4 KB per string value) and so may map keys (ADT
/// caps property names at 1 KB; a map key is stored and queried like one).
public struct SchemaValidator: Sendable {
    /// The largest string value accepted, in UTF-8 bytes.
    public var maxStringBytes: Int
    /// The largest map key accepted, in UTF-8 bytes.
    public var maxKeyBytes: Int

    /// A validator with the given caps; the defaults impose none.
    public init(maxStringBytes: Int = .max, maxKeyBytes: Int = .max) {
        self.maxStringBytes = maxStringBytes
        self.maxKeyBytes = maxKeyBytes
    }

    /// Whether `value` conforms to `schema`.
    public func conforms(_ value: JSONValue, to schema: Schema) -> Bool {
        violation(of: value, against: schema) == nil
    }

    /// The first problem found in `value` against `schema`, or `nil` when it conforms.
    public func violation(of value: JSONValue, against schema: Schema) -> SchemaViolation? {
        switch schema {
        case .primitive(let p):
            return violation(of: value, against: p)
        case .enumeration(let e):
            return violation(of: value, against: e)
        case .array(let a):
            guard case .array(let elements) = value else { return mismatch("Array", value) }
            for (i, element) in elements.enumerated() {
                if let v = violation(of: element, against: a.elementSchema) { return v.prefixed(by: String(i)) }
            }
            return nil
        case .map(let m):
            guard case .object(let members) = value else { return mismatch("Map", value) }
            for member in members.members {
                let keyBytes = member.key.utf8.count
                if keyBytes > maxKeyBytes {
                    return SchemaViolation(
                        path: [member.key], reason: .nameTooLong(byteCount: keyBytes, limit: maxKeyBytes))
                }
                if let v = violation(of: member.value, against: m.valueSchema) { return v.prefixed(by: member.key) }
            }
            return nil
        case .object(let o):
            guard case .object(let members) = value else { return mismatch("Object", value) }
            for member in members.members {
                guard let field = o.fieldsByName[member.key] else {
                    return SchemaViolation(path: [member.key], reason: .undeclaredField(member.key))
                }
                if let v = violation(of: member.value, against: field.schema) { return v.prefixed(by: member.key) }
            }
            return nil
        }
    }

    /// The first problem found in `value` against a primitive schema, or `nil`.
    public func violation(of value: JSONValue, against primitive: PrimitiveSchema) -> SchemaViolation? {
        switch primitive {
        case .boolean:
            if case .bool = value { return nil }
        case .string:
            if case .string(let s) = value {
                let count = s.utf8.count
                return count <= maxStringBytes
                    ? nil : SchemaViolation(reason: .stringTooLong(byteCount: count, limit: maxStringBytes))
            }
        case .integer: if integer(value, in: Int64(Int32.min)...Int64(Int32.max)) { return nil }
        case .long: if integer(value, in: Int64.min...Int64.max) { return nil }
        case .byte: if integer(value, in: Int64(Int8.min)...Int64(Int8.max)) { return nil }
        case .short: if integer(value, in: Int64(Int16.min)...Int64(Int16.max)) { return nil }
        case .unsignedByte: if integer(value, in: 0...Int64(UInt8.max)) { return nil }
        case .unsignedShort: if integer(value, in: 0...Int64(UInt16.max)) { return nil }
        case .unsignedInteger: if integer(value, in: 0...Int64(UInt32.max)) { return nil }
        case .unsignedLong:
            if integer(value, in: 0...Int64.max) { return nil }
            // The JSON parser keeps integers above Int64.max as doubles. Accept integral ones up to
            // 2^64 inclusive: UInt64.max itself rounds to 2^64 as a double, so 2^64 cannot be told
            // apart from it and is accepted too.
            if case .double(let d) = value, d >= 9_223_372_036_854_775_808.0, d <= 18_446_744_073_709_551_616.0,
                d == d.rounded(.towardZero)
            {
                return nil
            }
        case .double, .decimal:
            if let d = value.numberValue, d.isFinite { return nil }
        case .float:
            if let d = value.numberValue, d.isFinite, abs(d) <= Double(Float.greatestFiniteMagnitude) { return nil }
        case .date: if case .string(let s) = value, ValueFormats.isDate(s) { return nil }
        case .dateTime: if case .string(let s) = value, ValueFormats.isDateTime(s) { return nil }
        case .time: if case .string(let s) = value, ValueFormats.isTime(s) { return nil }
        case .duration: if case .string(let s) = value, ValueFormats.isDuration(s) { return nil }
        case .uuid: if case .string(let s) = value, ValueFormats.isUUID(s) { return nil }
        case .bytes: if case .string(let s) = value, ValueFormats.isBase64(s) { return nil }
        case .point, .multiPoint, .lineString, .multiLineString, .polygon, .multiPolygon:
            return GeoJSONValidator.violation(of: value, against: primitive)
        }
        return mismatch(primitive.rawValue, value)
    }

    func violation(of value: JSONValue, against e: EnumSchema) -> SchemaViolation? {
        for candidate in e.values where candidate.enumValue == value { return nil }
        let name = e.id ?? "of \(e.valueSchema.rawValue)"
        return SchemaViolation(
            reason: .notAnEnumValue(
                enumName: name, allowed: e.values.map { JSONWriter.string($0.enumValue) }, actual: value)
        )
    }

    @inline(__always) func integer(_ value: JSONValue, in range: ClosedRange<Int64>) -> Bool {
        if case .integer(let i) = value { return range.contains(i) }
        return false
    }

    func mismatch(_ expected: String, _ actual: JSONValue) -> SchemaViolation {
        SchemaViolation(reason: .mismatch(expected: expected, actual: actual))
    }
}

extension Schema {
    /// A short name of the schema for messages: the primitive name, or `Array`, `Enum`, `Map`,
    /// `Object` with the schema's DTMI when it has one.
    public var displayName: String {
        switch self {
        case .primitive(let p): return p.rawValue
        case .array(let a): return a.id.map { "Array \($0)" } ?? "Array"
        case .enumeration(let e): return e.id.map { "Enum \($0)" } ?? "Enum"
        case .map(let m): return m.id.map { "Map \($0)" } ?? "Map"
        case .object(let o): return o.id.map { "Object \($0)" } ?? "Object"
        }
    }
}
