-- 0034_count_card_expiry: count cards (0030) expire through their ledger.
-- Functions: functions/count_cards.sql (kassa_card_expire_due), run by
-- kassad's periodic loyalty jobs (server/loyalty/jobs.c, job 'card_expire').
--
-- A card past expires_at with visits left gets one 'expire' ledger row of
-- -remaining and is closed in state 'expired' (remaining 0), so that
-- remaining = sum(card_ledger.visits) still holds once it has expired and
-- the visits it lost are on its ledger. The job's guard is the state: a
-- card is expired only from 'active', once.

ALTER TABLE count_cards DROP CONSTRAINT count_cards_state_check;
ALTER TABLE count_cards ADD CONSTRAINT count_cards_state_check
	CHECK (state IN ('active', 'refunded', 'void', 'expired'));

-- The job's scan: the active cards with visits left, by expiry, so a batch
-- reads the cards due and never the whole table. Cards leave the index
-- when they are used up, refunded, voided or expired.
CREATE INDEX count_cards_due ON count_cards (expires_at)
	WHERE remaining > 0 AND state = 'active' AND expires_at IS NOT NULL;

ALTER TABLE job_runs DROP CONSTRAINT job_runs_kind_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_kind_check
	CHECK (kind IN ('points_expire', 'tier_reevaluate', 'birthday_coupons', 'analytics_run',
			'followups', 'recommendations', 'feed', 'card_expire'));
-- card_expire: the cards expired and the visits they had left
ALTER TABLE job_runs ADD COLUMN cards bigint NOT NULL DEFAULT 0;
ALTER TABLE job_runs ADD COLUMN visits bigint NOT NULL DEFAULT 0;
