-- Kassa schema, version 6: stored-value top-ups and the periodic loyalty
-- jobs (points expiry, tier downgrades, birthday coupons).
--
-- A top-up is money taken at a till, so it is a transaction like a sale:
-- transactions.kind (0003) tells them apart, its tenders sit in tenders (the
-- drawer count and the day's takings need no second table), and the
-- wallet ledger's 'topup' and 'bonus' rows name it by txn_id. A top-up has
-- no lines, earns no points and adds nothing to cumulative spend.
--
-- The jobs run as many short statements, each a batch of members locked
-- with SKIP LOCKED (a till's sale is never made to wait, and a member a sale
-- holds is taken by the next run), on kassad's timer and on an
-- administrator's request. Each run is a job_runs row that the batches add
-- their counts to; a request's idempotency row names its run, so a retry
-- after the run finished answers the same counts, and a retry of a run cut
-- short (kassad stopped, the till gave up waiting) carries on with it.


CREATE TABLE job_runs (
	run_id		bigserial PRIMARY KEY,
	kind		text NOT NULL
			CHECK (kind IN ('points_expire', 'tier_reevaluate', 'birthday_coupons')),
	staff_id	bigint,			-- who asked; NULL: kassad's timer
	till_id		bigint,
	started_at	timestamptz NOT NULL DEFAULT now(),
	finished_at	timestamptz,		-- NULL: running, or cut short
	-- points_expire: members whose points expired, lots and points expired
	members		bigint NOT NULL DEFAULT 0,
	lots		bigint NOT NULL DEFAULT 0,
	points		bigint NOT NULL DEFAULT 0,
	-- tier_reevaluate: members looked at, moved down; birthday_coupons:
	-- members looked at, coupons issued
	examined	bigint NOT NULL DEFAULT 0,
	downgraded	bigint NOT NULL DEFAULT 0,
	issued		bigint NOT NULL DEFAULT 0
);
CREATE INDEX job_runs_kind_started ON job_runs (kind, started_at);

-- At most one birthday coupon of a definition per member per year, however
-- often (and on however many kassad instances) the job runs.
CREATE TABLE birthday_coupons (
	member_id	bigint NOT NULL REFERENCES members,
	def_id		bigint NOT NULL REFERENCES coupon_defs,
	year		integer NOT NULL,
	coupon_id	bigint,			-- coupons.coupon_id, same transaction
	issued_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, def_id, year)
);

-- Today's birthdays without a scan of every member.
CREATE INDEX members_birthday_md ON members
	(extract(month FROM birthday), extract(day FROM birthday), member_id)
	WHERE birthday IS NOT NULL;

-- ---- top-up -------------------------------------------------------------

-- The answer to a top-up, from rows that never change: the first answer
-- and every replay are the same.
CREATE FUNCTION kassa_topup_answer(p_txn_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('topup_id', t.txn_id, 'member_id', t.member_id,
			'amount', t.total_minor,
			'bonus', coalesce((SELECT sum(l.amount_minor) FROM wallet_ledger l
				WHERE l.member_id = t.member_id AND l.txn_id = t.txn_id
				  AND l.kind = 'bonus'), 0),
			'balance', t.wallet_balance_after,
			'created_at', to_char(t.created_at AT TIME ZONE 'UTC',
					      'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
		FROM transactions t WHERE t.txn_id = p_txn_id AND t.kind = 'topup');
END
$$;

-- Put p_amount (and the bonus kassad computed from rule version
-- p_rule_version) on a member's wallet, paid by the tenders, exactly once
-- per idempotency key, under the member's row lock. Refusals:
--   KA404 MEMBER_NOT_FOUND
--   KA412 STALE_PRICING      the rule set changed: kassad reloads and retries
--   KA412 CURRENCY_MISMATCH  the wallet holds another currency than the store takes
--   KA400 BAD_TOTALS         amounts that do not add up (kassad checked them first)
CREATE FUNCTION kassa_topup(
	p_store_id bigint, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_member_id bigint,
	p_amount bigint, p_bonus bigint, p_rule_version integer,
	p_tender_kinds smallint[], p_tender_amounts bigint[], p_tender_refs text[],
	p_tendered bigint, p_change bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_txn		bigint := nextval('transactions_txn_id_seq');
	v_prev		record;
	v_m		record;
	v_currency	char(3);
	v_wallet_cur	char(3);
	v_balance	bigint;
	v_sum		bigint;
BEGIN
	INSERT INTO idempotency (till_id, key, kind, request_hash, result_id)
	VALUES (p_till_id, p_key, 'topup', p_hash, v_txn)
	ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		SELECT kind, request_hash, result_id INTO v_prev
		FROM idempotency WHERE till_id = p_till_id AND key = p_key;
		IF v_prev.kind <> 'topup' OR v_prev.request_hash <> p_hash THEN
			RAISE EXCEPTION 'IDEMPOTENCY_KEY_REUSED' USING ERRCODE = 'KA409';
		END IF;
		RETURN kassa_topup_answer(v_prev.result_id);
	END IF;

	SELECT coalesce(sum(a), 0) INTO v_sum FROM unnest(p_tender_amounts) a;
	IF p_amount <= 0 OR p_bonus < 0 OR p_change < 0 OR p_tendered - p_change <> p_amount
	   OR v_sum <> p_tendered OR cardinality(p_tender_kinds) = 0
	   OR EXISTS (SELECT 1 FROM unnest(p_tender_kinds) k WHERE k NOT IN (1, 2, 3)) THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	IF p_rule_version <> (SELECT max(version) FROM rule_versions) THEN
		RAISE EXCEPTION 'STALE_PRICING' USING ERRCODE = 'KA412';
	END IF;
	SELECT currency INTO v_currency FROM stores WHERE store_id = p_store_id;

	SELECT points_balance, cumulative_spend_minor, currency INTO v_m
	FROM members WHERE member_id = p_member_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	INSERT INTO wallets (member_id, currency) VALUES (p_member_id, v_m.currency)
	ON CONFLICT DO NOTHING;
	UPDATE wallets SET balance_minor = balance_minor + p_amount + p_bonus, updated_at = now()
	WHERE member_id = p_member_id
	RETURNING balance_minor, currency INTO v_balance, v_wallet_cur;
	IF v_wallet_cur <> v_currency THEN
		RAISE EXCEPTION 'CURRENCY_MISMATCH' USING ERRCODE = 'KA412';
	END IF;

	INSERT INTO transactions (txn_id, kind, store_id, till_id, staff_id, member_id, currency,
		total_minor, tendered_minor, change_minor, points_earned, points_balance_after,
		cumulative_spend_after, rule_version, gross_minor, wallet_balance_after)
	VALUES (v_txn, 'topup', p_store_id, p_till_id, p_staff_id, p_member_id, v_currency,
		p_amount, p_tendered, p_change, 0, v_m.points_balance,
		v_m.cumulative_spend_minor, p_rule_version, p_amount, v_balance);
	INSERT INTO tenders (txn_id, tender_no, kind, amount_minor, reference)
	SELECT v_txn, u.ord, u.kind, u.amount, u.ref
	FROM unnest(p_tender_kinds, p_tender_amounts, p_tender_refs) WITH ORDINALITY
		AS u(kind, amount, ref, ord);
	INSERT INTO wallet_ledger (member_id, kind, amount_minor, txn_id)
	VALUES (p_member_id, 'topup', p_amount, v_txn);
	IF p_bonus > 0 THEN
		INSERT INTO wallet_ledger (member_id, kind, amount_minor, txn_id)
		VALUES (p_member_id, 'bonus', p_bonus, v_txn);
	END IF;
	RETURN kassa_topup_answer(v_txn);
END
$$;

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
	v_prev	record;
BEGIN
	IF p_key IS NOT NULL THEN
		INSERT INTO idempotency (till_id, key, kind, request_hash, result_id)
		VALUES (p_till_id, p_key, p_kind, p_hash, v_run)
		ON CONFLICT DO NOTHING;
		IF NOT FOUND THEN
			SELECT kind, request_hash, result_id INTO v_prev
			FROM idempotency WHERE till_id = p_till_id AND key = p_key;
			IF v_prev.kind <> p_kind OR v_prev.request_hash <> p_hash THEN
				RAISE EXCEPTION 'IDEMPOTENCY_KEY_REUSED' USING ERRCODE = 'KA409';
			END IF;
			v_run := v_prev.result_id;
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
-- left becomes an 'expire' ledger row (kassa_expire_member, 0004).
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
