-- The periodic loyalty jobs (points expiry, tier downgrades, birthday
-- coupons, count-card expiry; table job_runs, 0006_topup_jobs.sql; the
-- card batch kassa_card_expire_due is in count_cards.sql).
--
-- The jobs run as many short statements, each a batch of members locked
-- with SKIP LOCKED (a till's sale is never made to wait, and a member a sale
-- holds is taken by the next run), on kassad's timer and on an
-- administrator's request. Each run is a job_runs row that the batches add
-- their counts to; a request's idempotency row names its run, so a retry
-- after the run finished answers the same counts, and a retry of a run cut
-- short (kassad stopped, the till gave up waiting) carries on with it.

-- ---- job runs -----------------------------------------------------------

-- A run as kassad reads it (kassa_job_begin and kassa_job_finish): its
-- counts, how long it took and when it finished (RFC 3339 UTC; 0 and ""
-- while it runs).
CREATE FUNCTION kassa_job_row(p_run_id bigint,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_members bigint,
	OUT out_lots bigint, OUT out_points bigint, OUT out_examined bigint,
	OUT out_downgraded bigint, OUT out_issued bigint, OUT out_cards bigint,
	OUT out_visits bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text)
LANGUAGE sql STABLE AS $$
	SELECT run_id, finished_at IS NOT NULL, members, lots, points, examined, downgraded,
		issued, cards, visits,
		coalesce((extract(epoch FROM finished_at - started_at) * 1000)::bigint, 0),
		coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
	FROM job_runs WHERE run_id = p_run_id
$$;

-- Start a run of p_kind. With an idempotency key (a request), a key seen
-- before answers the run it started: finished, or cut short and to be
-- carried on by the caller. The timer passes no key. The key's kind is
-- the request's: points_expire and tier_reevaluate have requests of their
-- own, the card expiry is a JobRun ('job_run', as customer care's jobs).
CREATE FUNCTION kassa_job_begin(p_kind text, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_members bigint,
	OUT out_lots bigint, OUT out_points bigint, OUT out_examined bigint,
	OUT out_downgraded bigint, OUT out_issued bigint, OUT out_cards bigint,
	OUT out_visits bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text)
LANGUAGE plpgsql AS $$
DECLARE
	v_run	bigint := nextval('job_runs_run_id_seq');
	v_prev	bigint;
BEGIN
	IF p_key IS NOT NULL THEN
		v_prev := kassa_idem_claim(p_till_id, p_key,
			CASE p_kind WHEN 'card_expire' THEN 'job_run' ELSE p_kind END, p_hash, v_run);
		IF v_prev IS NOT NULL THEN
			v_run := v_prev;
		END IF;
	END IF;
	INSERT INTO job_runs (run_id, kind, staff_id, till_id)
	VALUES (v_run, p_kind, p_staff_id, p_till_id)
	ON CONFLICT (run_id) DO NOTHING;
	SELECT * INTO out_run_id, out_finished, out_members, out_lots, out_points, out_examined,
		out_downgraded, out_issued, out_cards, out_visits, out_elapsed_ms, out_finished_at
	FROM kassa_job_row(v_run);
END
$$;

-- The last batch is done: mark the run finished (once) and read its counts.
CREATE FUNCTION kassa_job_finish(p_run_id bigint,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_members bigint,
	OUT out_lots bigint, OUT out_points bigint, OUT out_examined bigint,
	OUT out_downgraded bigint, OUT out_issued bigint, OUT out_cards bigint,
	OUT out_visits bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text)
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE job_runs SET finished_at = now() WHERE run_id = p_run_id AND finished_at IS NULL;
	SELECT * INTO out_run_id, out_finished, out_members, out_lots, out_points, out_examined,
		out_downgraded, out_issued, out_cards, out_visits, out_elapsed_ms, out_finished_at
	FROM kassa_job_row(p_run_id);
END
$$;

-- ---- the batches ----------------------------------------------------------
--
-- Each takes up to p_limit members with ids above p_after, in id order
-- (expiry and downgrades lock them, skipping those another transaction
-- holds; birthdays need no lock, birthday_coupons guards them), and returns how many it took
-- (out_picked), the id to go on after (out_last) and whether to go on
-- (out_more). Counts are added to run p_run_id (NULL: none).

-- Points expiry: every lot past its day (expires_on < today) with points
-- left becomes an 'expire' ledger row (kassa_expire_member, lots.sql).
CREATE FUNCTION kassa_expire_due(p_limit integer, p_after bigint DEFAULT 0,
	p_run_id bigint DEFAULT NULL,
	OUT out_picked integer, OUT out_last bigint, OUT out_more boolean, OUT out_members integer,
	OUT out_lots integer, OUT out_points bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_id		bigint;
	v_lots		integer;
	v_points	bigint;
BEGIN
	out_picked := 0;
	out_last := p_after;
	out_members := 0;
	out_lots := 0;
	out_points := 0;
	FOR v_id IN SELECT m.member_id FROM members m
		WHERE m.member_id > p_after
		  AND m.member_id IN (SELECT l.member_id FROM points_lots l
			WHERE l.expires_on < current_date AND l.remaining > 0)
		ORDER BY m.member_id LIMIT p_limit
		FOR UPDATE OF m SKIP LOCKED
	LOOP
		out_picked := out_picked + 1;
		out_last := v_id;
		SELECT count(*) INTO v_lots FROM points_lots
		WHERE member_id = v_id AND remaining > 0 AND expires_on < current_date;
		v_points := kassa_expire_member(v_id);
		IF v_points > 0 THEN
			out_members := out_members + 1;
			out_lots := out_lots + v_lots;
			out_points := out_points + v_points;
		END IF;
	END LOOP;
	out_more := out_picked >= p_limit;
	UPDATE job_runs SET members = members + out_members, lots = lots + out_lots,
		points = points + out_points
	WHERE run_id = p_run_id;
END
$$;

-- Tier downgrades, one level at a time. A batch is two statements, with
-- the decision between them in kassad (rules_tier_downgrade(), jobs.c):
-- kassa_tier_downgrade_pick() takes the candidates with their window's
-- basis, kassa_tier_downgrade_write() writes the downgrades kassad decided
-- and adds the batch to its run. kassad passes what the rule set in force
-- says (SQL never reads the rule-set document): the names of the tiers
-- above the first, whether the basis is points earned, and the window.
--
-- A candidate is a member whose tier is one of p_tiers, was not set by
-- hand and has not changed for p_months months; the basis is
-- kassa_tier_basis() over that window (sales less refunds, or points
-- earned less clawbacks). Members in the upper tiers may be few and far
-- between, so a batch also looks at no more than 50 * p_limit ids: no
-- statement walks the whole members table however few it finds. Members
-- another transaction holds are skipped (SKIP LOCKED): a sale never waits.
CREATE FUNCTION kassa_tier_downgrade_pick(p_limit integer, p_after bigint, p_tiers text[],
	p_by_points boolean, p_months integer,
	OUT out_member_id bigint, OUT out_tier text, OUT out_basis bigint)
RETURNS SETOF record LANGUAGE sql AS $$
	SELECT d.member_id, d.tier, kassa_tier_basis(d.member_id, p_by_points, p_months)
	FROM (SELECT m.member_id, m.tier FROM members m
		WHERE m.member_id > p_after AND m.member_id <= p_after + 50 * p_limit
		  AND m.tier = ANY (p_tiers) AND NOT m.tier_manual
		  AND m.tier_since < now() - make_interval(months => p_months)
		ORDER BY m.member_id LIMIT p_limit
		FOR UPDATE OF m SKIP LOCKED) d
	ORDER BY d.member_id
$$;

-- Write the downgrades kassad decided for one batch (p_ids[i] from
-- p_from[i] to p_to[i], its basis p_basis[i] below p_threshold[i]) with
-- rule set p_version, and add the batch (p_picked members examined, the
-- last id p_last) to run p_run_id. Each write is guarded: the member is
-- taken only if no other transaction holds it, and only while the facts
-- the decision stands on still hold (the same tier, still not manual,
-- still older than the window, the same basis); so a sale or a TierSet
-- between the two statements wins. tier_since restarts, so the next level
-- down needs another whole window. Each downgrade is audited as the run's
-- staff. With a rule set newer than p_version in force nothing is written
-- (out_stale): kassad reloads it and does the batch again.
CREATE FUNCTION kassa_tier_downgrade_write(p_run_id bigint, p_version integer,
	p_by_points boolean, p_months integer, p_picked integer, p_last bigint,
	p_ids bigint[], p_from text[], p_to text[], p_basis bigint[], p_threshold bigint[],
	OUT out_stale boolean, OUT out_more boolean, OUT out_downgraded integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_staff		bigint;
	v_till		bigint;
	v_d		record;
BEGIN
	out_downgraded := 0;
	out_stale := p_version IS DISTINCT FROM (SELECT max(version) FROM rule_versions);
	out_more := true;
	IF out_stale THEN
		RETURN;
	END IF;
	SELECT staff_id, till_id INTO v_staff, v_till FROM job_runs WHERE run_id = p_run_id;
	FOR v_d IN SELECT m.member_id, d.f, d.t, d.b, d.th
		FROM unnest(p_ids, p_from, p_to, p_basis, p_threshold) AS d(id, f, t, b, th)
		JOIN members m ON m.member_id = d.id
		WHERE m.tier = d.f AND NOT m.tier_manual
		  AND m.tier_since < now() - make_interval(months => p_months)
		ORDER BY m.member_id
		FOR UPDATE OF m SKIP LOCKED
	LOOP
		CONTINUE WHEN kassa_tier_basis(v_d.member_id, p_by_points, p_months) <> v_d.b;
		UPDATE members SET tier = v_d.t, tier_since = now(), updated_at = now()
		WHERE member_id = v_d.member_id;
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (v_staff, v_till, 'tier.downgrade', 'member:' || v_d.member_id,
			jsonb_build_object('from', v_d.f, 'to', v_d.t, 'basis', v_d.b,
				'basis_kind',
				CASE WHEN p_by_points THEN 'points_earned' ELSE 'spend' END,
				'threshold', v_d.th, 'window_months', p_months,
				'rule_version', p_version, 'run_id', p_run_id));
		out_downgraded := out_downgraded + 1;
	END LOOP;
	out_more := EXISTS (SELECT 1 FROM members WHERE member_id > p_last);
	UPDATE job_runs SET examined = examined + p_picked,
		downgraded = downgraded + out_downgraded
	WHERE run_id = p_run_id;
END
$$;

-- Birthday coupons: a member whose birthday is today (29 February counts
-- as 28 February in other years) gets one coupon of every active
-- definition with issue_on 'birthday' valid today, once per year. Codes are
-- 'B' and 15 random hex digits; a clash draws again. A member given a
-- coupon is also greeted, in the same transaction: the 'birthday' template
-- as a marketing message with the first coupon's code, value and last day
-- (kassa_outbox_message() queues it only with consent, a channel and an
-- endpoint for it), at most once a year.
CREATE FUNCTION kassa_birthday_due(p_limit integer, p_after bigint DEFAULT 0,
	p_run_id bigint DEFAULT NULL,
	OUT out_picked integer, OUT out_last bigint, OUT out_more boolean,
	OUT out_issued integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_today		date := current_date;
	v_year		integer := extract(year FROM current_date)::integer;
	v_leap_day	boolean;	-- today is 28 Feb of a year without 29 Feb
	v_m		record;
	v_d		record;
	v_coupon	bigint;
	v_greet		jsonb;		-- the greeting's vars: the member's first new coupon
BEGIN
	out_picked := 0;
	out_last := p_after;
	out_issued := 0;
	v_leap_day := extract(month FROM v_today) = 2 AND extract(day FROM v_today) = 28
		AND extract(day FROM v_today + 1) = 1;
	FOR v_m IN SELECT member_id FROM members
		WHERE birthday IS NOT NULL AND member_id > p_after
		  AND extract(month FROM birthday) = extract(month FROM v_today)
		  AND (extract(day FROM birthday) = extract(day FROM v_today)
		       OR (v_leap_day AND extract(day FROM birthday) = 29))
		ORDER BY member_id LIMIT p_limit
	LOOP
		out_picked := out_picked + 1;
		out_last := v_m.member_id;
		v_greet := NULL;
		FOR v_d IN SELECT def_id, valid_to FROM coupon_defs
			WHERE active AND issue_on = 'birthday'
			  AND (valid_from IS NULL OR valid_from <= v_today)
			  AND (valid_to IS NULL OR valid_to >= v_today)
			ORDER BY def_id
		LOOP
			INSERT INTO birthday_coupons (member_id, def_id, year)
			VALUES (v_m.member_id, v_d.def_id, v_year)
			ON CONFLICT DO NOTHING;
			CONTINUE WHEN NOT FOUND;
			LOOP
				INSERT INTO coupons (member_id, def_id, code)
				VALUES (v_m.member_id, v_d.def_id, 'B' || upper(substr(
					replace(gen_random_uuid()::text, '-', ''), 1, 15)))
				ON CONFLICT (code) DO NOTHING
				RETURNING coupon_id INTO v_coupon;
				EXIT WHEN FOUND;
			END LOOP;
			UPDATE birthday_coupons SET coupon_id = v_coupon
			WHERE member_id = v_m.member_id AND def_id = v_d.def_id AND year = v_year;
			out_issued := out_issued + 1;
			IF v_greet IS NULL THEN
				v_greet := jsonb_build_object('coupon', (SELECT c.code FROM coupons c
						WHERE c.member_id = v_m.member_id
						  AND c.coupon_id = v_coupon),
					'coupon_value', kassa_coupon_value_text(v_d.def_id,
						(SELECT m.currency FROM members m
						 WHERE m.member_id = v_m.member_id)),
					'valid_to', coalesce(to_char(v_d.valid_to, 'YYYY-MM-DD'), ''));
			END IF;
		END LOOP;
		IF v_greet IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox o
			WHERE o.member_id = v_m.member_id AND o.kind = 'message'
			  AND o.template = 'birthday' AND o.campaign_id IS NULL
			  AND o.created_at >= date_trunc('year', v_today)) THEN
			PERFORM kassa_outbox_message(v_m.member_id, 'birthday', 'marketing',
				v_greet, NULL);
		END IF;
	END LOOP;
	out_more := out_picked >= p_limit;
	UPDATE job_runs SET examined = examined + out_picked, issued = issued + out_issued
	WHERE run_id = p_run_id;
END
$$;
