/// WHERE conditions with ADT's three-valued logic.
///
/// A comparison with a missing property or between values of different JSON types is
/// *undefined*: it matches neither as it stands nor under NOT (`NOT T.x = 1` does not match a
/// twin without `x`). Each condition therefore compiles in two forms: `positive` is true exactly
/// when the condition is true, the negative form exactly when it is false; NOT swaps them, and
/// AND/OR follow De Morgan. Where a form can be NULL, NULL stands for undefined (SQL's logic on
/// NULL is the same three-valued logic). Type tests (`IS_DEFINED`, `IS_NUMBER`, ...) are always
/// true or false.
///
/// Equality of a property with a literal, in positive form, is written as containment
/// (`doc @> '{"name":"x"}'`) so that the GIN index on `doc` serves it.
extension Compilation {
    mutating func condition(_ expression: Expression, positive: Bool) throws(QueryError) -> String {
        switch expression {
        case .and(let a, let b):
            let l = try condition(a, positive: positive)
            let r = try condition(b, positive: positive)
            return "(\(l) \(positive ? "AND" : "OR") \(r))"
        case .or(let a, let b):
            let l = try condition(a, positive: positive)
            let r = try condition(b, positive: positive)
            return "(\(l) \(positive ? "OR" : "AND") \(r))"
        case .not(let a):
            return try condition(a, positive: !positive)
        case .comparison(let op, let lhs, let rhs):
            return try comparison(op, lhs, rhs, positive: positive)
        case .membership(let lhs, let op, let items):
            return try membership(lhs, isIn: (op == .in) == positive, items)
        case .function(let call):
            return try function(call, positive: positive)
        }
    }

    // MARK: Comparisons

    mutating func comparison(_ op: ComparisonOperator, _ lhs: Operand, _ rhs: Operand, positive: Bool)
        throws(QueryError)
        -> String
    {
        switch (lhs, rhs) {
        case (.path(let path), .literal(let literal)):
            return try compare(path, op, literal, positive: positive)
        case (.literal(let literal), .path(let path)):
            return try compare(path, op.flipped, literal, positive: positive)
        case (.path(let a), .path(let b)):
            let x = valueJSON(try collection(of: a), a.properties)
            let y = valueJSON(try collection(of: b), b.properties)
            let scalar = "('string', 'number', 'boolean', 'null')"
            let test =
                "(CASE WHEN jsonb_typeof(\(x)) = jsonb_typeof(\(y)) AND jsonb_typeof(\(x)) IN \(scalar) THEN \(x) \(op.sql) \(y) END)"
            return positive ? test : "NOT \(test)"
        case (.literal(let a), .literal(let b)):
            guard let result = Self.compareLiterals(a, op, b) else { return "NULL::boolean" }
            return result == positive ? "true" : "false"
        }
    }

    /// `path op literal`.
    mutating func compare(_ path: PropertyPath, _ op: ComparisonOperator, _ literal: Literal, positive: Bool)
        throws(QueryError)
        -> String
    {
        let collection = try self.collection(of: path)
        if positive, op == .equal, !Self.isColumn(collection.kind, path.properties) {
            // Containment: true exactly when the property exists with that value and type.
            return
                "\(collection.alias).doc @> \(parameters.jsonb(JSONText.nested(path.properties, JSONText.literal(literal))))"
        }
        let value = value(collection, path.properties)
        let test: String
        switch (value, literal) {
        case (.text(let column), .string(let s)):
            test = "\(column)\(op.isOrdering ? " COLLATE \"C\"" : "") \(op.sql) \(parameters.text(s))"
        case (.text, _):
            return "NULL::boolean"  // a string against another type: undefined
        case (.json(let e), .string(let s)):
            test = "twins_string(\(e))\(op.isOrdering ? " COLLATE \"C\"" : "") \(op.sql) \(parameters.text(s))"
        case (.json(let e), .number(let n)):
            test = "twins_number(\(e)) \(op.sql) \(parameters.numeric(JSONText.number(n.text)))"
        case (.json(let e), .bool(let b)):
            test = "twins_bool(\(e)) \(op.sql) \(parameters.bind(.bool(b)))::boolean"
        case (.json(let e), .null):
            // null equals only null; `<=` and `>=` include equality.
            let isNull = "jsonb_typeof(\(e)) = 'null'"
            let holdsForNull = op == .equal || op == .lessOrEqual || op == .greaterOrEqual
            return holdsForNull == positive ? isNull : "false"
        }
        return positive ? test : "NOT (\(test))"
    }

    static func compareLiterals(_ a: Literal, _ op: ComparisonOperator, _ b: Literal) -> Bool? {
        func order<T: Comparable>(_ x: T, _ y: T) -> Bool {
            switch op {
            case .equal: return x == y
            case .notEqual: return x != y
            case .less: return x < y
            case .lessOrEqual: return x <= y
            case .greater: return x > y
            case .greaterOrEqual: return x >= y
            }
        }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            // Ordinal, by code point, as ADT compares strings.
            let a = x.unicodeScalars.map(\.value)
            let b = y.unicodeScalars.map(\.value)
            return order(a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1), 0)
        case (.number(let x), .number(let y)): return order(x.value, y.value)
        case (.bool(let x), .bool(let y)): return order(x ? 1 : 0, y ? 1 : 0)
        case (.null, .null): return order(0, 0)
        default: return nil
        }
    }

    // MARK: IN / NIN

    /// True exactly when the value is (`isIn`) or is not (`!isIn`) one of `items`. IN is a
    /// series of equalities joined by OR: it is true when one holds, false only when every item
    /// has the value's type and differs, and undefined otherwise (a missing property, another
    /// type, or a list mixing types that the value does not equal).
    mutating func membership(_ lhs: Operand, isIn: Bool, _ items: [Literal]) throws(QueryError) -> String {
        guard case .path(let path) = lhs else {
            guard case .literal(let literal) = lhs else { return "false" }
            let results = items.map { Self.compareLiterals(literal, .equal, $0) }
            if results.contains(true) { return isIn ? "true" : "false" }
            if results.contains(nil) { return "NULL::boolean" }
            return isIn ? "false" : "true"
        }
        let types = Set(items.map(Self.jsonType))
        let collection = try self.collection(of: path)
        switch value(collection, path.properties) {
        case .text(let column):
            let strings = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
            let test = "\(column) = ANY(\(parameters.textArray(strings)))"
            if isIn { return test }
            return types == ["string"] ? "NOT (\(test))" : "false"
        case .json(let e):
            let list = parameters.jsonb(JSONText.array(items.map(JSONText.literal)))
            let test = "\(list) @> jsonb_build_array(\(e))"
            if isIn { return "(\(e) IS NOT NULL AND \(test))" }
            guard types.count == 1, let type = types.first else { return "false" }
            return "(jsonb_typeof(\(e)) = '\(type)' AND NOT \(test))"
        }
    }

    /// The JSON type name of a literal, as `jsonb_typeof` spells it.
    static func jsonType(_ literal: Literal) -> String {
        switch literal {
        case .string: return "string"
        case .number: return "number"
        case .bool: return "boolean"
        case .null: return "null"
        }
    }

    // MARK: Functions

    mutating func function(_ call: FunctionCall, positive: Bool) throws(QueryError) -> String {
        switch call {
        case .isOfModel(let f):
            let alias = try collection(
                of: PropertyPath(segments: [f.collection ?? main], root: .collection(f.collection ?? main))
            ).alias
            let test = isOfModel(alias, f)
            return positive ? test : "NOT (\(test))"
        case .typeCheck(let check, let path):
            let test = typeCheck(check, value(try collection(of: path), path.properties))
            return positive ? test : "NOT (\(test))"
        case .stringMatch(let kind, let path, let text):
            let string: String
            switch value(try collection(of: path), path.properties) {
            case .text(let column): string = column
            case .json(let e): string = "twins_string(\(e))"
            }
            let s = parameters.text(text)
            let test: String
            switch kind {
            case .startsWith: test = "starts_with(\(string), \(s))"
            case .endsWith: test = "right(\(string), length(\(s))) = \(s)"
            case .contains: test = "strpos(\(string), \(s)) > 0"
            }
            return positive ? test : "NOT (\(test))"
        case .arrayContains(let path, let literal):
            guard case .json(let e) = value(try collection(of: path), path.properties) else { return "NULL::boolean" }
            let element = parameters.jsonb(JSONText.array([JSONText.literal(literal)]))
            return "(jsonb_typeof(\(e)) = 'array' AND \(positive ? "" : "NOT ")\(e) @> \(element))"
        }
    }

    /// The twin's model is the given one (`exact`), or the same model path at that version or
    /// later, or extends one of those at any depth (through `model_bases`).
    mutating func isOfModel(_ alias: String, _ f: IsOfModel) -> String {
        if f.exact { return "\(alias).model_id = \(parameters.text(f.modelId))" }
        guard let semicolon = f.modelId.lastIndex(of: ";") else { return "false" }
        let path = String(f.modelId[..<semicolon])
        let versionText = f.modelId[f.modelId.index(after: semicolon)...]
        let parts = versionText.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let major = Int(parts[0]), let minor = parts.count == 2 ? Int(parts[1]) : 0
        else {
            return "false"
        }
        let p = parameters.text(path)
        let version = "ARRAY[\(parameters.bind(.integer(major))), \(parameters.bind(.integer(minor)))]::bigint[]"
        func atLeast(_ id: String) -> String {
            "split_part(\(id), ';', 1) = \(p) AND twins_model_version(\(id)) >= \(version)"
        }
        return """
            \(alias).model_id IN (SELECT m.id FROM models m WHERE \(atLeast("m.id")) \
            UNION SELECT b.model_id FROM model_bases b WHERE \(atLeast("b.base_id")))
            """
    }

    func typeCheck(_ check: TypeCheck, _ value: Value) -> String {
        guard case .json(let e) = value else {
            switch check {
            case .isDefined, .isString, .isPrimitive: return "true"
            default: return "false"
            }
        }
        let type = "jsonb_typeof(\(e))"
        switch check {
        case .isDefined: return "\(e) IS NOT NULL"
        case .isNull: return "coalesce(\(type) = 'null', false)"
        case .isBool: return "coalesce(\(type) = 'boolean', false)"
        case .isNumber: return "coalesce(\(type) = 'number', false)"
        case .isString: return "coalesce(\(type) = 'string', false)"
        case .isObject: return "coalesce(\(type) = 'object', false)"
        case .isPrimitive: return "coalesce(\(type) IN ('string', 'number', 'boolean', 'null'), false)"
        }
    }
}

extension ComparisonOperator {
    var sql: String {
        switch self {
        case .equal: return "="
        case .notEqual: return "<>"
        case .less: return "<"
        case .lessOrEqual: return "<="
        case .greater: return ">"
        case .greaterOrEqual: return ">="
        }
    }

    /// The operator with its operands swapped (`1 < x` is `x > 1`).
    var flipped: ComparisonOperator {
        switch self {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        default: return self
        }
    }

    var isOrdering: Bool { self != .equal && self != .notEqual }
}
