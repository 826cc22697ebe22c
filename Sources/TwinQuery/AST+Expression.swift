/// A WHERE condition. `AND` binds tighter than `OR`; `NOT` applies to the predicate that follows it
/// (`NOT DT.Temperature <= 80` is `not(comparison)`); both binary operators associate to the left.
public indirect enum Expression: Sendable, Equatable {
    /// `lhs op rhs`, e.g. `DT.Temperature < 80`.
    case comparison(ComparisonOperator, Operand, Operand)
    /// `lhs IN [...]` or `lhs NIN [...]`.
    case membership(Operand, MembershipOperator, [Literal])
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
    /// A Boolean function such as `IS_OF_MODEL(...)` or `STARTSWITH(...)`.
    case function(FunctionCall)
}

/// `=`, `!=`, `<`, `<=`, `>`, `>=`.
public enum ComparisonOperator: String, Sendable, Equatable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// `IN` / `NIN`.
public enum MembershipOperator: String, Sendable, Equatable {
    case `in` = "IN"
    case notIn = "NIN"
}

/// A side of a comparison.
public enum Operand: Sendable, Equatable {
    case path(PropertyPath)
    case literal(Literal)
}

/// A constant.
public enum Literal: Sendable, Equatable {
    case string(String)
    case number(NumberLiteral)
    case bool(Bool)
    case null
}

/// A number as written (`-12`, `1.5e3`) and its value. The text is kept so that integers beyond
/// 2^53 and exact decimals can be passed to PostgreSQL unchanged.
public struct NumberLiteral: Sendable, Equatable {
    /// The literal text, including a leading `-` when negated.
    public var text: String
    /// The numeric value (`Double` parsing of `text`).
    public var value: Double

    /// `text` must be a valid number; `value` is derived from it.
    public init(_ text: String) {
        self.text = text
        self.value = Double(text) ?? .nan
    }

    /// True if the text has no fraction or exponent.
    public var isInteger: Bool {
        !text.contains(".") && !text.contains("e") && !text.contains("E")
    }

    /// Compares the literal text (`1.0` and `1` differ).
    public static func == (a: NumberLiteral, b: NumberLiteral) -> Bool { a.text == b.text }
}

/// The Boolean functions of the query language.
public enum FunctionCall: Sendable, Equatable {
    /// `IS_OF_MODEL([collection,] 'model-id' [, exact])`.
    case isOfModel(IsOfModel)
    /// `IS_DEFINED(path)`, `IS_NULL(path)`, `IS_BOOL(path)` and the other type checks.
    case typeCheck(TypeCheck, PropertyPath)
    /// `STARTSWITH(path, 'x')`, `ENDSWITH(path, 'x')`, `CONTAINS(path, 'x')`.
    case stringMatch(StringMatch, PropertyPath, String)
    /// `ARRAY_CONTAINS(path, literal)` (string, number or Boolean).
    case arrayContains(PropertyPath, Literal)
}

/// The one-argument type-test functions.
public enum TypeCheck: String, Sendable, Equatable, CaseIterable {
    case isDefined = "IS_DEFINED"
    case isNull = "IS_NULL"
    case isBool = "IS_BOOL"
    case isNumber = "IS_NUMBER"
    case isString = "IS_STRING"
    case isPrimitive = "IS_PRIMITIVE"
    case isObject = "IS_OBJECT"
}

/// The string-test functions.
public enum StringMatch: String, Sendable, Equatable, CaseIterable {
    case startsWith = "STARTSWITH"
    case endsWith = "ENDSWITH"
    case contains = "CONTAINS"
}

/// `IS_OF_MODEL` in any of its four forms.
public struct IsOfModel: Sendable, Equatable {
    /// The twin collection tested; nil means the query's single collection.
    public var collection: String?
    /// The model id, as written (not validated as a DTMI).
    public var modelId: String
    /// `exact`: only that model, without inheritance.
    public var exact: Bool
    /// 1-based position of the function name (ignored by `==`).
    public var position: Int

    /// Creates an `IS_OF_MODEL` call.
    public init(collection: String? = nil, modelId: String, exact: Bool = false, position: Int = 0) {
        self.collection = collection
        self.modelId = modelId
        self.exact = exact
        self.position = position
    }

    /// Equality ignores `position`.
    public static func == (a: IsOfModel, b: IsOfModel) -> Bool {
        a.collection == b.collection && a.modelId == b.modelId && a.exact == b.exact
    }
}
