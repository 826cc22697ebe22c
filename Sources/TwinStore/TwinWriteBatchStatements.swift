import PostgresNIO

// The statements of twin writes coalesced under load (`TwinWriteBatches`): the writes' reads
// and their updates, several twins per statement.

/// The twins among `$1` that exist (id, body, ETag uuid, model) and the model generation, read
/// by one statement (one snapshot). Without any twin found, one row whose twin columns are null.
struct ReadTwinsForWriteStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT g.generation, t.id, t.body::text, t.etag::text, t.model_id
        FROM model_generation g LEFT JOIN twins t ON t.id = ANY($1)
        """
    static let name = "twins_read_twins_for_write"
    typealias Row = (Int64, String?, String?, String?, String?)

    var ids: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Updates several twins, each only if its ETag is still the one its write read and the model
/// generation is still the one it validated against, and records the change event of each twin
/// written. Returns the positions (`$8`) of the writes that landed.
///
/// Of several writes to one twin, only the first is tried (the others read again, as after a
/// lost race). The rows are locked in id order, so that two such statements never wait for each
/// other in a cycle.
struct UpdateTwinsStatement: PostgresPreparedStatement {
    static let sql = """
        WITH w AS (
            SELECT DISTINCT ON (id) * FROM unnest(
                $1::text[], $2::text[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::uuid[], $8::int[]
            ) AS w(id, model_id, etag, body, generation, event, previous, position)
            ORDER BY id, position
        ),
        locked AS (
            SELECT t.id FROM twins t JOIN w ON t.id = w.id AND t.etag = w.previous
            WHERE w.generation = (SELECT generation FROM model_generation)
            ORDER BY t.id FOR UPDATE OF t
        ),
        written AS (
            UPDATE twins t SET model_id = w.model_id, etag = w.etag, body = w.body::json
            FROM w WHERE t.id = w.id AND t.etag = w.previous AND t.id IN (SELECT id FROM locked)
            RETURNING w.position, w.event
        ),
        recorded AS (
            INSERT INTO outbox (event) SELECT event::json FROM written ORDER BY position RETURNING 1
        )
        SELECT position FROM written
        """
    static let name = "twins_update_twins"
    typealias Row = Int32

    var updates: [TwinUpdate]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(updates.map(\.id))
        bindings.append(updates.map(\.modelID))
        bindings.append(updates.map(\.etag))
        bindings.append(updates.map(\.body))
        bindings.append(updates.map(\.generation))
        bindings.append(updates.map(\.event))
        bindings.append(updates.map(\.previousETag))
        bindings.append(updates.indices.map { Int32($0) })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int32.self) }
}

/// One twin's update, as `UpdateTwinStatement` takes it.
struct TwinUpdate: Sendable {
    var id: String
    var modelID: String
    /// The new ETag's uuid.
    var etag: String
    var body: String
    var generation: Int64
    var event: String
    /// The ETag uuid the write read.
    var previousETag: String
}
