-- Kept in lockstep with the other engine's 0003_run_paging.sql.
-- Stage input is paged in id order after a cursor (WHERE account, site, status AND id > $after
-- ORDER BY id): each index ends in id so the page is one range scan, not a sort of the status.
DROP INDEX clusters_by_status;
DROP INDEX keywords_by_status;
DROP INDEX ideas_by_status;
DROP INDEX tasks_by_status;
DROP INDEX content_by_status;
DROP INDEX images_by_status;
CREATE INDEX clusters_by_status ON clusters (account_id, site_id, status, id);
CREATE INDEX keywords_by_status ON keywords (account_id, site_id, status, id);
CREATE INDEX ideas_by_status ON ideas (account_id, site_id, status, id);
CREATE INDEX tasks_by_status ON tasks (account_id, site_id, status, id);
CREATE INDEX content_by_status ON content (account_id, site_id, status, id);
CREATE INDEX images_by_status ON images (account_id, site_id, status, id);

-- The providers and models a run's driver used (JSON), shown by `runs status`.
ALTER TABLE automation_runs ADD COLUMN providers TEXT;

-- A cluster's keywords (its counts after every clustering batch, the keywords an idea is
-- written from) and a run's credits per function (Stage 6's progress) were full scans of the
-- account's rows: cost per item grew with the site.
CREATE INDEX keywords_by_cluster ON keywords (cluster_id);
CREATE INDEX ai_usage_by_run ON ai_usage (run_id, function);
