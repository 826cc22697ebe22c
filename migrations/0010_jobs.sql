-- Bulk jobs (ADT's /jobs API): imports from an NDJSON file and deletions of the whole graph.
-- Any gateway process on the database may run a job: it claims it by setting `runner` and keeps
-- `heartbeat_at` fresh; a job whose runner stopped beating is taken over and resumed.
CREATE TABLE jobs (
    kind text NOT NULL CHECK (kind IN ('import', 'delete')),
    id text NOT NULL,
    -- Creation order; the lists follow it (keyset paging).
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    status text NOT NULL DEFAULT 'notstarted'
        CHECK (status IN ('notstarted', 'running', 'failed', 'succeeded', 'cancelling', 'cancelled')),
    -- Imports: where the input file is read and the output log written, as the caller gave them.
    input_uri text,
    output_uri text,
    -- Deletions: how long the job may run before it fails.
    timeout_minutes integer,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_action_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    purge_at timestamptz NOT NULL,
    -- ADT's error object ({"code", "message"}) of a failed job.
    error json,
    -- Imports: the input lines applied so far (the resume point) and what they did.
    lines_done bigint NOT NULL DEFAULT 0,
    counts json NOT NULL DEFAULT '{}',
    -- Imports: bytes of the output log written, and the last log line written.
    log_bytes bigint NOT NULL DEFAULT 0,
    log_seq bigint NOT NULL DEFAULT 0,
    runner text,
    heartbeat_at timestamptz,
    PRIMARY KEY (kind, id)
);

-- ADT runs one bulk job at a time: a second active one is refused (JobLimitReached).
CREATE UNIQUE INDEX jobs_one_active ON jobs ((true)) WHERE status IN ('notstarted', 'running', 'cancelling');

-- Output log lines of a running import, written in the transaction of the batch they describe
-- and removed once appended to the output file, so a restart neither loses nor repeats a line.
CREATE TABLE job_log (
    job_id text NOT NULL,
    seq bigint NOT NULL,
    line text NOT NULL,
    PRIMARY KEY (job_id, seq)
);
