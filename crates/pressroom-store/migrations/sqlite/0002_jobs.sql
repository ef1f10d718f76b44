-- The durable job queue (pressroom-queue), SQLite. Kept in lockstep with ../postgres/0002_jobs.sql.
-- A job is claimed by lease (lease_owner + lease_expires_at), never by holding a transaction open;
-- `attempts` is counted at claim time and doubles as the fencing token of that claim.
-- run_id and account_id carry no foreign keys: the queue does not know what a job means.

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    queue TEXT NOT NULL DEFAULT 'default',
    priority INTEGER NOT NULL DEFAULT 0,
    run_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    state TEXT NOT NULL DEFAULT 'available'
        CHECK (state IN ('available', 'running', 'done', 'dead', 'cancelled')),
    lease_owner TEXT,
    lease_expires_at INTEGER,
    dedupe_key TEXT,
    last_error TEXT,
    run_id INTEGER,
    account_id INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
-- What a claim scans: only available rows are in it, in claim order.
CREATE INDEX jobs_ready ON jobs (queue, priority DESC, run_at, id) WHERE state = 'available';
-- What a rescue scans: only running rows.
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
-- A dedupe key is unique among live jobs only: once a job is finished its key can be used again.
CREATE UNIQUE INDEX jobs_live_dedupe ON jobs (dedupe_key)
    WHERE dedupe_key IS NOT NULL AND state IN ('available', 'running');
CREATE INDEX jobs_by_run ON jobs (run_id, state) WHERE run_id IS NOT NULL;
