-- Kept in lockstep with the other engine's 0005_embeddings_serp.sql.
-- Inputs of the embedding and SERP clustering methods.

-- Embedding vectors per (account, model, normalised phrase), so a phrase is paid for once
-- per model: little-endian f32s, `dimensions` of them.
CREATE TABLE embedding_cache (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    model TEXT NOT NULL,
    normalised TEXT NOT NULL,
    dimensions BIGINT NOT NULL,
    vector BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, model, normalised)
);

-- A keyword's top-10 search results as a rank tracker exported them (`pressroom serp
-- import`), by the keyword's normalised phrase; `rank` is 1..10 in position order, so
-- ties in the export's positions keep both rows. A re-import of a keyword replaces its rows.
CREATE TABLE serp_results (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    normalised TEXT NOT NULL,
    rank BIGINT NOT NULL,
    position BIGINT NOT NULL,
    url TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, normalised, rank)
);
