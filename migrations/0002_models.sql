-- Models: each DTDL interface as uploaded, with what the API lists about it.
CREATE TABLE models (
    id text PRIMARY KEY,
    -- Upload order; pages of GET /models follow it (keyset paging).
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- The interface exactly as uploaded (json keeps the text and its key order).
    definition json NOT NULL,
    -- Language maps for the model list ({"en": "..."}), computed at upload.
    display_name json NOT NULL,
    description json NOT NULL,
    upload_time timestamptz NOT NULL DEFAULT clock_timestamp(),
    decommissioned boolean NOT NULL DEFAULT false
);

-- Every interface a model derives from, transitively (for IS_OF_MODEL and derived targets).
CREATE TABLE model_bases (
    model_id text NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    base_id text NOT NULL,
    PRIMARY KEY (model_id, base_id)
);
CREATE INDEX model_bases_base ON model_bases (base_id);

-- What a model uses directly (extends and component schemas): a model another one references
-- cannot be deleted, and GET /models?dependenciesFor= walks these edges.
CREATE TABLE model_references (
    model_id text NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    referenced_id text NOT NULL,
    PRIMARY KEY (model_id, referenced_id)
);
CREATE INDEX model_references_referenced ON model_references (referenced_id);

-- A counter bumped by every model change, read inside write transactions so that a gateway
-- never validates against a stale in-memory model graph.
CREATE TABLE model_generation (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation bigint NOT NULL
);
INSERT INTO model_generation (generation) VALUES (0);
