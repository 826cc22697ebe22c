import ADTWire
import DTDL
import Foundation

extension RoutingQuery {
    /// What a query reads of a message.
    struct Input: Sendable {
        /// Application properties.
        var properties: JSONObject
        /// System properties under their AMQP names.
        var systemProperties: JSONObject
        /// `$enqueuedTime`.
        var enqueuedAt: Date
        /// The body, when it is JSON.
        var body: JSONValue?
    }

    /// Whether the query is `true` for `input`.
    func matches(_ input: Input) -> Bool {
        Self.evaluate(expression, input) == .bool(true)
    }

    /// The AMQP names of the routing keywords (lower-cased keyword → property).
    static let systemKeywords: [String: String] = [
        "contenttype": "content-type", "contentencoding": "content-encoding", "correlationid": "correlation-id",
        "messageid": "message-id", "userid": "user-id", "to": "to",
        "connectiondeviceid": "iothub-connection-device-id", "connectionmoduleid": "iothub-connection-module-id",
        "connectiondevicegenerationid": "iothub-connection-auth-generation-id",
    ]

    static func evaluate(_ expression: Expression, _ input: Input) -> Value {
        switch expression {
        case .literal(let v):
            return v
        case .property(let name):
            return value(input.properties[name])
        case .system(let keyword):
            let lower = keyword.lowercased()
            if lower == "enqueuedtime" { return .string(EmulatorTime.iso(input.enqueuedAt)) }
            if let name = systemKeywords[lower] { return value(input.systemProperties[name]) }
            return value(input.systemProperties[keyword] ?? input.systemProperties[lower])
        case .body(let path):
            guard var current = input.body else { return .undefined }
            for part in path {
                guard let next = current[part] else { return .undefined }
                current = next
            }
            return value(current)
        case .not(let inner):
            guard case .bool(let b) = evaluate(inner, input) else { return .undefined }
            return .bool(!b)
        case .and(let l, let r):
            let a = evaluate(l, input)
            if a == .bool(false) { return a }
            let b = evaluate(r, input)
            if b == .bool(false) { return b }
            return a == .bool(true) && b == .bool(true) ? .bool(true) : .undefined
        case .or(let l, let r):
            let a = evaluate(l, input)
            if a == .bool(true) { return a }
            let b = evaluate(r, input)
            if b == .bool(true) { return b }
            return a == .bool(false) && b == .bool(false) ? .bool(false) : .undefined
        case .compare(let l, let op, let r):
            return compare(evaluate(l, input), op, evaluate(r, input))
        case .call(let name, let arguments):
            return call(name, arguments.map { evaluate($0, input) })
        }
    }

    static func value(_ json: JSONValue?) -> Value {
        switch json {
        case .none: return .undefined
        case .null?: return .null
        case .bool(let b)?: return .bool(b)
        case .integer(let i)?: return .number(Double(i))
        case .double(let d)?: return .number(d)
        case .string(let s)?: return .string(s)
        case .array?, .object?: return .structured
        }
    }

    static func compare(_ a: Value, _ op: Comparison, _ b: Value) -> Value {
        let order: Int
        switch (a, b) {
        case (.number(let x), .number(let y)): order = x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)): order = x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let s), .number(let y)):
            guard let x = Double(s) else { return .undefined }
            order = x < y ? -1 : (x > y ? 1 : 0)
        case (.number(let x), .string(let s)):
            guard let y = Double(s) else { return .undefined }
            order = x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)):
            guard op == .equal || op == .notEqual else { return .undefined }
            order = x == y ? 0 : 1
        case (.null, .null):
            guard op == .equal || op == .notEqual else { return .undefined }
            order = 0
        default:
            return .undefined
        }
        switch op {
        case .equal: return .bool(order == 0)
        case .notEqual: return .bool(order != 0)
        case .less: return .bool(order < 0)
        case .lessOrEqual: return .bool(order <= 0)
        case .greater: return .bool(order > 0)
        case .greaterOrEqual: return .bool(order >= 0)
        }
    }

    static func call(_ name: String, _ arguments: [Value]) -> Value {
        switch (name, arguments.first) {
        case ("IS_DEFINED", let v?): return .bool(v != .undefined)
        case ("IS_STRING", .string?): return .bool(true)
        case ("IS_NUMBER", .number?): return .bool(true)
        case ("IS_BOOL", .bool?): return .bool(true)
        case ("IS_STRING", _), ("IS_NUMBER", _), ("IS_BOOL", _): return .bool(false)
        case ("LOWER", .string(let s)?): return .string(s.lowercased())
        case ("UPPER", .string(let s)?): return .string(s.uppercased())
        case ("LENGTH", .string(let s)?): return .number(Double(s.count))
        default: break
        }
        guard arguments.count == 2, case .string(let s) = arguments[0], case .string(let t) = arguments[1] else {
            return .undefined
        }
        switch name {
        case "STARTS_WITH": return .bool(s.hasPrefix(t))
        case "ENDS_WITH": return .bool(s.hasSuffix(t))
        case "CONTAINS": return .bool(s.contains(t))
        default: return .undefined
        }
    }
}

extension HubMessage {
    /// What routing queries read of this message.
    var routingInput: RoutingQuery.Input {
        RoutingQuery.Input(
            properties: properties, systemProperties: systemProperties, enqueuedAt: enqueuedAt, body: jsonBody)
    }
}
