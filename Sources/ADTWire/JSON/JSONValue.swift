/// A JSON value that keeps what DTDL and ADT care about and `JSONSerialization` loses:
/// member order (twins are served in the order they were written), the difference between
/// an integer and a floating-point literal (DTDL `integer`/`long` versus `double`), and
/// duplicate-free objects with fast lookup.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The object payload, or `nil` when this is not an object.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The string payload, or `nil` when this is not a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The array payload, or `nil` when this is not an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The boolean payload, or `nil` when this is not a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The numeric value as a `Double`, for either kind of number.
    public var numberValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Whether the value is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Member lookup on an object; `nil` for a missing member or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The JSON type name used in error messages ("string", "object", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON object whose members keep their order. Lookup is linear for small objects (the
/// common case in twins and DTDL elements, where a scan beats hashing) and through an index
/// built once for large ones.
public struct JSONObject: Sendable, Hashable, Sequence {
    /// The members in document order.
    public private(set) var members: [(key: String, value: JSONValue)]
    private var index: [String: Int]?

    private static let indexThreshold = 12

    /// An empty object.
    public init() {
        members = []
        index = nil
    }

    /// An object with the given members, in order. A repeated key keeps its first position and
    /// its last value.
    public init(_ members: [(key: String, value: JSONValue)]) {
        self.init()
        self.members.reserveCapacity(members.count)
        for m in members { self[m.key] = m.value }
    }

    /// The number of members.
    public var count: Int { members.count }
    /// Whether the object has no member.
    public var isEmpty: Bool { members.isEmpty }
    /// The member names in order.
    public var keys: [String] { members.map(\.key) }

    /// The position of a member, if present.
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in members.indices where members[i].key == key { return i }
        return nil
    }

    /// Reads, replaces (keeping the position), appends, or with `nil` removes a member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = position(of: key) else { return nil }
            return members[i].value
        }
        set {
            if let i = position(of: key) {
                if let newValue {
                    members[i].value = newValue
                } else {
                    members.remove(at: i)
                    rebuildIndex()
                }
            } else if let newValue {
                members.append((key, newValue))
                if index != nil {
                    index![key] = members.count - 1
                } else if members.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        guard members.count > Self.indexThreshold else {
            index = nil
            return
        }
        var idx = [String: Int](minimumCapacity: members.count)
        for (i, m) in members.enumerated() { idx[m.key] = i }
        index = idx
    }

    /// Iterates the members in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    /// Objects are equal when they have the same members, whatever their order (as in JSON).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for m in lhs.members {
            guard let v = rhs[m.key], v == m.value else { return false }
        }
        return true
    }

    /// Order-independent hash, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for m in members {
            var h = Hasher()
            h.combine(m.key)
            h.combine(m.value)
            combined ^= h.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// A `.string` from a string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An `.integer` from an integer literal.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A `.double` from a float literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A `.bool` from a boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An `.array` from an array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An `.object` from a dictionary literal, its members in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
    /// `.null` from `nil`.
    public init(nilLiteral: ()) { self = .null }
}
