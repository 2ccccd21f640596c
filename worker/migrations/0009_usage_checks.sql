-- When a vendor last asked whether a user may use its app (GET …/usage-rights), per subscription:
-- the evidence the workbench's reclaim list reads (seats a vendor has not asked about for 30 days,
-- or never since the seat was given, are likely not used).

CREATE TABLE usage_checks (
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  user_id         TEXT NOT NULL REFERENCES users(id),
  tenant_id       TEXT NOT NULL,
  last_asked_at   TEXT NOT NULL,
  PRIMARY KEY (subscription_id, user_id)
) WITHOUT ROWID;
