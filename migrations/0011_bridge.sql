-- Bridge mode: what a `digitaltwins` endpoint applied to the other instance.
--
-- `bridge_memory` keeps, per endpoint and twin, a fingerprint of each property value the bridge
-- last wrote there: a property that still holds it was not written on the other side since, so
-- a newer change applies without a conflict (see TwinBridge.TwinMerge). `bridge_stats` counts
-- the outcomes per endpoint, for `twins bridge status`.
CREATE TABLE bridge_memory (
    endpoint text COLLATE "C" NOT NULL,
    twin_id text COLLATE "C" NOT NULL,
    fingerprints jsonb NOT NULL,
    PRIMARY KEY (endpoint, twin_id)
);

CREATE TABLE bridge_stats (
    endpoint text COLLATE "C" PRIMARY KEY,
    applied bigint NOT NULL DEFAULT 0,      -- changes written to the other side
    unchanged bigint NOT NULL DEFAULT 0,    -- changes it had already
    echoes bigint NOT NULL DEFAULT 0,       -- changes that came from it, not sent back
    ignored bigint NOT NULL DEFAULT 0,      -- telemetry and other notifications
    conflicts bigint NOT NULL DEFAULT 0,    -- property paths where its own newer write won
    last_conflict text,
    last_conflict_at timestamptz,
    last_applied_at timestamptz
);
