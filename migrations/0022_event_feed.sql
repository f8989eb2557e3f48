-- Kassa schema, version 22: the event feed for other CRMs and systems
-- (care/feed; docs/care/feed.md).
--
-- An event is written by an AFTER trigger (functions/feed.sql) in the
-- transaction that decides it: a member registered, updated, merged or
-- erased, a tier change, a sale or refund of a member, a points ledger
-- row, a coupon issued or used, a complaint opened or resolved. It is
-- written unnumbered (seq and member_seq NULL) with write_no, the order
-- it was written in. The feed job (server/crm/feed.c, kassa_feed_number)
-- numbers the committed ones in write_no order, under one advisory lock:
-- seq 1.. without gaps across the feed, member_seq 1.. without gaps per
-- member; then fans each numbered event out to the outbox (kind 'event')
-- of every active endpoint whose patterns match its type. FeedExport pages
-- by seq. Events are never deleted; an erasure empties the personal
-- fields of the member's events' data (kassa_member_erase).
CREATE TABLE events (
	member_id	bigint NOT NULL,		-- members
	write_no	bigserial,			-- the order written (not commit order)
	seq		bigint UNIQUE,			-- NULL until the feed job numbers it
	event_id	uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	type		text NOT NULL CHECK (type ~ '^[a-z]+\.[a-z_]+$'),
	member_seq	bigint CHECK (member_seq > 0),
	schema_version	integer NOT NULL DEFAULT 1 CHECK (schema_version > 0),
	occurred_at	timestamptz NOT NULL DEFAULT now(),
	data		jsonb NOT NULL DEFAULT '{}',
	numbered_at	timestamptz,
	PRIMARY KEY (member_id, write_no),
	CHECK ((seq IS NULL) = (member_seq IS NULL)),
	CHECK ((seq IS NULL) = (numbered_at IS NULL))
);
-- The job's next batch: the unnumbered events in the order written.
CREATE INDEX events_unnumbered ON events (write_no) WHERE seq IS NULL;
-- A member's last member_seq (the job), a member's events in order.
CREATE UNIQUE INDEX events_member_seq ON events (member_id, member_seq)
	WHERE member_seq IS NOT NULL;
