import PostgresNIO

// The prepared statements of twin writes (PUT and PATCH). A write reads the twin and the model
// generation, validates in Swift, then lands with one conditional statement that also writes
// its change event: it changes nothing when the twin's ETag or the model generation moved since
// the read, and the writer then reads again (see `DigitalTwinStore.writeTwin`).

/// The twin (body, ETag uuid, model) if it exists, and the model generation.
struct ReadTwinForWriteStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT g.generation, t.body::text, t.etag::text, t.model_id
        FROM model_generation g LEFT JOIN twins t ON t.id = $1
        """
    static let name = "twins_read_twin_for_write"
    typealias Row = (Int64, String?, String?, String?)

    var id: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// As `ReadTwinForWriteStatement`, locking the twin until the end of the transaction.
struct LockTwinForWriteStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT g.generation, t.body::text, t.etag::text, t.model_id
        FROM model_generation g
        LEFT JOIN LATERAL (SELECT body, etag, model_id FROM twins WHERE id = $1 FOR UPDATE) t ON true
        """
    static let name = "twins_lock_twin_for_write"
    typealias Row = (Int64, String?, String?, String?)

    var id: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Creates a twin unless one with its id exists or the model generation moved; with its event.
/// Returns one row when written.
struct InsertTwinStatement: PostgresPreparedStatement {
    static let sql = """
        WITH written AS (
            INSERT INTO twins (id, model_id, etag, body)
            SELECT $1, $2, $3::uuid, $4::json WHERE (SELECT generation FROM model_generation) = $5
            ON CONFLICT (id) DO NOTHING RETURNING 1
        )
        INSERT INTO outbox (event) SELECT $6::json FROM written RETURNING 1
        """
    static let name = "twins_insert_twin"
    typealias Row = Int

    var id: String
    var modelID: String
    var etag: String
    var body: String
    var generation: Int64
    var event: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(id)
        bindings.append(modelID)
        bindings.append(etag)
        bindings.append(body)
        bindings.append(generation)
        bindings.append(event)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self) }
}

/// Replaces a twin's model, ETag and body if its ETag is still `previousETag` and the model
/// generation has not moved; with its event. Returns one row when written.
struct UpdateTwinStatement: PostgresPreparedStatement {
    static let sql = """
        WITH written AS (
            UPDATE twins SET model_id = $2, etag = $3::uuid, body = $4::json
            WHERE id = $1 AND etag = $7::uuid AND (SELECT generation FROM model_generation) = $5
            RETURNING 1
        )
        INSERT INTO outbox (event) SELECT $6::json FROM written RETURNING 1
        """
    static let name = "twins_update_twin"
    typealias Row = Int

    var id: String
    var modelID: String
    var etag: String
    var body: String
    var generation: Int64
    var event: String
    var previousETag: String

    /// The statement for one update of ``TwinUpdate``'s shape.
    init(_ update: TwinUpdate) {
        id = update.id
        modelID = update.modelID
        etag = update.etag
        body = update.body
        generation = update.generation
        event = update.event
        previousETag = update.previousETag
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(id)
        bindings.append(modelID)
        bindings.append(etag)
        bindings.append(body)
        bindings.append(generation)
        bindings.append(event)
        bindings.append(previousETag)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self) }
}

/// Deletes a twin whose ETag is still `$2` and that has no relationship in or out, and writes
/// its change event `$3`; no row when it changed nothing. A relationship created by a
/// transaction that the statement's snapshot does not see makes the foreign keys refuse the
/// delete (SQLSTATE 23503) instead.
struct DeleteTwinStatement: PostgresPreparedStatement {
    static let sql = """
        WITH deleted AS (
            DELETE FROM twins WHERE id = $1 AND etag = $2::uuid
              AND NOT EXISTS (SELECT 1 FROM relationships WHERE source_id = $1)
              AND NOT EXISTS (SELECT 1 FROM relationships WHERE target_id = $1)
            RETURNING 1
        )
        INSERT INTO outbox (event) SELECT $3::json FROM deleted RETURNING 1
        """
    static let name = "twins_delete_twin"
    typealias Row = Int

    var id: String
    var etag: String
    var event: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(id)
        bindings.append(etag)
        bindings.append(event)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self) }
}
