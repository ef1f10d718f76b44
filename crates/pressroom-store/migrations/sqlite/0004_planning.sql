-- Kept in lockstep with the other engine's 0004_planning.sql.
-- Whole-list clustering and one article per search intent.

-- The similarity a cluster's method joined keywords at (lexical or embedding cosine, or SERP
-- URLs shared); NULL for clusters made by a model in batches or by a person.
ALTER TABLE clusters ADD COLUMN threshold DOUBLE PRECISION;

-- An idea's primary keyword reduced to its meaningful terms (`pressroom_domain::clustering::
-- terms`, joined by spaces). One idea per site for each, so no two articles compete for one
-- search; NULL on ideas planned before this rule.
ALTER TABLE ideas ADD COLUMN primary_terms TEXT;
CREATE UNIQUE INDEX ideas_primary_terms ON ideas (site_id, primary_terms);

-- What a run is limited to (JSON: chosen clusters, at most N articles); NULL is the whole site.
ALTER TABLE automation_runs ADD COLUMN scope TEXT;
