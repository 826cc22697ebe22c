-- The instance record: one row saying when this database became a twins instance.
-- The data tables (models, twins, relationships, outbox) arrive with the API in later files.
CREATE TABLE twins_instance (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO twins_instance DEFAULT VALUES;
