-- The periodic loyalty jobs (points expiry, tier downgrades, birthday
-- coupons; table job_runs, 0006_topup_jobs.sql).
--
-- The jobs run as many short statements, each a batch of members locked
-- with SKIP LOCKED (a till's sale is never made to wait, and a member a sale
-- holds is taken by the next run), on kassad's timer and on an
-- administrator's request. Each run is a job_runs row that the batches add
-- their counts to; a request's idempotency row names its run, so a retry
-- after the run finished answers the same counts, and a retry of a run cut
-- short (kassad stopped, the till gave up waiting) carries on with it.

-- ---- job runs -----------------------------------------------------------

-- A run as kassad reads it (kassa_job_begin and kassa_job_finish).
CREATE FUNCTION kassa_job_row(p_run_id bigint,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_members bigint,
	OUT out_lots bigint, OUT out_points bigint, OUT out_examined bigint,
	OUT out_downgraded bigint, OUT out_issued bigint)
LANGUAGE sql STABLE AS $$
	SELECT run_id, finished_at IS NOT NULL, members, lots, points, examined, downgraded,
		issued
	FROM job_runs WHERE run_id = p_run_id
$$;

-- Start a run of p_kind. With an idempotency key (a request), a key seen
-- before answers the run it started: finished, or cut short and to be
-- carried on by the caller. The timer passes no key.
CREATE FUNCTION kassa_job_begin(p_kind text, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_members bigint,
	OUT out_lots bigint, OUT out_points bigint, OUT out_examined bigint,
	OUT out_downgraded bigint, OUT out_issued bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_run	bigint := nextval('job_runs_run_id_seq');
	v_prev	bigint;
BEGIN
	IF p_key IS NOT NULL THEN
		v_prev := kassa_idem_claim(p_till_id, p_key, p_kind, p_hash, v_run);
		IF v_prev IS NOT NULL THEN
			v_run := v_prev;
		END IF;
	END IF;
	INSERT INTO job_runs (run_id, kind, staff_id, till_id)
	VALUES (v_run, p_kind, p_staff_id, p_till_id)
	ON CONFLICT (run_id) DO NOTHING;
	SELECT * INTO out_run_id, out_finished, out_members, out_lots, out_points, out_examined,
		out_downgraded, out_issued
	FROM kassa_job_row(v_run);
END
$$;

-- The last batch is done: mark the run finished (once) and read its counts.
CREATE FUNCTION kassa_job_finish(p_run_id bigint,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_members bigint,
	OUT out_lots bigint, OUT out_points bigint, OUT out_examined bigint,
	OUT out_downgraded bigint, OUT out_issued bigint)
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE job_runs SET finished_at = now() WHERE run_id = p_run_id AND finished_at IS NULL;
	SELECT * INTO out_run_id, out_finished, out_members, out_lots, out_points, out_examined,
		out_downgraded, out_issued
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

-- Tier downgrades, one level at a time: a member above the first tier,
-- whose tier was not set by hand and has not changed for the newest rule
-- set's downgrade_window_months, goes down one level when the basis of the
-- window (kassa_tier_basis: sales less refunds, or points earned less
-- clawbacks) is below the tier's threshold. tier_since restarts, so the next
-- level down needs another whole window. Each downgrade is audited as the
-- run's staff.
-- Members in the upper tiers may be few and far between, so a batch also
-- looks at no more than 50 * p_limit ids: no statement walks the whole
-- members table however few it finds.
CREATE FUNCTION kassa_tier_downgrade_due(p_limit integer, p_after bigint DEFAULT 0,
	p_run_id bigint DEFAULT NULL,
	OUT out_picked integer, OUT out_last bigint, OUT out_more boolean,
	OUT out_downgraded integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_version	integer;
	v_cfg		jsonb;
	v_window	interval;
	v_months	integer;
	v_by_points	boolean;
	v_staff		bigint;
	v_till		bigint;
	v_m		record;
	v_basis		bigint;
	v_threshold	bigint;
	v_to		text;
BEGIN
	out_picked := 0;
	out_last := p_after;
	out_downgraded := 0;
	SELECT version, config INTO v_version, v_cfg
	FROM rule_versions ORDER BY version DESC LIMIT 1;
	v_months := coalesce((v_cfg->>'downgrade_window_months')::integer, 12);
	v_window := make_interval(months => v_months);
	v_by_points := v_cfg->>'tier_basis' = 'points_earned';
	SELECT staff_id, till_id INTO v_staff, v_till FROM job_runs WHERE run_id = p_run_id;

	FOR v_m IN SELECT m.member_id, m.tier, t.ord::integer AS ord
		FROM members m
		JOIN jsonb_array_elements(v_cfg->'tiers') WITH ORDINALITY AS t(e, ord)
			ON t.e->>'name' = m.tier
		WHERE m.member_id > p_after AND m.member_id <= p_after + 50 * p_limit
		  AND t.ord > 1 AND NOT m.tier_manual
		  AND m.tier_since < now() - v_window
		ORDER BY m.member_id LIMIT p_limit
		FOR UPDATE OF m SKIP LOCKED
	LOOP
		out_picked := out_picked + 1;
		out_last := v_m.member_id;
		v_basis := kassa_tier_basis(v_m.member_id, v_by_points, v_months);
		v_threshold := (v_cfg->'tiers'->(v_m.ord - 1)->>'threshold')::bigint;
		CONTINUE WHEN v_basis >= v_threshold;
		v_to := v_cfg->'tiers'->(v_m.ord - 2)->>'name';
		UPDATE members SET tier = v_to, tier_since = now(), updated_at = now()
		WHERE member_id = v_m.member_id;
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (v_staff, v_till, 'tier.downgrade', 'member:' || v_m.member_id,
			jsonb_build_object('from', v_m.tier, 'to', v_to, 'basis', v_basis,
				'basis_kind',
				CASE WHEN v_by_points THEN 'points_earned' ELSE 'spend' END,
				'threshold', v_threshold, 'window_months', v_months,
				'rule_version', v_version, 'run_id', p_run_id));
		out_downgraded := out_downgraded + 1;
	END LOOP;
	IF out_picked < p_limit THEN
		out_last := p_after + 50 * p_limit;	-- the whole span is done
	END IF;
	out_more := EXISTS (SELECT 1 FROM members WHERE member_id > out_last);
	UPDATE job_runs SET examined = examined + out_picked,
		downgraded = downgraded + out_downgraded
	WHERE run_id = p_run_id;
END
$$;

-- Birthday coupons: a member whose birthday is today (29 February counts
-- as 28 February in other years) gets one coupon of every active
-- definition with issue_on 'birthday' valid today, once per year. Codes are
-- 'B' and 15 random hex digits; a clash draws again.
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
		FOR v_d IN SELECT def_id FROM coupon_defs
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
		END LOOP;
	END LOOP;
	out_more := out_picked >= p_limit;
	UPDATE job_runs SET examined = examined + out_picked, issued = issued + out_issued
	WHERE run_id = p_run_id;
END
$$;
