-- Event routes (PUT/GET/DELETE /eventroutes/{id}): which notifications go to which endpoint.
--
-- The filter is kept as written (ADT returns it byte for byte); every process parses it itself.
-- Reads go to this table, so every gateway on the database sees a change at once.
CREATE TABLE event_routes (
    id text PRIMARY KEY COLLATE "C",
    endpoint_name text NOT NULL,
    filter text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
