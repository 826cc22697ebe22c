-- Delivery of change notifications to the endpoints that event routes name.
--
-- Flow: a write puts its notification in `outbox` (its own transaction); one router at a time
-- (an advisory lock) moves each notification into `event_deliveries`, one row per endpoint whose
-- route matches, and deletes it from the outbox (a notification that no route matches is
-- dropped), so the outbox holds only what is not yet routed. Delivered rows are deleted; rows
-- older than the time to live move to `event_dead_letters`.
--
-- Order and sharing: a notification belongs to one of 16 partitions by its twin's id; a partition
-- is leased by one gateway process at a time (`event_partitions`), which delivers its rows to
-- each endpoint in `seq` order, one batch at a time. So the events of one twin reach an endpoint
-- in order, and several gateways share the work without sending an event twice.

CREATE TABLE event_deliveries (
    endpoint text COLLATE "C" NOT NULL,
    partition smallint NOT NULL,
    seq bigint NOT NULL,                            -- the outbox's: the order within the partition
    created_at timestamptz NOT NULL,                -- when the change was written (the TTL counts from it)
    event json NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    PRIMARY KEY (endpoint, partition, seq)
);

CREATE TABLE event_dead_letters (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint text COLLATE "C" NOT NULL,
    partition smallint NOT NULL,
    seq bigint NOT NULL,
    created_at timestamptz NOT NULL,
    dead_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL,
    last_error text,
    event json NOT NULL
);
CREATE INDEX event_dead_letters_endpoint ON event_dead_letters (endpoint, id);

-- Who delivers which partition, until when.
CREATE TABLE event_partitions (
    partition smallint PRIMARY KEY,
    owner text,
    lease_until timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO event_partitions (partition) SELECT generate_series(0, 15);

-- The delivering processes, by heartbeat: each takes its share of the partitions.
CREATE TABLE event_workers (
    id text PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- Counters per endpoint and partition (one writer each: the partition's owner).
CREATE TABLE event_delivery_stats (
    endpoint text COLLATE "C" NOT NULL,
    partition smallint NOT NULL,
    delivered bigint NOT NULL DEFAULT 0,
    failed bigint NOT NULL DEFAULT 0,               -- failed attempts
    dead_lettered bigint NOT NULL DEFAULT 0,
    last_delivered_at timestamptz,
    last_error text,
    last_error_at timestamptz,
    PRIMARY KEY (endpoint, partition)
);
