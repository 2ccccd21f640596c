-- A change may check its caller inside its own batch instead of reading the session first in a
-- round trip of its own (see changeCheckingCaller in src/auth/admin.ts): a batch guard with the
-- code CallerChanged, raised when the session, the user or their roles no longer allow the change.

CREATE TRIGGER batch_guard_caller_changed INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code = 'CallerChanged'
BEGIN SELECT RAISE(ABORT, 'guard:CallerChanged'); END;

DROP TRIGGER batch_guard_other;
CREATE TRIGGER batch_guard_other INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code NOT IN ('SubscriptionNotUsable', 'NotEnoughLicenses', 'InheritedLicense', 'NotFound', 'CallerChanged')
BEGIN SELECT RAISE(ABORT, 'guard:Conflict'); END;
