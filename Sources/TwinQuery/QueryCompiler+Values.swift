/// Property paths as SQL, and literals as JSON text.
extension Compilation {
    /// A path's value in SQL.
    enum Value {
        /// A text column (`$dtId`, `$metadata.$model`, relationship keys): a string, never missing.
        case text(String)
        /// A jsonb expression, NULL when the property is missing.
        case json(String)
    }

    /// The value of `properties` of `collection`, for conditions: system fields from their
    /// columns, the rest from `doc`.
    mutating func value(_ collection: SQLCollection, _ properties: [String]) -> Value {
        let a = collection.alias
        guard Self.isColumn(collection.kind, properties) else { return .json(jsonPath(a, "doc", properties)) }
        switch (collection.kind, properties) {
        case (.twins, ["$dtId"]): return .text(collection.idColumn)
        case (.twins, ["$metadata", "$model"]): return .text("\(a).model_id")
        case (.relationships, ["$relationshipId"]): return .text("\(a).id")
        case (.relationships, ["$sourceId"]): return .text("\(a).source_id")
        case (.relationships, ["$targetId"]): return .text("\(a).target_id")
        case (.relationships, ["$relationshipName"]): return .text("\(a).name")
        default: return .json(jsonPath(a, "doc", properties))
        }
    }

    /// Whether the path is a system field kept in a column of its own.
    static func isColumn(_ kind: NamedCollection.Kind, _ properties: [String]) -> Bool {
        switch (kind, properties) {
        case (.twins, ["$dtId"]), (.twins, ["$metadata", "$model"]): return true
        case (.relationships, ["$relationshipId"]), (.relationships, ["$sourceId"]), (.relationships, ["$targetId"]),
            (.relationships, ["$relationshipName"]):
            return true
        default: return false
        }
    }

    /// The value as jsonb (for comparisons of two paths and ORDER BY).
    mutating func valueJSON(_ collection: SQLCollection, _ properties: [String]) -> String {
        switch value(collection, properties) {
        case .text(let column): return "to_jsonb(\(column))"
        case .json(let expression): return expression
        }
    }

    /// `<alias>.<column> -> $n` or `#> $n` (json or jsonb, by column), the names bound.
    mutating func jsonPath(_ alias: String, _ column: String, _ properties: [String]) -> String {
        properties.count == 1
            ? "\(alias).\(column) -> \(parameters.text(properties[0]))"
            : "\(alias).\(column) #> \(parameters.textArray(properties))"
    }
}

/// JSON text of literals (for containment and membership tests).
enum JSONText {
    static func literal(_ literal: Literal) -> String {
        switch literal {
        case .string(let s): return string(s)
        case .number(let n): return number(n.text)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// `{"a":{"b":<value>}}` for the path `a.b`.
    static func nested(_ path: [String], _ value: String) -> String {
        path.reversed().reduce(value) { inner, key in "{\(string(key)):\(inner)}" }
    }

    static func array(_ values: [String]) -> String { "[" + values.joined(separator: ",") + "]" }

    /// A number literal as JSON: `.5` and `5.` as `0.5` and `5.0`, `+` dropped.
    static func number(_ text: String) -> String {
        var t = text
        var sign = ""
        if t.hasPrefix("-") {
            sign = "-"
            t.removeFirst()
        } else if t.hasPrefix("+") {
            t.removeFirst()
        }
        if t.hasPrefix(".") { t = "0" + t }
        if t.hasSuffix(".") { t += "0" }
        if let dot = t.firstIndex(of: "."), t[t.index(after: dot)...].first.map({ $0 == "e" || $0 == "E" }) == true {
            t.insert("0", at: t.index(after: dot))
        }
        return sign + t
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
