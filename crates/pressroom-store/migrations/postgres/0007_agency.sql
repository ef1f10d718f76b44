-- Kept in lockstep with the other engine's 0007_agency.sql.
-- The agency's week: a change log of site settings, provider keys per account (encrypted),
-- scheduled runs (one row per slot), per-site budgets (spend read from ai_usage) and signed
-- webhooks with their delivery log.

-- Who changed which setting of a site, when, from what to what (JSON values).
CREATE TABLE settings_changes (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    -- The user who changed it; NULL for the CLI (an operator on the machine).
    user_id BIGINT REFERENCES users (id),
    -- "cli", or the user's email as it was then.
    actor TEXT NOT NULL,
    key TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX settings_changes_by_site ON settings_changes (account_id, site_id, id);

-- A known text sealed under the secret key by the first process that had one: a process
-- whose key cannot open it refuses to start, instead of sealing new secrets no other process
-- can open (or failing every webhook delivery it picks up).
CREATE TABLE secret_check (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- An AI provider key of an account. The key itself is only ever stored sealed (nonce and
-- ciphertext, hex) under the process's secret key; `hint` is its last four characters.
CREATE TABLE provider_keys (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    sealed TEXT NOT NULL,
    hint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

-- When the site's next scheduled slot is due (UTC ms); NULL when it has no schedule. The
-- scheduler reads due sites through the index and claims a slot by moving this forward.
ALTER TABLE sites ADD COLUMN next_slot_at BIGINT;
CREATE INDEX sites_by_next_slot ON sites (next_slot_at);

-- One row per scheduled slot a scheduler claimed: what came of it. Unique per site and slot,
-- so no slot runs twice whatever the number of processes.
CREATE TABLE schedule_slots (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    slot_at BIGINT NOT NULL,
    -- started | skipped | refused
    outcome TEXT NOT NULL,
    run_id BIGINT REFERENCES automation_runs (id),
    detail TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (site_id, slot_at)
);
CREATE INDEX schedule_slots_by_site ON schedule_slots (account_id, site_id, slot_at);

-- A site's spend in a month is summed from ai_usage by site and time.
CREATE INDEX ai_usage_by_site ON ai_usage (site_id, created_at);

-- A site's credits per quarter hour (UTC), added in the transaction of each AI call, so a
-- month's spend (checked before every paid call when the site has a budget) is a sum of at
-- most ~3,000 rows however many calls the month had. Every time zone's offset is a whole
-- number of quarter hours, so a local month starts on a quarter.
CREATE TABLE site_spend (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    quarter_at BIGINT NOT NULL,
    credits BIGINT NOT NULL,
    PRIMARY KEY (site_id, quarter_at)
);
INSERT INTO site_spend (account_id, site_id, quarter_at, credits)
    SELECT account_id, site_id, (created_at / 900000) * 900000, SUM(credits)
    FROM ai_usage WHERE site_id IS NOT NULL
    GROUP BY account_id, site_id, (created_at / 900000) * 900000;

-- Where an account's notifications go. The secret signs each delivery; sealed like keys.
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    url TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    -- JSON array of event names it wants.
    events TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_by_account ON webhooks (account_id, id);

-- One event sent to one webhook: the exact body signed, and every attempt's outcome.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id),
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending | delivered | failed
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    response_status BIGINT,
    error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (account_id, webhook_id, id);
