import Testing

@testable import TwinQuery

/// Parses `text` or records an issue naming the query and the error.
func parsed(
    _ text: String, _ options: ParseOptions = .init(), sourceLocation: SourceLocation = #_sourceLocation
) -> Query? {
    do {
        return try QueryParser.parse(text, options: options)
    } catch {
        Issue.record("expected to parse: \(text)\n  got: \(error.message)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The error `text` fails with, or nil (recording an issue) if it parses.
func failure(
    _ text: String, _ options: ParseOptions = .init(), sourceLocation: SourceLocation = #_sourceLocation
) -> QueryError? {
    do {
        let query = try QueryParser.parse(text, options: options)
        Issue.record("expected an error for: \(text)\n  got: \(query)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Non-recording variant for loops that check several outcomes.
func tryParse(_ text: String, _ options: ParseOptions = .init()) -> Result<Query, QueryError> {
    do {
        return .success(try QueryParser.parse(text, options: options))
    } catch {
        return .failure(error)
    }
}

// MARK: - AST shorthands

/// `alias.prop...`
func path(_ alias: String, _ properties: String...) -> PropertyPath {
    PropertyPath(segments: [alias] + properties, root: .collection(alias))
}

/// An unqualified property path of the single collection.
func implicit(_ properties: String...) -> PropertyPath {
    PropertyPath(segments: properties, root: .implicit)
}

func str(_ s: String) -> Operand { .literal(.string(s)) }
func num(_ s: String) -> Operand { .literal(.number(NumberLiteral(s))) }
func lit(_ s: String) -> Literal { .string(s) }

func cmp(_ lhs: PropertyPath, _ op: ComparisonOperator, _ rhs: Operand) -> Expression {
    .comparison(op, .path(lhs), rhs)
}

func twinsFrom(_ alias: String? = nil) -> Source { Source(.digitalTwins, alias: alias) }

func items(_ paths: PropertyPath...) -> Projection {
    .items(paths.map { ProjectionItem(path: $0) })
}

/// A row of an error table: query, expected kind, a fragment of the reason, and optionally the column.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var query: String
    var kind: QueryError.Kind
    var reason: String
    var column: Int?
    var options = ParseOptions()

    init(
        _ query: String, _ kind: QueryError.Kind, _ reason: String, column: Int? = nil, options: ParseOptions = .init()
    ) {
        self.query = query
        self.kind = kind
        self.reason = reason
        self.column = column
        self.options = options
    }

    var testDescription: String { query }

    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = failure(query, options, sourceLocation: sourceLocation) else { return }
        #expect(error.kind == kind, "\(query): \(error.message)", sourceLocation: sourceLocation)
        #expect(error.reason.contains(reason), "\(query): reason was '\(error.reason)'", sourceLocation: sourceLocation)
        if let column {
            #expect(error.column == column, "\(query): \(error.message)", sourceLocation: sourceLocation)
        }
    }
}
