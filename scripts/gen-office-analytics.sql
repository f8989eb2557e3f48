-- SPDX-License-Identifier: Apache-2.0
--
-- gen-office-analytics.sql: after scripts/gen-office-data.sql's load, what the analytics
-- job would take many runs to do, done once with its own functions
-- (migrations/functions/analytics.sql): every (store, business day) bucket from each
-- store's first sale to today recomputed (kassa_agg_pick with rebuild, then
-- kassa_agg_buckets a year of one store at a time), the chain-wide points and stored
-- value days (kassa_agg_chain_days), and a from-scratch RFM pass: every member's figures
-- and portrait (kassa_rfm_full_batch), the quintile cut points (kassa_rfm_bounds_draw),
-- every member scored and classified (kassa_rfm_score_batch); then analytics_state says
-- the aggregates and both RFM passes are covered to this clock, so kassad's job starts
-- from here. Each batch commits on its own, as the job's statements do.
--
-- psql variables (gen-office-data.sh passes them): window_days, new_days, lost_days
-- ([analytics] rfm_window_days and the classes' day counts) and zone (the server's
-- business time zone, [loyalty] timezone; '' = the session's).
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;

SELECT to_regprocedure('kassa_agg_pick(timestamptz,timestamptz,boolean,text,integer)') IS NOT NULL
   AND to_regprocedure('kassa_agg_buckets(bigint[],date[])') IS NOT NULL
   AND to_regprocedure('kassa_agg_chain_days(date,date,text)') IS NOT NULL
   AND to_regprocedure('kassa_rfm_full_batch(timestamptz,bigint,integer,integer,integer,integer)') IS NOT NULL
   AND to_regprocedure('kassa_rfm_bounds_draw(timestamptz,integer)') IS NOT NULL
   AND to_regprocedure('kassa_rfm_score_batch(timestamptz,bigint,integer,integer,integer)') IS NOT NULL
   AND to_regprocedure('kassa_analytics_state_set(text,timestamptz,timestamptz,bigint)') IS NOT NULL
	AS have_analytics \gset
\if :have_analytics
-- the run's clock and settings, for the DO blocks (which cannot see psql variables)
SELECT set_config('gen.now', clock_timestamp()::text, false),
	set_config('gen.window_days', :'window_days', false),
	set_config('gen.new_days', :'new_days', false),
	set_config('gen.lost_days', :'lost_days', false),
	set_config('gen.zone', :'zone', false),
	extract(epoch FROM clock_timestamp()) AS t0 \gset

DO $$
DECLARE
	v_now	timestamptz := current_setting('gen.now')::timestamptz;
	v_zone	text := current_setting('gen.zone');
	r	record;
	d	date;
	v_to	date;
	v_n	bigint := 0;
BEGIN
	FOR r IN SELECT * FROM kassa_agg_pick(v_now, NULL, true, v_zone, 1000000) p
		ORDER BY p.store_id NULLS LAST, p.from_day LOOP
		d := r.from_day;
		WHILE d <= r.to_day LOOP
			v_to := least(r.to_day, d + 365);
			IF r.store_id IS NULL THEN
				PERFORM kassa_agg_chain_days(d, v_to, v_zone);
			ELSE
				PERFORM kassa_agg_buckets(array_fill(r.store_id, ARRAY[v_to - d + 1]),
					ARRAY(SELECT g::date FROM generate_series(d, v_to, interval '1 day') g));
				v_n := v_n + (v_to - d + 1);
			END IF;
			COMMIT;
			d := v_to + 1;
		END LOOP;
	END LOOP;
	PERFORM kassa_analytics_state_set('aggregates', v_now, v_now, v_n);
END
$$;
SELECT 'gen: ' || rpad('analytics: buckets (' || (SELECT count(*) FROM agg_sales_day) || ')', 36)
	|| lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

DO $$
DECLARE
	v_now	timestamptz := current_setting('gen.now')::timestamptz;
	v_w	integer := current_setting('gen.window_days')::integer;
	v_new	integer := current_setting('gen.new_days')::integer;
	v_lost	integer := current_setting('gen.lost_days')::integer;
	v_after	bigint := 0;
	v_more	boolean := true;
	v_n	integer;
	v_all	bigint := 0;
BEGIN
	WHILE v_more LOOP
		SELECT out_members, out_last, out_more INTO v_n, v_after, v_more
		FROM kassa_rfm_full_batch(v_now, v_after, 20000, v_w, v_new, v_lost);
		v_all := v_all + v_n;
		COMMIT;
	END LOOP;
	PERFORM kassa_rfm_bounds_draw(v_now, v_w);
	COMMIT;
	v_after := 0;
	v_more := true;
	WHILE v_more LOOP
		SELECT out_last, out_more INTO v_after, v_more
		FROM kassa_rfm_score_batch(v_now, v_after, 50000, v_new, v_lost);
		COMMIT;
	END LOOP;
	PERFORM kassa_analytics_state_set('rfm_full', v_now, v_now, v_all);
	PERFORM kassa_analytics_state_set('rfm_incremental', v_now, v_now, v_all);
END
$$;
SELECT 'gen: ' || rpad('analytics: RFM (' || (SELECT count(*) FROM member_stats) || ' members)', 36)
	|| lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg \gset
\echo :msg
VACUUM (ANALYZE) agg_sales_day, agg_sales_hour, agg_category_day, agg_product_day, agg_product_chain_day, agg_staff_day,
	agg_points_day, agg_wallet_day, member_stats;
\else
\echo gen: the analytics functions are not in this database (migrations/functions/analytics.sql): skipped
\endif
