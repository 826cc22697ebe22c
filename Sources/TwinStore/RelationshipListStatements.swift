import PostgresNIO

// The prepared statements of the relationship lists. Each answers in one round trip whether the
// twin exists (no row: it does not) and one page of its relationships (a row of NULLs: it has
// none on this page).

/// One page of a twin's outgoing relationships, in id order after `$2`. (A list filtered by
/// name is planned per call instead, see `RelationshipStore.outgoing`: a prepared plan for
/// "any name or this one" would not use the `(source_id, name, id)` index.)
struct OutgoingRelationshipsStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT r.id, r.body::text FROM twins t
        LEFT JOIN LATERAL (
            SELECT id, body FROM relationships WHERE source_id = t.id AND id > $2 ORDER BY id LIMIT $3
        ) r ON true
        WHERE t.id = $1
        ORDER BY r.id
        """
    static let name = "twins_outgoing_relationships"
    typealias Row = (String?, String?)

    var source: String
    var after: String
    var limit: Int

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(source)
        bindings.append(after)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// One page of a twin's incoming relationships (source, id, name), in (id, source) order after
/// (`$2`, `$3`): ids repeat across sources.
struct IncomingRelationshipsStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT r.source_id, r.id, r.name FROM twins t
        LEFT JOIN LATERAL (
            SELECT source_id, id, name FROM relationships
            WHERE target_id = t.id AND (id, source_id COLLATE "C") > ($2::text COLLATE "C", $3::text COLLATE "C")
            ORDER BY id, source_id COLLATE "C" LIMIT $4
        ) r ON true
        WHERE t.id = $1
        ORDER BY r.id, r.source_id COLLATE "C"
        """
    static let name = "twins_incoming_relationships"
    typealias Row = (String?, String?, String?)

    var target: String
    var afterID: String
    var afterSource: String
    var limit: Int

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(target)
        bindings.append(afterID)
        bindings.append(afterSource)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
