-- Pressroom schema, SQLite. Kept in lockstep with ../postgres/0001_initial.sql: same tables,
-- columns, constraints and indexes; only the type names differ. Times are INTEGER ms since epoch.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    credits INTEGER NOT NULL DEFAULT 0 CHECK (credits >= 0),
    status TEXT NOT NULL DEFAULT 'active',
    is_local_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
-- At most one local default account: the one a single user gets without signing up.
CREATE UNIQUE INDEX accounts_one_local_default ON accounts (is_local_default) WHERE is_local_default;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'active',
    last_used_at INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_sha256 TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    domain TEXT,
    language TEXT NOT NULL DEFAULT 'en',
    settings TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'active',
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE clusters (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    keyword_count INTEGER NOT NULL DEFAULT 0,
    total_volume INTEGER NOT NULL DEFAULT 0,
    method TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, name)
);
CREATE INDEX clusters_by_status ON clusters (account_id, site_id, status);

CREATE TABLE keywords (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    phrase TEXT NOT NULL,
    normalised TEXT NOT NULL,
    volume INTEGER,
    difficulty INTEGER CHECK (difficulty BETWEEN 0 AND 100),
    cpc_micros INTEGER CHECK (cpc_micros >= 0),
    intent TEXT,
    country TEXT,
    source TEXT NOT NULL DEFAULT 'import',
    cluster_id INTEGER REFERENCES clusters (id),
    status TEXT NOT NULL DEFAULT 'new',
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, normalised)
);
CREATE INDEX keywords_by_status ON keywords (account_id, site_id, status);

CREATE TABLE ideas (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    cluster_id INTEGER NOT NULL REFERENCES clusters (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    outline TEXT NOT NULL DEFAULT '[]',
    primary_keyword TEXT NOT NULL DEFAULT '',
    secondary_keywords TEXT NOT NULL DEFAULT '[]',
    content_structure TEXT NOT NULL,
    target_words INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    created_at INTEGER NOT NULL
);
CREATE INDEX ideas_by_status ON ideas (account_id, site_id, status);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    idea_id INTEGER NOT NULL UNIQUE REFERENCES ideas (id),
    cluster_id INTEGER NOT NULL REFERENCES clusters (id),
    title TEXT NOT NULL,
    brief TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    target_words INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX tasks_by_status ON tasks (account_id, site_id, status);

CREATE TABLE content (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    task_id INTEGER NOT NULL UNIQUE REFERENCES tasks (id),
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    meta_title TEXT NOT NULL DEFAULT '',
    meta_description TEXT NOT NULL DEFAULT '',
    excerpt TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    word_count INTEGER NOT NULL,
    primary_keyword TEXT NOT NULL DEFAULT '',
    secondary_keywords TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'draft',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX content_by_status ON content (account_id, site_id, status);

CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    content_id INTEGER NOT NULL REFERENCES content (id),
    image_type TEXT NOT NULL,
    position INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    negative_prompt TEXT,
    provider TEXT,
    model TEXT,
    size TEXT NOT NULL,
    file_path TEXT,
    public_url TEXT,
    bytes INTEGER,
    sha256 TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (content_id, image_type, position)
);
CREATE INDEX images_by_status ON images (account_id, site_id, status);

CREATE TABLE automation_runs (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    trigger TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    current_stage INTEGER NOT NULL DEFAULT 1,
    stage_results TEXT NOT NULL DEFAULT '[]',
    credits_used INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
-- The per-site lock: at most one queued, running or paused run per site, held by the database.
CREATE UNIQUE INDEX automation_runs_one_active_per_site ON automation_runs (site_id)
    WHERE status IN ('queued', 'running', 'paused');

CREATE TABLE run_events (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    run_id INTEGER NOT NULL REFERENCES automation_runs (id),
    stage INTEGER,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE INDEX run_events_by_run ON run_events (run_id, id);

CREATE TABLE ai_usage (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER REFERENCES sites (id),
    function TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    tokens_in INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    images INTEGER NOT NULL DEFAULT 0,
    cost_micros INTEGER NOT NULL DEFAULT 0,
    credits INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    success INTEGER NOT NULL,
    error TEXT,
    subject_entity TEXT,
    subject_id INTEGER,
    run_id INTEGER REFERENCES automation_runs (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX ai_usage_by_account ON ai_usage (account_id, created_at);

CREATE TABLE credit_entries (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    usage_id INTEGER REFERENCES ai_usage (id),
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, idempotency_key)
);
