-- The event feed for other CRMs and systems (table events,
-- 0022_event_feed.sql; server/crm/feed.c; docs/care/feed.md).
--
-- Events are written by AFTER triggers in the transaction that decides
-- them, so no producer can forget one and an event exists exactly when its
-- change committed. The trigger functions (and feed_event_add and
-- feed_member_profile they call) are named without the kassa_ prefix and
-- replaced in place (CREATE OR REPLACE), like the catalogue's and the
-- audit log's triggers (catalog.sql, audit.sql): `kassad migrate` drops
-- and re-creates the kassa_* functions, and a trigger may not depend on
-- one of those. The feed job's numbering and the export are kassa_*
-- functions below.
--
-- Data of schema_version 1 (every object has member_id):
--   member.created, member.updated  card_no, name, phone, email, tier,
--                    marketing_consent, preferred_channel ("none", "sms",
--                    "email", "wechat"), language; member.updated also
--                    "changed": the names of the fields that changed
--   member.merged    merged_into        member.erased   (member_id only)
--   tier.changed     from, to
--   sale.completed   txn_id, store_id, till_id, receipt_no, total_minor,
--                    gross_minor, currency, points_earned, points_redeemed,
--                    offline
--   refund.completed refund_id, txn_id, store_id, amount_minor, currency,
--                    points_clawed_back, points_restored
--   points.changed   entry_id, kind, points, txn_id, refund_id
--   coupon.issued    coupon_id, def_id      coupon.used  + txn_id
--   complaint.opened, complaint.resolved  complaint_id, txn_id, store_id,
--                    status, category, source
-- Only members' sales and refunds are events (an anonymous sale concerns
-- no CRM record). A complaint's description and notes are never in the
-- feed.

-- ---- writing events (trigger functions) ---------------------------------

-- plpgsql, not sql: its INSERT's plan is cached for the session (a SQL
-- function called from a trigger is planned on every call: measured 5x
-- the cost of the insert itself).
CREATE OR REPLACE FUNCTION feed_event_add(p_type text, p_member bigint, p_data jsonb)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	INSERT INTO events (member_id, type, data)
	VALUES (p_member, p_type, jsonb_build_object('member_id', p_member) || p_data);
END
$$;

-- The profile fields a CRM keeps of a member.
CREATE OR REPLACE FUNCTION feed_member_profile(m members) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('card_no', m.card_no, 'name', m.name, 'phone', m.phone,
		'email', m.email, 'tier', m.tier, 'marketing_consent', m.marketing_consent,
		'preferred_channel', (ARRAY['none', 'sms', 'email', 'wechat'])[m.preferred_channel + 1],
		'language', m.language)
$$;

-- members: created; then erased, merged, or tier and profile changes.
CREATE OR REPLACE FUNCTION feed_member_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_old	jsonb;
	v_new	jsonb;
	v_chg	jsonb;
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM feed_event_add('member.created', NEW.member_id, feed_member_profile(NEW));
		RETURN NULL;
	END IF;
	IF NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL THEN
		PERFORM feed_event_add('member.erased', NEW.member_id, '{}');
		RETURN NULL;
	END IF;
	IF NEW.merged_into IS NOT NULL AND OLD.merged_into IS DISTINCT FROM NEW.merged_into THEN
		PERFORM feed_event_add('member.merged', NEW.member_id,
			jsonb_build_object('merged_into', NEW.merged_into));
		RETURN NULL;
	END IF;
	IF NEW.tier IS DISTINCT FROM OLD.tier THEN
		PERFORM feed_event_add('tier.changed', NEW.member_id,
			jsonb_build_object('from', OLD.tier, 'to', NEW.tier));
	END IF;
	v_old := feed_member_profile(OLD) - 'tier';
	v_new := feed_member_profile(NEW) - 'tier';
	IF v_old IS DISTINCT FROM v_new THEN
		SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]') INTO v_chg
		FROM jsonb_each(v_new) n WHERE n.value IS DISTINCT FROM v_old -> n.key;
		PERFORM feed_event_add('member.updated', NEW.member_id,
			feed_member_profile(NEW) || jsonb_build_object('changed', v_chg));
	END IF;
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER members_feed_created AFTER INSERT ON members
	FOR EACH ROW EXECUTE FUNCTION feed_member_event();
-- A sale updates its member's balances: the WHEN keeps those updates from
-- calling the function at all (the checkout's cost).
CREATE OR REPLACE TRIGGER members_feed_changed AFTER UPDATE ON members
	FOR EACH ROW WHEN ((OLD.card_no, OLD.name, OLD.phone, OLD.email, OLD.tier,
		OLD.marketing_consent, OLD.preferred_channel, OLD.language, OLD.erased_at,
		OLD.merged_into)
	    IS DISTINCT FROM (NEW.card_no, NEW.name, NEW.phone, NEW.email, NEW.tier,
		NEW.marketing_consent, NEW.preferred_channel, NEW.language, NEW.erased_at,
		NEW.merged_into))
	EXECUTE FUNCTION feed_member_event();

CREATE OR REPLACE FUNCTION feed_sale_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM feed_event_add('sale.completed', NEW.member_id, jsonb_build_object(
		'txn_id', NEW.txn_id, 'store_id', NEW.store_id, 'till_id', NEW.till_id,
		'receipt_no', NEW.receipt_no, 'total_minor', NEW.total_minor,
		'gross_minor', NEW.gross_minor, 'currency', NEW.currency,
		'points_earned', NEW.points_earned, 'points_redeemed', NEW.points_redeemed,
		'offline', NEW.offline));
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER transactions_feed AFTER INSERT ON transactions
	FOR EACH ROW WHEN (NEW.kind = 'sale' AND NEW.member_id IS NOT NULL)
	EXECUTE FUNCTION feed_sale_event();

CREATE OR REPLACE FUNCTION feed_refund_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM feed_event_add('refund.completed', NEW.member_id, jsonb_build_object(
		'refund_id', NEW.refund_id, 'txn_id', NEW.txn_id, 'store_id', NEW.store_id,
		'amount_minor', NEW.amount_minor,
		'currency', (SELECT t.currency FROM transactions t WHERE t.txn_id = NEW.txn_id),
		'points_clawed_back', NEW.points_clawed_back,
		'points_restored', NEW.points_restored));
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER refunds_feed AFTER INSERT ON refunds
	FOR EACH ROW WHEN (NEW.member_id IS NOT NULL) EXECUTE FUNCTION feed_refund_event();

CREATE OR REPLACE FUNCTION feed_points_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM feed_event_add('points.changed', NEW.member_id, jsonb_build_object(
		'entry_id', NEW.entry_id, 'kind', NEW.kind, 'points', NEW.points,
		'txn_id', NEW.txn_id, 'refund_id', NEW.refund_id));
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER points_ledger_feed AFTER INSERT ON points_ledger
	FOR EACH ROW EXECUTE FUNCTION feed_points_event();

CREATE OR REPLACE FUNCTION feed_coupon_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM feed_event_add('coupon.issued', NEW.member_id, jsonb_build_object(
			'coupon_id', NEW.coupon_id, 'def_id', NEW.def_id));
	ELSE
		PERFORM feed_event_add('coupon.used', NEW.member_id, jsonb_build_object(
			'coupon_id', NEW.coupon_id, 'def_id', NEW.def_id, 'txn_id', NEW.used_txn));
	END IF;
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER coupons_feed_issued AFTER INSERT ON coupons
	FOR EACH ROW EXECUTE FUNCTION feed_coupon_event();
CREATE OR REPLACE TRIGGER coupons_feed_used AFTER UPDATE OF state ON coupons
	FOR EACH ROW WHEN (NEW.state = 'used' AND OLD.state <> 'used')
	EXECUTE FUNCTION feed_coupon_event();

-- complaints (0016): opened, and resolved. Created only when the table is
-- there (it is, from 0016 on; the guard keeps this file loadable alone).
CREATE OR REPLACE FUNCTION feed_complaint_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM feed_event_add(CASE TG_OP WHEN 'INSERT' THEN 'complaint.opened'
				ELSE 'complaint.resolved' END, NEW.member_id,
		jsonb_build_object('complaint_id', NEW.complaint_id, 'txn_id', NEW.txn_id,
			'store_id', NEW.store_id, 'status', NEW.status,
			'category', NEW.category, 'source', NEW.source));
	RETURN NULL;
END
$$;
DO $$
BEGIN
	IF to_regclass('complaints') IS NOT NULL THEN
		EXECUTE 'CREATE OR REPLACE TRIGGER complaints_feed_opened AFTER INSERT ON complaints
			FOR EACH ROW EXECUTE FUNCTION feed_complaint_event()';
		EXECUTE 'CREATE OR REPLACE TRIGGER complaints_feed_resolved
			AFTER UPDATE OF status ON complaints FOR EACH ROW
			WHEN (NEW.status = ''resolved'' AND OLD.status <> ''resolved'')
			EXECUTE FUNCTION feed_complaint_event()';
	END IF;
END
$$;

-- ---- matching, numbering, export ----------------------------------------

-- Does type match one of p_patterns: '*', 'member.*' (a prefix up to the
-- dot), or the type itself?
CREATE FUNCTION kassa_feed_matches(p_type text, p_patterns text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT EXISTS (SELECT 1 FROM unnest(p_patterns) p
		       WHERE p = '*' OR p = p_type
			  OR (right(p, 2) = '.*' AND left(p_type, length(p) - 1) = left(p, -1)))
$$;

-- One batch of the feed job: number at most p_limit committed unnumbered
-- events in the order they were written (seq = the last + 1.. without
-- gaps; member_seq = the member's last + 1..), then queue an outbox row
-- (kind 'event') for each of them at every active endpoint whose patterns
-- match. One run at a time across every kassad: the advisory lock is held
-- to commit, and the statements after it read with snapshots that have the
-- previous run's numbers (READ COMMITTED). Returns the events numbered,
-- the outbox rows queued and the unnumbered events left.
CREATE FUNCTION kassa_feed_number(p_limit integer,
	OUT out_numbered bigint, OUT out_queued bigint, OUT out_left bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_last	bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('kassa.feed'));
	SELECT coalesce(max(e.seq), 0) INTO v_last FROM events e;
	WITH batch AS (
		SELECT b.member_id, b.write_no,
			row_number() OVER (ORDER BY b.write_no) AS n,
			row_number() OVER (PARTITION BY b.member_id ORDER BY b.write_no) AS mn
		FROM (SELECT e.member_id, e.write_no FROM events e WHERE e.seq IS NULL
		      ORDER BY e.write_no LIMIT greatest(p_limit, 1)) b),
	mlast AS (
		SELECT d.member_id, coalesce((SELECT max(x.member_seq) FROM events x
			WHERE x.member_id = d.member_id AND x.member_seq IS NOT NULL), 0) AS last
		FROM (SELECT DISTINCT member_id FROM batch) d),
	done AS (
		UPDATE events e SET seq = v_last + b.n, member_seq = l.last + b.mn,
			numbered_at = now()
		FROM batch b JOIN mlast l USING (member_id)
		WHERE e.member_id = b.member_id AND e.write_no = b.write_no
		RETURNING e.seq, e.type, e.member_id),
	queued AS (
		INSERT INTO outbox (endpoint, kind, member_id, event_seq)
		SELECT p.name, 'event', d.member_id, d.seq
		FROM done d JOIN endpoints p ON p.active AND kassa_feed_matches(d.type, p.events)
		ORDER BY d.seq, p.name
		RETURNING 1)
	SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM queued)
	INTO out_numbered, out_queued;
	SELECT count(*) INTO out_left FROM events e WHERE e.seq IS NULL;
END
$$;

-- A run of the feed job: a job_runs row (kind 'feed') with the events
-- numbered and the outbox rows queued in examined and issued (a timer's
-- run that numbered nothing writes none and answers run 0). With an idempotency key (JobRun), a key seen before answers the
-- run it started and numbers nothing more. Returns the run's row.
CREATE FUNCTION kassa_feed_run(p_till_id bigint, p_staff_id bigint, p_key text, p_hash bytea,
	p_limit integer,
	OUT out_run_id bigint, OUT out_numbered bigint, OUT out_queued bigint,
	OUT out_left bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text)
LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_t0	timestamptz := clock_timestamp();
BEGIN
	out_run_id := nextval('job_runs_run_id_seq');
	IF p_key IS NOT NULL THEN
		v_prev := kassa_idem_claim(p_till_id, p_key, 'job_run', p_hash, out_run_id);
		IF v_prev IS NOT NULL THEN
			SELECT j.run_id, j.examined, j.issued, 0,
				(extract(epoch FROM j.finished_at - j.started_at) * 1000)::bigint,
				to_char(j.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
			INTO out_run_id, out_numbered, out_queued, out_left, out_elapsed_ms,
				out_finished_at
			FROM job_runs j WHERE j.run_id = v_prev;
			RETURN;
		END IF;
	END IF;
	SELECT f.out_numbered, f.out_queued, f.out_left INTO out_numbered, out_queued, out_left
	FROM kassa_feed_number(p_limit) f;
	IF p_key IS NULL AND out_numbered = 0 THEN
		out_run_id := 0;	/* the timer found nothing: no row every 200 ms */
	ELSE
		INSERT INTO job_runs (run_id, kind, staff_id, till_id, finished_at, examined,
			issued)
		VALUES (out_run_id, 'feed', nullif(p_staff_id, 0), nullif(p_till_id, 0), now(), out_numbered,
			out_queued);
	END IF;
	out_elapsed_ms := (extract(epoch FROM clock_timestamp() - v_t0) * 1000)::bigint;
	out_finished_at := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
END
$$;

-- FeedExport: at most p_limit numbered events after p_after, of the types
-- matching p_types (empty: every type), in seq order; with head_seq, the
-- newest number now, on every row (and one row of NULLs when there is no
-- event to answer, so the head still arrives).
CREATE FUNCTION kassa_feed_export(p_after bigint, p_limit integer, p_types text[])
RETURNS TABLE (seq bigint, event_id text, type text, member_id bigint, member_seq bigint,
	schema_version integer, occurred_at text, data text, head_seq bigint)
LANGUAGE sql STABLE AS $$
	WITH head AS (SELECT coalesce(max(e.seq), 0) AS h FROM events e),
	page AS (
		SELECT e.* FROM events e
		WHERE e.seq > p_after AND e.seq <= (SELECT h FROM head)
		  AND (cardinality(p_types) = 0 OR kassa_feed_matches(e.type, p_types))
		ORDER BY e.seq LIMIT p_limit)
	SELECT p.seq, p.event_id::text, p.type, p.member_id, p.member_seq, p.schema_version,
		to_char(p.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		p.data::text, (SELECT h FROM head)
	FROM page p
	UNION ALL
	SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, (SELECT h FROM head)
	WHERE NOT EXISTS (SELECT 1 FROM page)
	ORDER BY 1 NULLS LAST
$$;

-- The data of an erased member's event with the personal fields removed:
-- only ids, amounts, kinds and states stay (the money trail stays under
-- the tombstone's id, so its numbers do too).
CREATE FUNCTION kassa_feed_scrub(p_data jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_object_agg(d.key, d.value), '{}') || jsonb_build_object('erased', true)
	FROM jsonb_each(p_data) d
	WHERE d.key ~ '(_id|_minor)$' OR d.key IN ('kind', 'points', 'currency',
		'points_earned', 'points_redeemed', 'points_clawed_back', 'points_restored',
		'offline', 'status', 'category', 'source', 'merged_into', 'from', 'to')
$$;
