-- A change may check inside its own batch that what it names exists in the caller's tenant,
-- instead of reading it first in a round trip of its own: a batch guard with the code NotFound.

CREATE TRIGGER batch_guard_not_found INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code = 'NotFound'
BEGIN SELECT RAISE(ABORT, 'guard:NotFound'); END;

DROP TRIGGER batch_guard_other;
CREATE TRIGGER batch_guard_other INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code NOT IN ('SubscriptionNotUsable', 'NotEnoughLicenses', 'InheritedLicense', 'NotFound')
BEGIN SELECT RAISE(ABORT, 'guard:Conflict'); END;
