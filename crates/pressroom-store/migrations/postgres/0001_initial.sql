-- Pressroom schema, PostgreSQL. Kept in lockstep with ../sqlite/0001_initial.sql: same tables,
-- columns, constraints and indexes; only the type names differ. Times are BIGINT ms since epoch.

CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    credits BIGINT NOT NULL DEFAULT 0 CHECK (credits >= 0),
    status TEXT NOT NULL DEFAULT 'active',
    is_local_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
-- At most one local default account: the one a single user gets without signing up.
CREATE UNIQUE INDEX accounts_one_local_default ON accounts (is_local_default) WHERE is_local_default;

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'active',
    last_used_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_sha256 TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sites (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    domain TEXT,
    language TEXT NOT NULL DEFAULT 'en',
    settings TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE clusters (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    keyword_count BIGINT NOT NULL DEFAULT 0,
    total_volume BIGINT NOT NULL DEFAULT 0,
    method TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    created_at BIGINT NOT NULL,
    UNIQUE (site_id, name)
);
CREATE INDEX clusters_by_status ON clusters (account_id, site_id, status);

CREATE TABLE keywords (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    phrase TEXT NOT NULL,
    normalised TEXT NOT NULL,
    volume BIGINT,
    difficulty BIGINT CHECK (difficulty BETWEEN 0 AND 100),
    cpc_micros BIGINT CHECK (cpc_micros >= 0),
    intent TEXT,
    country TEXT,
    source TEXT NOT NULL DEFAULT 'import',
    cluster_id BIGINT REFERENCES clusters (id),
    status TEXT NOT NULL DEFAULT 'new',
    created_at BIGINT NOT NULL,
    UNIQUE (site_id, normalised)
);
CREATE INDEX keywords_by_status ON keywords (account_id, site_id, status);

CREATE TABLE ideas (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    cluster_id BIGINT NOT NULL REFERENCES clusters (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    outline TEXT NOT NULL DEFAULT '[]',
    primary_keyword TEXT NOT NULL DEFAULT '',
    secondary_keywords TEXT NOT NULL DEFAULT '[]',
    content_structure TEXT NOT NULL,
    target_words BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    created_at BIGINT NOT NULL
);
CREATE INDEX ideas_by_status ON ideas (account_id, site_id, status);

CREATE TABLE tasks (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    idea_id BIGINT NOT NULL UNIQUE REFERENCES ideas (id),
    cluster_id BIGINT NOT NULL REFERENCES clusters (id),
    title TEXT NOT NULL,
    brief TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    target_words BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX tasks_by_status ON tasks (account_id, site_id, status);

CREATE TABLE content (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    task_id BIGINT NOT NULL UNIQUE REFERENCES tasks (id),
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    meta_title TEXT NOT NULL DEFAULT '',
    meta_description TEXT NOT NULL DEFAULT '',
    excerpt TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    word_count BIGINT NOT NULL,
    primary_keyword TEXT NOT NULL DEFAULT '',
    secondary_keywords TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'draft',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX content_by_status ON content (account_id, site_id, status);

CREATE TABLE images (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    content_id BIGINT NOT NULL REFERENCES content (id),
    image_type TEXT NOT NULL,
    position BIGINT NOT NULL,
    prompt TEXT NOT NULL,
    negative_prompt TEXT,
    provider TEXT,
    model TEXT,
    size TEXT NOT NULL,
    file_path TEXT,
    public_url TEXT,
    bytes BIGINT,
    sha256 TEXT,
    error TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (content_id, image_type, position)
);
CREATE INDEX images_by_status ON images (account_id, site_id, status);

CREATE TABLE automation_runs (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    trigger TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    current_stage BIGINT NOT NULL DEFAULT 1,
    stage_results TEXT NOT NULL DEFAULT '[]',
    credits_used BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
-- The per-site lock: at most one queued, running or paused run per site, held by the database.
CREATE UNIQUE INDEX automation_runs_one_active_per_site ON automation_runs (site_id)
    WHERE status IN ('queued', 'running', 'paused');

CREATE TABLE run_events (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    run_id BIGINT NOT NULL REFERENCES automation_runs (id),
    stage BIGINT,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX run_events_by_run ON run_events (run_id, id);

CREATE TABLE ai_usage (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT REFERENCES sites (id),
    function TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    tokens_in BIGINT NOT NULL DEFAULT 0,
    tokens_out BIGINT NOT NULL DEFAULT 0,
    images BIGINT NOT NULL DEFAULT 0,
    cost_micros BIGINT NOT NULL DEFAULT 0,
    credits BIGINT NOT NULL DEFAULT 0,
    latency_ms BIGINT NOT NULL DEFAULT 0,
    success BOOLEAN NOT NULL,
    error TEXT,
    subject_entity TEXT,
    subject_id BIGINT,
    run_id BIGINT REFERENCES automation_runs (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX ai_usage_by_account ON ai_usage (account_id, created_at);

CREATE TABLE credit_entries (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
    usage_id BIGINT REFERENCES ai_usage (id),
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, idempotency_key)
);
