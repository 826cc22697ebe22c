-- Query support (POST /query).
--
-- Conditions read a jsonb copy of each document, kept by PostgreSQL beside the stored JSON text
-- (which GET and query rows serve as it is, key order included). The copy costs a conversion per
-- write and the space of a second copy; it buys indexable property tests.
ALTER TABLE twins ADD COLUMN doc jsonb GENERATED ALWAYS AS (body::jsonb) STORED;
ALTER TABLE relationships ADD COLUMN doc jsonb GENERATED ALWAYS AS (body::jsonb) STORED;

-- Property equality (`T.name = 'x'`, any depth) is compiled to containment (`doc @> '{"name":"x"}'`),
-- which these indexes serve. jsonb_path_ops: smaller and faster than the default operator class,
-- and containment is the only operator the compiler asks of them.
CREATE INDEX twins_doc ON twins USING gin (doc jsonb_path_ops);
CREATE INDEX relationships_doc ON relationships USING gin (doc jsonb_path_ops);
-- IS_OF_MODEL finds model ids through models and model_bases, then twins through twins_model.
-- `$dtId` uses the primary key; JOIN and MATCH follow relationships by (source_id, name) and
-- target_id, all indexed already. Ranges over a hot property can be indexed by the operator:
--   CREATE INDEX ON twins (twins_number(doc -> 'temperature'));
-- matches the compiler's `twins_number(t0.doc -> 'temperature') > ...` (see docs/query.md).

-- Typed reads of a jsonb value: NULL unless the value has that type, so that a comparison
-- between different types, or with a missing property, is NULL (undefined) as in ADT.
CREATE FUNCTION twins_number(v jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN v::numeric END $$;
CREATE FUNCTION twins_string(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}' END $$;
CREATE FUNCTION twins_bool(v jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN jsonb_typeof(v) = 'boolean' THEN v::boolean END $$;

-- The version of a model id (`dtmi:ex:Room;2` or `;2.1`) as {major, minor}, for IS_OF_MODEL's
-- "this version or a later one".
CREATE FUNCTION twins_model_version(id text) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY[
    coalesce(nullif(split_part(split_part(id, ';', 2), '.', 1), '')::bigint, 0),
    coalesce(nullif(split_part(split_part(id, ';', 2), '.', 2), '')::bigint, 0)] $$;
