import PostgresSupport
import Testing

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesAndComments() {
        let script = """
            -- leading comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'a;b''c');
            /* block; /* nested; */ still comment; */ INSERT INTO a VALUES (E'it\\'s;');
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            DO $$ BEGIN PERFORM 1; END $$;
            SELECT "odd;name" FROM a WHERE x = $1;
            -- trailing comment
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 5, "\(statements)")
        #expect(statements[0].hasSuffix("DEFAULT 'a;b''c')"))
        #expect(statements[1].hasSuffix("VALUES (E'it\\'s;')"))
        #expect(statements[2].contains("$body$ SELECT 1; $body$"))
        #expect(statements[3] == "DO $$ BEGIN PERFORM 1; END $$")
        #expect(statements[4] == "SELECT \"odd;name\" FROM a WHERE x = $1")
    }

    @Test func emptyScriptsHaveNoStatements() {
        #expect(SQLScript.statements("").isEmpty)
        #expect(SQLScript.statements("  ;\n-- only a comment\n").isEmpty)
    }
}
