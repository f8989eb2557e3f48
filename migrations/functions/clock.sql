-- Staff time (server/store/clock.c, server/office/report_staff.c): clock
-- in and out at the till, the records and hours per ISO week, the staff
-- who worked during a till's shift, and the staff_hours and
-- cashier_performance reports. Schema: 0031_staff_time.sql.
--
-- Rules:
--   - times are the server's now(); one open record per staff member
--     (clock_one_open), so records of one person never overlap;
--   - a record open longer than kassa_clock_max() (16 h) is a forgotten
--     clock-out: it counts as ending at in_at + 16 h (kassa_clock_end) and
--     is written so, auto_closed, by that person's next clock-in or clock-out;
--   - a record belongs to the ISO week ("IYYY-Www") and the day of its in_at
--     in its store's time zone (stores.timezone); a night across a week's
--     end counts whole in the week it started.

-- The longest a record may stay open.
CREATE FUNCTION kassa_clock_max() RETURNS interval LANGUAGE sql IMMUTABLE AS $$
	SELECT interval '16 hours'
$$;

-- When a record ends for counting: its out_at, else now() but at most
-- in_at + kassa_clock_max().
CREATE FUNCTION kassa_clock_end(p_in timestamptz, p_out timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT coalesce(p_out, least(now(), p_in + kassa_clock_max()))
$$;

CREATE FUNCTION kassa_clock_utc(p_at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_at IS NULL THEN ''
		ELSE to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END
$$;

-- Record p_id as the JSON object clock.c reads (ClockRecord's fields).
CREATE FUNCTION kassa_clock_json(p_id bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('clock_id', r.clock_id, 'staff_id', r.staff_id,
		'staff_name', s.name, 'store_id', r.store_id, 'till_id', r.till_id,
		'shift_id', coalesce(r.shift_id, 0), 'in_at', kassa_clock_utc(r.in_at),
		'out_at', kassa_clock_utc(r.out_at),
		'seconds', extract(epoch FROM kassa_clock_end(r.in_at, r.out_at) - r.in_at)::bigint,
		'open', r.out_at IS NULL,
		'auto_closed', r.auto_closed OR (r.out_at IS NULL AND
			now() >= r.in_at + kassa_clock_max()))
	FROM clock_records r JOIN staff s ON s.staff_id = r.staff_id
	WHERE r.clock_id = p_id
$$;

-- Clock staff p_staff_id in at till p_till_id of store p_store_id, exactly
-- once per idempotency key (result_id is the clock_id). A record of theirs
-- open over kassa_clock_max() is first closed (auto_closed). Refusal: KA412
-- ALREADY_CLOCKED_IN (an open record, also when a clock-in at another till
-- wins the race on clock_one_open). Returns the new record as it stood
-- when it opened, as a replay does.
CREATE FUNCTION kassa_clock_in(p_till_id bigint, p_key text, p_hash bytea,
	p_store_id bigint, p_staff_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('clock_records_clock_id_seq');
	v_prev	bigint;
	v_shift	bigint;
	v_auto	bigint;
	v_open	constant jsonb := '{"out_at": "", "open": true, "seconds": 0, "auto_closed": false}';
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'clock_in', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN (kassa_clock_json(v_prev) || v_open)::text;
	END IF;
	UPDATE clock_records SET out_at = in_at + kassa_clock_max(), auto_closed = true
	WHERE staff_id = p_staff_id AND out_at IS NULL AND in_at + kassa_clock_max() <= now()
	RETURNING clock_id INTO v_auto;
	IF EXISTS (SELECT 1 FROM clock_records WHERE staff_id = p_staff_id AND out_at IS NULL) THEN
		RAISE EXCEPTION 'ALREADY_CLOCKED_IN' USING ERRCODE = 'KA412';
	END IF;
	SELECT shift_id INTO v_shift FROM shifts WHERE till_id = p_till_id AND closed_at IS NULL;
	BEGIN
		INSERT INTO clock_records (clock_id, staff_id, store_id, till_id, shift_id)
		VALUES (v_id, p_staff_id, p_store_id, p_till_id, v_shift);
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION 'ALREADY_CLOCKED_IN' USING ERRCODE = 'KA412';
	END;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'clock.in', 'clock:' || v_id,
		jsonb_build_object('store_id', p_store_id, 'shift_id', v_shift,
			'auto_closed_clock_id', v_auto));
	RETURN (kassa_clock_json(v_id) || v_open)::text;
END
$$;

-- Clock staff p_staff_id out (from till p_till_id), exactly once per
-- idempotency key (result_id is the clock_id). The open record ends now, or
-- at in_at + kassa_clock_max() (auto_closed) if that is earlier. Refusal:
-- KA412 NOT_CLOCKED_IN (no open record, also when another clock-out closed
-- it first). A replay answers the record as it is (closed, so final).
CREATE FUNCTION kassa_clock_out(p_till_id bigint, p_key text, p_hash bytea, p_staff_id bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
	v_prev	bigint;
	v_auto	boolean;
BEGIN
	SELECT clock_id, now() > in_at + kassa_clock_max() INTO v_id, v_auto
	FROM clock_records WHERE staff_id = p_staff_id AND out_at IS NULL FOR UPDATE;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'clock_out', p_hash, coalesce(v_id, 0));
	IF v_prev IS NOT NULL THEN
		RETURN kassa_clock_json(v_prev)::text;
	END IF;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'NOT_CLOCKED_IN' USING ERRCODE = 'KA412';
	END IF;
	UPDATE clock_records SET out_at = least(now(), in_at + kassa_clock_max()),
		auto_closed = v_auto, out_till_id = p_till_id
	WHERE clock_id = v_id AND out_at IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'NOT_CLOCKED_IN' USING ERRCODE = 'KA412';
	END IF;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'clock.out', 'clock:' || v_id,
		jsonb_build_object('auto_closed', v_auto));
	RETURN kassa_clock_json(v_id)::text;
END
$$;

-- The records with their store's week and counted end, for the listings.
CREATE FUNCTION kassa_clock_rows(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (clock_id bigint, staff_id bigint, store_id bigint, till_id bigint,
	in_at timestamptz, end_at timestamptz, auto_closed boolean, week text, day date)
LANGUAGE sql STABLE AS $$
	SELECT r.clock_id, r.staff_id, r.store_id, r.till_id, r.in_at,
	       kassa_clock_end(r.in_at, r.out_at),
	       r.auto_closed OR (r.out_at IS NULL AND now() >= r.in_at + kassa_clock_max()),
	       to_char(r.in_at AT TIME ZONE s.timezone, 'IYYY-"W"IW'),
	       (r.in_at AT TIME ZONE s.timezone)::date
	FROM clock_records r JOIN stores s ON s.store_id = r.store_id
	WHERE r.in_at >= p_from AND r.in_at < p_to
$$;

-- ClockList by week: week p_week ("IYYY-Www"; NULL = this week, in the
-- store's zone when p_store is given, else the server's), staff p_staff and
-- store p_store (NULL = any). KA400 BAD_WEEK for a week that does not exist.
CREATE FUNCTION kassa_clock_week(p_staff bigint, p_store bigint, p_week text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_week	text := p_week;
	v_mon	date;
	v_rows	jsonb;
	v_hours	jsonb;
BEGIN
	IF v_week IS NULL THEN
		v_week := to_char(now() AT TIME ZONE coalesce((SELECT timezone FROM stores
			WHERE store_id = p_store), current_setting('TimeZone')), 'IYYY-"W"IW');
	END IF;
	IF v_week !~ '^[0-9]{4}-W[0-9]{2}$' THEN
		RAISE EXCEPTION 'BAD_WEEK' USING ERRCODE = 'KA400';
	END IF;
	v_mon := to_date(replace(v_week, 'W', '') || '-1', 'IYYY-IW-ID');
	IF to_char(v_mon, 'IYYY-"W"IW') <> v_week THEN
		RAISE EXCEPTION 'BAD_WEEK' USING ERRCODE = 'KA400';
	END IF;
	WITH w AS (
		SELECT * FROM kassa_clock_rows((v_mon - 1)::timestamptz, (v_mon + 8)::timestamptz) w
		WHERE w.week = v_week AND (p_staff IS NULL OR w.staff_id = p_staff)
		  AND (p_store IS NULL OR w.store_id = p_store)),
	h AS (
		SELECT w.staff_id, w.store_id, count(*) AS n,
		       sum(extract(epoch FROM w.end_at - w.in_at))::bigint AS secs,
		       count(*) FILTER (WHERE w.auto_closed) AS auto
		FROM w GROUP BY w.staff_id, w.store_id)
	SELECT (SELECT coalesce(jsonb_agg(kassa_clock_json(l.clock_id)
			ORDER BY l.in_at, l.clock_id), '[]')
		FROM (SELECT * FROM w ORDER BY in_at, clock_id LIMIT 500) l),
	       (SELECT coalesce(jsonb_agg(jsonb_build_object('staff_id', h.staff_id,
			'staff_name', s.name, 'store_id', h.store_id, 'week', v_week,
			'seconds', h.secs, 'records', h.n, 'auto_closed', h.auto)
			ORDER BY h.staff_id, h.store_id), '[]')
		FROM h JOIN staff s ON s.staff_id = h.staff_id)
	INTO v_rows, v_hours;
	RETURN jsonb_build_object('week', v_week, 'records', v_rows, 'hours', v_hours)::text;
END
$$;

-- ClockList by shift: the records of the staff who were clocked in at
-- shift p_shift's till while it was open (any part of [opened_at, closed_at
-- or now)), each with the seconds inside the shift, their sums per staff
-- member, and the shift's cash figures (its stored Z report once closed,
-- the X figures while open). KA404 SHIFT_NOT_FOUND, also for a shift of
-- another store than p_store (NULL = any).
CREATE FUNCTION kassa_clock_shift(p_shift bigint, p_store bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_s	record;
	v_until	timestamptz;
	v_fig	jsonb;
	v_rows	jsonb;
	v_hours	jsonb;
BEGIN
	SELECT sh.*, st.currency INTO v_s FROM shifts sh JOIN stores st ON st.store_id = sh.store_id
	WHERE sh.shift_id = p_shift AND (p_store IS NULL OR sh.store_id = p_store);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'SHIFT_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	v_until := coalesce(v_s.closed_at, now());
	v_fig := CASE WHEN v_s.closed_at IS NULL THEN kassa_shift_json(p_shift, NULL, NULL)
		ELSE v_s.report END;
	WITH w AS (
		SELECT r.clock_id, r.staff_id, r.store_id, r.in_at,
		       extract(epoch FROM least(kassa_clock_end(r.in_at, r.out_at), v_until)
			 - greatest(r.in_at, v_s.opened_at))::bigint AS secs
		FROM clock_records r
		WHERE r.till_id = v_s.till_id AND r.in_at < v_until
		  AND r.in_at >= v_s.opened_at - kassa_clock_max()
		  AND kassa_clock_end(r.in_at, r.out_at) > v_s.opened_at),
	h AS (
		SELECT w.staff_id, w.store_id, count(*) AS n, sum(w.secs)::bigint AS secs
		FROM w GROUP BY w.staff_id, w.store_id)
	SELECT (SELECT coalesce(jsonb_agg(kassa_clock_json(w.clock_id)
			|| jsonb_build_object('shift_seconds', w.secs)
			ORDER BY w.in_at, w.clock_id), '[]') FROM w),
	       (SELECT coalesce(jsonb_agg(jsonb_build_object('staff_id', h.staff_id,
			'staff_name', s.name, 'store_id', h.store_id, 'week', '',
			'seconds', h.secs, 'records', h.n, 'auto_closed', 0)
			ORDER BY h.staff_id), '[]')
		FROM h JOIN staff s ON s.staff_id = h.staff_id)
	INTO v_rows, v_hours;
	RETURN jsonb_build_object('week', '', 'records', v_rows, 'hours', v_hours,
		'shift_id', p_shift, 'shift_closed', v_s.closed_at IS NOT NULL,
		'expected_cash_minor', coalesce((v_fig->>'expected_cash_minor')::bigint, 0),
		'counted_minor', coalesce((v_fig->>'counted_minor')::bigint, 0),
		'over_short_minor', coalesce((v_fig->>'over_short_minor')::bigint, 0),
		'currency', v_s.currency)::text;
END
$$;

-- ---- reports (server/office/report_staff.c) ----

-- Seconds worked per staff member and store over the days p_from .. p_to
-- (the store's days of in_at), with the auto-closed records among them.
CREATE FUNCTION kassa_clock_hours(p_from date, p_to date, p_store bigint)
RETURNS TABLE (staff_id bigint, store_id bigint, week text, records bigint, secs bigint,
	auto_closed bigint)
LANGUAGE sql STABLE AS $$
	SELECT w.staff_id, w.store_id, w.week, count(*),
	       sum(extract(epoch FROM w.end_at - w.in_at))::bigint,
	       count(*) FILTER (WHERE w.auto_closed)
	FROM kassa_clock_rows((p_from - 1)::timestamptz, (p_to + 2)::timestamptz) w
	WHERE w.day BETWEEN p_from AND p_to AND (p_store IS NULL OR w.store_id = p_store)
	GROUP BY w.staff_id, w.store_id, w.week
$$;

-- Hours as text with two decimals ("7.50"), NULL for none.
CREATE FUNCTION kassa_clock_hours_text(p_secs bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(round(p_secs / 3600.0, 2), 'FM9999999990.00')
$$;

-- staff_hours: per ISO week, staff member and store: hours worked, clock
-- records, how many were auto-closed (forgotten clock-outs), the cash-desk
-- shifts the staff member opened that week at that store, how many of
-- them are closed and the sum of their over/short (counted - expected,
-- from each Z report).
CREATE FUNCTION kassa_report_staff_hours(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (week text, staff_id bigint, staff text, store text, hours text,
	records bigint, auto_closed bigint, shifts bigint, shifts_closed bigint,
	over_short_minor bigint)
LANGUAGE sql STABLE AS $$
	WITH c AS (SELECT * FROM kassa_clock_hours(p_from, p_to, p_store)),
	sh AS (
		SELECT to_char(s.opened_at AT TIME ZONE st.timezone, 'IYYY-"W"IW') AS week,
		       s.staff_id, s.store_id, count(*) AS n,
		       count(*) FILTER (WHERE s.closed_at IS NOT NULL) AS closed,
		       sum((s.report->>'over_short_minor')::bigint)
			 FILTER (WHERE s.closed_at IS NOT NULL) AS over_short
		FROM shifts s JOIN stores st ON st.store_id = s.store_id
		WHERE s.opened_at >= (p_from - 1)::timestamptz
		  AND s.opened_at < (p_to + 2)::timestamptz
		  AND (s.opened_at AT TIME ZONE st.timezone)::date BETWEEN p_from AND p_to
		  AND (p_store IS NULL OR s.store_id = p_store)
		GROUP BY 1, 2, 3)
	SELECT coalesce(c.week, sh.week), coalesce(c.staff_id, sh.staff_id),
	       coalesce(sf.name, ''), coalesce(st.code, ''),
	       coalesce(kassa_clock_hours_text(c.secs), '0.00'), coalesce(c.records, 0),
	       coalesce(c.auto_closed, 0), coalesce(sh.n, 0), coalesce(sh.closed, 0),
	       coalesce(sh.over_short, 0)::bigint
	FROM c FULL JOIN sh ON sh.week = c.week AND sh.staff_id = c.staff_id
		AND sh.store_id = c.store_id
	LEFT JOIN staff sf ON sf.staff_id = coalesce(c.staff_id, sh.staff_id)
	LEFT JOIN stores st ON st.store_id = coalesce(c.store_id, sh.store_id)
	ORDER BY 1, 2, 4
$$;

-- cashier_performance: kassa_report_staff's figures per cashier (sales,
-- money and average basket from agg_staff_day, the members they signed up,
-- customers' ratings, refunds), with the hours they worked over the range
-- (clock records) and their sales per hour worked (minor units; NULL
-- without hours).
CREATE FUNCTION kassa_report_cashier_performance(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (staff_id bigint, staff text, store text, sales bigint, total_minor bigint,
	basket_minor bigint, signups bigint, rating text, ratings bigint, refunds bigint,
	refund_minor bigint, hours text, sales_per_hour_minor bigint)
LANGUAGE sql STABLE AS $$
	WITH k AS (SELECT * FROM kassa_report_staff(p_from, p_to, p_store, p_category, p_limit)),
	h AS (SELECT c.staff_id, sum(c.secs)::bigint AS secs
	      FROM kassa_clock_hours(p_from, p_to, p_store) c GROUP BY c.staff_id)
	SELECT coalesce(k.staff_id, h.staff_id), coalesce(k.staff, sf.name, ''),
	       coalesce(k.store, st.code, ''), coalesce(k.sales, 0), coalesce(k.total_minor, 0),
	       k.basket_minor, coalesce(k.signups, 0), k.rating, coalesce(k.ratings, 0),
	       coalesce(k.refunds, 0), coalesce(k.refund_minor, 0),
	       coalesce(kassa_clock_hours_text(h.secs), '0.00'),
	       CASE WHEN coalesce(h.secs, 0) > 0
		    THEN round(coalesce(k.total_minor, 0) * 3600.0 / h.secs)::bigint END
	FROM k FULL JOIN h ON h.staff_id = k.staff_id
	LEFT JOIN staff sf ON sf.staff_id = h.staff_id
	LEFT JOIN stores st ON st.store_id = sf.store_id
	ORDER BY coalesce(k.total_minor, 0) DESC, 1
$$;

-- shift_staff: per cash-desk shift opened in the range (the store's days):
-- its till, when it opened and closed, who opened it, the cash expected,
-- counted and the over/short (counted - expected, from its Z report; 0
-- while open), and who was clocked in at that till during it with their
-- hours inside the shift ("name hours; ...", by clock-in) and the sum.
CREATE FUNCTION kassa_report_shift_staff(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (shift_id bigint, store text, till text, opened_at text, closed_at text,
	staff text, expected_cash_minor bigint, counted_minor bigint, over_short_minor bigint,
	clocked_in text, clocked_hours text)
LANGUAGE sql STABLE AS $$
	WITH s AS (
		SELECT sh.*, st.code AS store_code, t.code AS till_code,
		       coalesce(sh.closed_at, now()) AS until
		FROM shifts sh JOIN stores st ON st.store_id = sh.store_id
		JOIN tills t ON t.till_id = sh.till_id
		WHERE sh.opened_at >= (p_from - 1)::timestamptz
		  AND sh.opened_at < (p_to + 2)::timestamptz
		  AND (sh.opened_at AT TIME ZONE st.timezone)::date BETWEEN p_from AND p_to
		  AND (p_store IS NULL OR sh.store_id = p_store)),
	w AS (
		SELECT s.shift_id, r.staff_id, r.in_at,
		       extract(epoch FROM least(kassa_clock_end(r.in_at, r.out_at), s.until)
			 - greatest(r.in_at, s.opened_at))::bigint AS secs
		FROM s JOIN clock_records r ON r.till_id = s.till_id AND r.in_at < s.until
		  AND r.in_at >= s.opened_at - kassa_clock_max()
		  AND kassa_clock_end(r.in_at, r.out_at) > s.opened_at),
	p AS (
		SELECT w.shift_id, w.staff_id, min(w.in_at) AS first_in, sum(w.secs)::bigint AS secs
		FROM w GROUP BY w.shift_id, w.staff_id),
	g AS (
		SELECT p.shift_id, string_agg(coalesce(sf.name, p.staff_id::text) || ' '
			|| kassa_clock_hours_text(p.secs), '; ' ORDER BY p.first_in, p.staff_id) AS who,
		       sum(p.secs)::bigint AS secs
		FROM p LEFT JOIN staff sf ON sf.staff_id = p.staff_id GROUP BY p.shift_id)
	SELECT s.shift_id, s.store_code, s.till_code, kassa_clock_utc(s.opened_at),
	       kassa_clock_utc(s.closed_at), coalesce(o.name, ''),
	       CASE WHEN s.closed_at IS NULL
		    THEN (kassa_shift_json(s.shift_id, NULL, NULL)->>'expected_cash_minor')::bigint
		    ELSE (s.report->>'expected_cash_minor')::bigint END,
	       coalesce(s.counted_minor, 0),
	       CASE WHEN s.closed_at IS NULL THEN 0
		    ELSE coalesce((s.report->>'over_short_minor')::bigint, 0) END,
	       coalesce(g.who, ''), coalesce(kassa_clock_hours_text(g.secs), '0.00')
	FROM s LEFT JOIN g ON g.shift_id = s.shift_id
	LEFT JOIN staff o ON o.staff_id = s.staff_id
	ORDER BY s.opened_at, s.shift_id
$$;
