-- Relationships. The id is unique within the source twin; ADT lists relationships in ordinal
-- order of their ids, hence the "C" collation. `body` is the relationship as served.
-- The foreign keys are a safety net: the service refuses to delete a twin that still has
-- relationships with ADT's own error before the database would.
CREATE TABLE relationships (
    source_id text NOT NULL REFERENCES twins (id),
    id text COLLATE "C" NOT NULL,
    name text NOT NULL,
    target_id text NOT NULL REFERENCES twins (id),
    etag uuid NOT NULL,
    body json NOT NULL,
    PRIMARY KEY (source_id, id)
);
-- Incoming lists (by target, in id order) and the check before deleting a twin.
CREATE INDEX relationships_target ON relationships (target_id, id);
-- Outgoing lists filtered by name.
CREATE INDEX relationships_name ON relationships (source_id, name, id);
