-- Kassa schema, version 14: member data rights (PIPL / GDPR). A member's
-- data is exported as one JSON document (kassa_member_export_json) and a
-- member is erased by kassa_member_erase (functions/member_rights.sql,
-- server/members/rights.c; docs/office.md "Member data rights").
--
-- Erasure keeps the member's row as a tombstone: the money trail (sales,
-- refunds, ledgers, balances) stays under the same member_id, and every
-- personal field is cleared. The phone and card number become NULL (they
-- are UNIQUE: the phone may then register again as a new member), the
-- name 'erased-<id>'. A live member still needs both.
ALTER TABLE members
	ALTER COLUMN phone DROP NOT NULL,
	ALTER COLUMN card_no DROP NOT NULL,
	ADD CONSTRAINT members_identified_check
		CHECK (erased_at IS NOT NULL OR (phone IS NOT NULL AND card_no IS NOT NULL));

-- An erased member earns nothing more, and a tombstone's personal fields never
-- come back: triggers of functions/member_rights.sql (functions of the schema,
-- replaced in place like the catalogue's and the audit log's triggers, since
-- numbered migrations create no function).

-- Erasing a member is an exactly-once mutation like the others.
ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate', 'staff_unlock',
	'rates_set', 'feedback', 'shift_open', 'shift_close', 'segment_save', 'export',
	'analytics_run', 'member_erase'));
