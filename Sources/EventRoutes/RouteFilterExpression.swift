import ADTWire

/// A parsed route filter: what a notification must satisfy to be routed.
indirect enum RouteFilterExpression: Sendable, Hashable {
    /// `true` or `false`.
    case constant(Bool)
    /// `a AND b`.
    case and(RouteFilterExpression, RouteFilterExpression)
    /// `a OR b`.
    case or(RouteFilterExpression, RouteFilterExpression)
    /// `NOT a`.
    case not(RouteFilterExpression)
    /// `x = y`, `x < y`, ...
    case compare(Operand, Comparison, Operand)
    /// `x IN ['a', 'b']`.
    case within(Operand, [JSONValue])
    /// `STARTS_WITH(x, y)`, `ENDS_WITH(x, y)`, `CONTAINS(x, y)`.
    case function(TextFunction, Operand, Operand)

    /// What a comparison or function reads.
    enum Operand: Sendable, Hashable {
        /// A CloudEvents attribute of the notification by name (`type`, `subject`, ...).
        case attribute(String)
        /// A path into the notification's `data` (`$body.$metadata.$model`); empty for `$body`.
        case body([String])
        /// The notification's legacy event category (`$eventType`, from the 2020 API).
        case legacyEventType
        /// A literal string, number, boolean or null.
        case literal(JSONValue)
    }

    /// The comparison operators.
    enum Comparison: String, Sendable, Hashable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// The string functions.
    enum TextFunction: String, Sendable, Hashable, CaseIterable {
        case startsWith = "STARTS_WITH", endsWith = "ENDS_WITH", contains = "CONTAINS"
    }
}

extension RouteFilterExpression {
    /// Whether `event` (a notification as CloudEvents JSON: attributes at the top level, the
    /// body in `data`) satisfies the expression. A comparison with a value the event does not
    /// have is false, whichever the operator.
    func matches(_ event: JSONObject) -> Bool {
        switch self {
        case .constant(let value): return value
        case .and(let left, let right): return left.matches(event) && right.matches(event)
        case .or(let left, let right): return left.matches(event) || right.matches(event)
        case .not(let inner): return !inner.matches(event)
        case .compare(let left, let comparison, let right):
            guard let a = left.value(in: event), let b = right.value(in: event) else { return false }
            return Self.compare(a, comparison, b)
        case .within(let operand, let values):
            guard let value = operand.value(in: event) else { return false }
            return values.contains { Self.compare(value, .equal, $0) }
        case .function(let function, let left, let right):
            guard case .string(let text)? = left.value(in: event), case .string(let part)? = right.value(in: event)
            else { return false }
            switch function {
            case .startsWith: return text.hasPrefix(part)
            case .endsWith: return text.hasSuffix(part)
            case .contains: return part.isEmpty || text.contains(part)
            }
        }
    }

    /// Two values by `comparison`: numbers by value, strings by their UTF-8 bytes (ordinal, case
    /// sensitive, as ADT's filters are), booleans and null by equality; values of different
    /// types are unequal and unordered.
    static func compare(_ a: JSONValue, _ comparison: Comparison, _ b: JSONValue) -> Bool {
        let order: Int?
        switch (a, b) {
        case (.string(let x), .string(let y)): order = x == y ? 0 : (x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        case (.bool(let x), .bool(let y)): order = x == y ? 0 : nil
        case (.null, .null): order = 0
        default:
            if let x = a.numberValue, let y = b.numberValue {
                order = x == y ? 0 : (x < y ? -1 : 1)
            } else {
                order = nil
            }
        }
        switch comparison {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order.map { $0 < 0 } ?? false
        case .lessOrEqual: return order.map { $0 <= 0 } ?? false
        case .greater: return order.map { $0 > 0 } ?? false
        case .greaterOrEqual: return order.map { $0 >= 0 } ?? false
        }
    }
}

extension RouteFilterExpression.Operand {
    /// The operand's value for `event`; nil when the event has none.
    func value(in event: JSONObject) -> JSONValue? {
        switch self {
        case .attribute(let name): return event[name]
        case .body(let path):
            var value = event["data"]
            for segment in path {
                guard case .object(let object)? = value else { return nil }
                value = object[segment]
            }
            return value
        case .legacyEventType:
            guard case .string(let type)? = event["type"] else { return nil }
            return RouteFilter.legacyEventType(of: type).map { .string($0) }
        case .literal(let value): return value
        }
    }
}
