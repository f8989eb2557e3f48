-- Staff lockout: wrong PINs in a row, counted alike for Login and for a
-- manager's approval of a refund (one PIN check, server/staff/pin.c), and
-- until when a staff member is locked out after too many ([staff]
-- lockout_failures, lockout_seconds). A right PIN sets the count back to 0;
-- a manager of the store or an administrator unlocks (StaffUnlock,
-- server/staff/unlock.c). Each lockout ('staff.lockout') and unlock
-- ('staff.unlock') is an audit_log row written by the same statement.
--
-- Schema only: the statements are kassad's prepared statements, each one
-- guarded UPDATE ... RETURNING.

ALTER TABLE staff
	ADD COLUMN failed_pins integer NOT NULL DEFAULT 0 CHECK (failed_pins >= 0),
	ADD COLUMN locked_until timestamptz;	-- NULL or in the past: not locked

-- StaffUnlock is exactly-once like every mutating request; result_id is the
-- audit_id of its 'staff.unlock' row, from which a retry is answered.
ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate', 'staff_unlock'));
