-- Each subscription keeps its seat counts (R2: `assigned`, and the waiting queue's length) in its
-- own row, so the guards, the answers and the summary read two columns instead of counting a
-- subscription's licenses on every request (a count grows with the seats; BENCHMARKS.md).
-- Triggers keep them exact in the same statement as every license written, whichever change writes it.

ALTER TABLE subscriptions ADD COLUMN active_licenses INTEGER NOT NULL DEFAULT 0 CHECK (active_licenses >= 0);
ALTER TABLE subscriptions ADD COLUMN waiting_licenses INTEGER NOT NULL DEFAULT 0 CHECK (waiting_licenses >= 0);

UPDATE subscriptions SET
  active_licenses = (SELECT COUNT(*) FROM licenses l WHERE l.subscription_id = subscriptions.id AND l.state = 'active'),
  waiting_licenses = (SELECT COUNT(*) FROM licenses l WHERE l.subscription_id = subscriptions.id AND l.state = 'waiting');

CREATE TRIGGER licenses_count_insert AFTER INSERT ON licenses BEGIN
  UPDATE subscriptions SET active_licenses = active_licenses + (NEW.state = 'active'),
                           waiting_licenses = waiting_licenses + (NEW.state = 'waiting')
   WHERE id = NEW.subscription_id;
END;

CREATE TRIGGER licenses_count_delete AFTER DELETE ON licenses BEGIN
  UPDATE subscriptions SET active_licenses = active_licenses - (OLD.state = 'active'),
                           waiting_licenses = waiting_licenses - (OLD.state = 'waiting')
   WHERE id = OLD.subscription_id;
END;

CREATE TRIGGER licenses_count_update AFTER UPDATE OF state, subscription_id ON licenses
WHEN OLD.state IS NOT NEW.state OR OLD.subscription_id IS NOT NEW.subscription_id BEGIN
  UPDATE subscriptions SET active_licenses = active_licenses - (OLD.state = 'active'),
                           waiting_licenses = waiting_licenses - (OLD.state = 'waiting')
   WHERE id = OLD.subscription_id;
  UPDATE subscriptions SET active_licenses = active_licenses + (NEW.state = 'active'),
                           waiting_licenses = waiting_licenses + (NEW.state = 'waiting')
   WHERE id = NEW.subscription_id;
END;
