-- The live event stream (GET /events): while a watcher is connected to any gateway, the router
-- also copies every notification it takes from the outbox here, in routing order (one router at
-- a time, so `id` order is commit order); each gateway with watchers reads the new rows and
-- passes them on. Rows older than a minute are deleted; without watchers nothing is copied.
CREATE TABLE event_stream (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    event json NOT NULL
);

-- Gateways with live watchers, by heartbeat.
CREATE TABLE event_watchers (
    gateway text PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);
