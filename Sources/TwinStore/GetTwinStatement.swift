import PostgresNIO

/// The hot path of `GET /digitaltwins/{id}` as a prepared statement: parsed once per
/// connection, then only bound and executed. The stored JSON text goes out as it is.
struct GetTwinStatement: PostgresPreparedStatement {
    static let sql = "SELECT body::text, etag::text FROM twins WHERE id = $1"
    /// A constant name (the default is computed by reflection on every execution).
    static let name = "twins_get_twin"
    typealias Row = (String, String)

    var id: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// Several twins at once, for reads coalesced under load (``PointReadCoalescer``): the same
/// columns as ``GetTwinStatement`` and the id, for the rows that exist.
struct GetTwinsStatement: PostgresPreparedStatement {
    static let sql = "SELECT id, body::text, etag::text FROM twins WHERE id = ANY($1)"
    static let name = "twins_get_twins"
    typealias Row = (String, String, String)

    var ids: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
