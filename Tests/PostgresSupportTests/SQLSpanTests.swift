import PostgresSupport
import Testing

/// Span names for statements follow OpenTelemetry's database conventions: operation and table.
struct SQLSpanTests {
    @Test(arguments: [
        ("SELECT body, etag FROM twins WHERE id = $1", "SELECT twins"),
        ("select generation from model_generation for update", "SELECT model_generation"),
        ("INSERT INTO outbox (event) VALUES ($1::json)", "INSERT outbox"),
        ("UPDATE twins SET body = $1 WHERE id = $2", "UPDATE twins"),
        ("DELETE FROM twins WHERE id = $1", "DELETE twins"),
        (
            "WITH written AS (\n    UPDATE twins SET body = $1 RETURNING 1\n)\nINSERT INTO outbox (event) SELECT $2 FROM written",
            "UPDATE twins"
        ),
        ("WITH RECURSIVE ancestors AS (SELECT id FROM models) SELECT * FROM ancestors", "SELECT models"),
        ("LISTEN twins_models", "LISTEN"),
        ("", "SQL"),
    ])
    func namesStatements(sql: String, name: String) {
        #expect(SQLSpan.name(of: sql) == name)
    }
}
