-- Installs started before tenant stores have ids that do not name their subscription (a store's
-- do: ins.<subscription>.<uuid>). The move routes each one still waiting for its vendor here, so
-- that the vendor's completion still finds its tenant.
CREATE TABLE install_routes (
  install_id      TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL
) WITHOUT ROWID;
