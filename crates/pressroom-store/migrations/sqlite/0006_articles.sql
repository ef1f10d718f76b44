-- Kept in lockstep with the other engine's 0006_articles.sql.
-- Articles an editor would publish: the on-page check, versions kept as revisions, internal
-- links between a cluster's articles, and images with alt text, a section and a generation.

-- Written by the built-in offline writer: a sample, never published as is.
ALTER TABLE content ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
-- 1 for the first text; each regenerate or restore adds one.
ALTER TABLE content ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- The on-page check as of the last write (JSON of `article::OnPageReport`); NULL = not checked.
ALTER TABLE content ADD COLUMN checks TEXT;
-- The check's score (0-100) beside it, so lists filter and sort without parsing JSON.
ALTER TABLE content ADD COLUMN seo_score INTEGER;

-- What the image shows, for readers who cannot see it ('' on images made before this).
ALTER TABLE images ADD COLUMN alt_text TEXT NOT NULL DEFAULT '';
-- The H2 heading an in-article image follows; NULL for the featured image.
ALTER TABLE images ADD COLUMN section TEXT;
-- 1 for the first picture; each regenerate or upload adds one, so each is charged once.
ALTER TABLE images ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;

-- An earlier text of an article, kept when it is regenerated or another revision restored.
CREATE TABLE content_revisions (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    content_id INTEGER NOT NULL REFERENCES content (id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    meta_title TEXT NOT NULL,
    meta_description TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    primary_keyword TEXT NOT NULL,
    offline INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX content_revisions_by_content ON content_revisions (content_id, version);

-- A link from one article to another of its cluster, at the first mention of `anchor` in the
-- source's text. `removed` rows are a person's decision kept as tombstones, so planning the
-- links again does not put them back: one row per (source, target) whatever its status.
CREATE TABLE internal_links (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    site_id INTEGER NOT NULL REFERENCES sites (id),
    source_id INTEGER NOT NULL REFERENCES content (id),
    target_id INTEGER NOT NULL REFERENCES content (id),
    anchor TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at INTEGER NOT NULL,
    UNIQUE (source_id, target_id),
    CHECK (source_id <> target_id)
);
CREATE INDEX internal_links_by_target ON internal_links (target_id);

-- A cluster's ideas and articles are read per article written (the writer's related keywords,
-- link planning): by index, so the cost per article does not grow with the site.
CREATE INDEX ideas_by_cluster ON ideas (cluster_id, id);
CREATE INDEX tasks_by_cluster ON tasks (cluster_id, idea_id);
