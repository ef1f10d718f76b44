-- Publishing: destinations per site and one publication record per (article, destination).

-- Where a site's articles go. The secret (WordPress application password, webhook signing
-- secret) is stored only sealed. Removed destinations stay, so their records stay readable.
CREATE TABLE destinations (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    -- wordpress | webhook
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    username TEXT,
    sealed_secret TEXT NOT NULL,
    -- JSON DestinationOptions and PublishSchedule.
    options TEXT NOT NULL,
    schedule TEXT NOT NULL,
    -- active | removed
    status TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX destinations_by_site ON destinations (account_id, site_id, id);

-- One article at one destination: never two posts for one article there.
CREATE TABLE publications (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    content_id BIGINT NOT NULL REFERENCES content (id),
    destination_id BIGINT NOT NULL REFERENCES destinations (id),
    -- pending | sending | published | failed | unknown | unpublished
    status TEXT NOT NULL,
    scheduled_at BIGINT,
    held BOOLEAN NOT NULL DEFAULT FALSE,
    force_offline BOOLEAN NOT NULL DEFAULT FALSE,
    external_id TEXT,
    url TEXT,
    sent_version BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    seo_report TEXT,
    live_check TEXT,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (content_id, destination_id)
);
-- The scheduler reads what is due; the queue view reads a destination's items in slot order.
CREATE INDEX publications_due ON publications (status, scheduled_at);
CREATE INDEX publications_by_destination ON publications (account_id, destination_id, scheduled_at);
CREATE INDEX publications_by_site ON publications (account_id, site_id, id);
