-- Digital twins. `body` is the twin exactly as served (json keeps the text and its key order),
-- so GET sends it without decoding.
CREATE TABLE twins (
    id text PRIMARY KEY,
    model_id text NOT NULL,
    etag uuid NOT NULL,
    body json NOT NULL
);
CREATE INDEX twins_model ON twins (model_id);

-- Change events (ADT's CloudEvents), written in the same transaction as the change; event
-- routes deliver from here.
CREATE TABLE outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    event json NOT NULL
);
