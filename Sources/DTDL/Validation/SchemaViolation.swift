import ADTWire

/// Why a value does not conform to a schema, and where inside the value.
///
/// Validation returns `nil` on success without building one, so the error path alone pays for
/// the path and the description.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Reason: Sendable, Hashable {
        /// The value has the wrong JSON type or format; `expected` names the schema.
        case mismatch(expected: String, actual: JSONValue)
        /// The value is not one of the Enum's values (`allowed` lists them as JSON text).
        case notAnEnumValue(enumName: String, allowed: [String], actual: JSONValue)
        /// An Object member that the schema does not declare.
        case undeclaredField(String)
        /// A string longer than the limit, in UTF-8 bytes.
        case stringTooLong(byteCount: Int, limit: Int)
        /// A map key or member name longer than the limit, in UTF-8 bytes.
        case nameTooLong(byteCount: Int, limit: Int)
        /// A GeoJSON geometry with the wrong shape.
        case invalidGeometry(expected: String, detail: String)
    }

    /// Reference tokens from the validated value down to the offending one (empty: the value).
    public var path: [String]
    /// What is wrong.
    public var reason: Reason

    /// A violation at `path`.
    public init(path: [String] = [], reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// The violation with `token` prepended to its path, as recursion unwinds.
    func prefixed(by token: String) -> SchemaViolation {
        var copy = self
        copy.path.insert(token, at: 0)
        return copy
    }

    /// The path as a JSON Pointer relative to the validated value.
    public var pointer: String { JSONPointer(tokens: path).description }

    /// What is wrong, without saying where (callers add the subject and the path).
    public var problem: String {
        switch reason {
        case .mismatch(let expected, let actual):
            return "expects schema \(expected) but got \(JSONWriter.preview(actual))"
        case .notAnEnumValue(let enumName, let allowed, let actual):
            return
                "expects one of the values of Enum \(enumName) (\(allowed.joined(separator: ", "))) but got \(JSONWriter.preview(actual))"
        case .undeclaredField(let name):
            return "has no field '\(name)' in its Object schema"
        case .stringTooLong(let count, let limit):
            return "has a string of \(count) UTF-8 bytes, over the limit of \(limit)"
        case .nameTooLong(let count, let limit):
            return "has a member name of \(count) UTF-8 bytes, over the limit of \(limit)"
        case .invalidGeometry(let expected, let detail):
            return "expects a GeoJSON \(expected) but \(detail)"
        }
    }

    /// The problem and where it is, e.g. `expects schema double but got string "x" at /a/0`.
    public var description: String { "\(problem) at \(pointer.isEmpty ? "/" : pointer)" }
}
