-- Recommendations (care/reco; tables in 0020_recommendations.sql): the
-- recommendations job's statements (server/crm/reco_job.c), what MemberGet
-- and Member360 read of them, and the bought_together report.
--
-- A basket is one sale (transactions.kind 'sale') of the window, the last
-- [crm] reco_window_days days: its distinct products, gift lines left out.
-- Refunds are ignored: a refunded sale still says what was bought together.
-- A run is three kinds of statement, each its own transaction:
--   kassa_reco_begin     the lease, the job_runs row, and the run's shared
--                        aggregates: reco_products, reco_pairs (both
--                        directions), reco_class_products
--   kassa_reco_members   one batch of members (ids above p_after) with a
--                        sale in the window: their suggestions replaced
--   kassa_reco_finish    the rows of members no batch took removed, the
--                        run finished, the lease released
-- So a till's look-up reads the stored rows and never waits for the job.

-- A job_runs row of kind 'recommendations' as kassad answers it: examined
-- = baskets, issued = pairs stored (each direction counted), members =
-- members with suggestions.
CREATE FUNCTION kassa_reco_run_row(p_run_id bigint,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_examined bigint,
	OUT out_changed bigint, OUT out_members bigint, OUT out_elapsed_ms bigint,
	OUT out_finished_at text)
LANGUAGE sql STABLE AS $$
	SELECT run_id, finished_at IS NOT NULL, examined, issued, members,
	       coalesce((extract(epoch FROM finished_at - started_at) * 1000)::bigint, 0),
	       coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
	FROM job_runs WHERE run_id = p_run_id
$$;

-- Start a run: with an idempotency key (JobRun), a key seen before whose
-- run finished answers that run (out_finished) and does nothing more; a
-- run that is to go claims the lease for p_holder, p_lease_s seconds, or
-- raises RECO_RUNNING (KA412) while another holds it unexpired (nothing of
-- this call stays), then rewrites the shared aggregates over the last
-- p_window_days days, keeping pairs seen in at least p_min_pairs baskets.
CREATE FUNCTION kassa_reco_begin(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_holder text, p_lease_s integer, p_window_days integer,
	p_min_pairs integer,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_examined bigint,
	OUT out_changed bigint, OUT out_members bigint, OUT out_elapsed_ms bigint,
	OUT out_finished_at text)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_run	bigint := nextval('job_runs_run_id_seq');
	v_prev	bigint;
	v_from	timestamptz := now() - make_interval(days => greatest(p_window_days, 1));
	v_total	bigint;
	v_pairs	bigint;
BEGIN
	IF p_key IS NOT NULL THEN
		v_prev := kassa_idem_claim(p_till_id, p_key, 'job_run', p_hash, v_run);
		v_run := coalesce(v_prev, v_run);
	END IF;
	INSERT INTO job_runs (run_id, kind, staff_id, till_id)
	VALUES (v_run, 'recommendations', p_staff_id, p_till_id)
	ON CONFLICT (run_id) DO NOTHING;
	SELECT * INTO out_run_id, out_finished, out_examined, out_changed, out_members,
		out_elapsed_ms, out_finished_at FROM kassa_reco_run_row(v_run);
	IF out_finished THEN
		RETURN;
	END IF;
	UPDATE reco_state SET holder = p_holder, run_id = v_run, window_from = v_from,
		lease_until = now() + make_interval(secs => p_lease_s)
	WHERE id AND lease_until < now();
	IF NOT FOUND THEN
		RAISE EXCEPTION 'RECO_RUNNING' USING ERRCODE = 'KA412';
	END IF;

	DELETE FROM reco_products;
	INSERT INTO reco_products (product_id, category, baskets)
	SELECT b.product_id, p.category, count(*)
	FROM (SELECT DISTINCT l.txn_id, l.product_id
	      FROM transactions t JOIN transaction_lines l ON l.txn_id = t.txn_id
	      WHERE t.kind = 'sale' AND t.created_at >= v_from AND l.gift_points = 0) b
	JOIN products p ON p.product_id = b.product_id
	GROUP BY b.product_id, p.category;
	SELECT count(DISTINCT l.txn_id) INTO v_total
	FROM transactions t JOIN transaction_lines l ON l.txn_id = t.txn_id
	WHERE t.kind = 'sale' AND t.created_at >= v_from AND l.gift_points = 0;

	DELETE FROM reco_pairs;
	INSERT INTO reco_pairs (product_id, other_id, baskets, baskets_a, baskets_b,
		total_baskets, support, confidence, lift, run_id)
	WITH b AS MATERIALIZED (
		SELECT DISTINCT l.txn_id, l.product_id
		FROM transactions t JOIN transaction_lines l ON l.txn_id = t.txn_id
		WHERE t.kind = 'sale' AND t.created_at >= v_from AND l.gift_points = 0)
	SELECT x.product_id, y.product_id, count(*), pa.baskets, pb.baskets, v_total,
	       count(*)::float8 / v_total, count(*)::float8 / pa.baskets,
	       (count(*)::float8 / pa.baskets) / (pb.baskets::float8 / v_total), v_run
	FROM b x JOIN b y ON y.txn_id = x.txn_id AND y.product_id <> x.product_id
	JOIN reco_products pa ON pa.product_id = x.product_id
	JOIN reco_products pb ON pb.product_id = y.product_id
	GROUP BY x.product_id, y.product_id, pa.baskets, pb.baskets
	HAVING count(*) >= greatest(p_min_pairs, 1);
	GET DIAGNOSTICS v_pairs = ROW_COUNT;

	DELETE FROM reco_class_products;
	INSERT INTO reco_class_products (class, product_id, buyers, members)
	WITH mb AS MATERIALIZED (
		SELECT DISTINCT t.member_id, l.product_id
		FROM transactions t JOIN transaction_lines l ON l.txn_id = t.txn_id
		WHERE t.kind = 'sale' AND t.created_at >= v_from AND t.member_id IS NOT NULL
		  AND l.gift_points = 0),
	mc AS (SELECT m.member_id, coalesce(s.class, 'none') AS class
	       FROM (SELECT DISTINCT member_id FROM mb) m
	       LEFT JOIN member_stats s ON s.member_id = m.member_id),
	cm AS (SELECT class, count(*) AS members FROM mc GROUP BY class)
	SELECT mc.class, mb.product_id, count(*), cm.members
	FROM mb JOIN mc ON mc.member_id = mb.member_id JOIN cm ON cm.class = mc.class
	GROUP BY mc.class, mb.product_id, cm.members;

	UPDATE reco_state SET baskets = v_total WHERE id;
	UPDATE job_runs SET examined = v_total, issued = v_pairs WHERE run_id = v_run;
	out_examined := v_total;
	out_changed := v_pairs;
END
$$;

-- One batch of run p_run_id (whose lease p_holder must hold: renewed for
-- p_lease_s seconds, else RECO_LEASE_LOST, KA412): up to p_limit members
-- with ids above p_after, not erased or merged, with a sale in the run's
-- window. Each one's suggestions are replaced by up to p_per_member, best
-- first, none of them a product they bought in the last p_recent_days
-- days or an inactive one, one row per product:
--   bought_with      the partners b of the products a they bought in the
--                    window (reco_pairs a -> b), score lift x 1000,
--                    because a (the highest lift's, for a b of several)
--   category         the top sellers (reco_products' baskets) of their
--                    favourite categories (member_stats.fav_categories, the
--                    first three; without them the three categories they
--                    bought most in the window), score the product's share
--                    of its category's baskets x 1000
--   similar_members  what the buyers of their RFM class bought most, score
--                    the share of the class's buyers x 1000
-- A product that several give is kept under the first of these reasons.
-- The order interleaves the reasons: each reason's best, then each one's
-- second, and so on (within a round, in the order above). Returns the
-- members taken, the last id and whether there may be more.
CREATE FUNCTION kassa_reco_members(p_run_id bigint, p_holder text, p_lease_s integer,
	p_after bigint, p_limit integer, p_per_member integer, p_recent_days integer,
	OUT out_picked integer, OUT out_last bigint, OUT out_more boolean)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_from	timestamptz;
	v_ids	bigint[];
	v_since	timestamptz := now() - make_interval(days => greatest(p_recent_days, 0));
	v_wide	integer := greatest(p_per_member, 1) * 4;	-- candidates per source
BEGIN
	UPDATE reco_state SET lease_until = now() + make_interval(secs => p_lease_s)
	WHERE id AND holder = p_holder AND run_id = p_run_id AND p_holder <> ''
	RETURNING window_from INTO v_from;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'RECO_LEASE_LOST' USING ERRCODE = 'KA412';
	END IF;
	SELECT array_agg(x.member_id ORDER BY x.member_id) INTO v_ids
	FROM (SELECT m.member_id FROM members m
	      WHERE m.member_id > p_after AND m.erased_at IS NULL AND m.merged_into IS NULL
		AND EXISTS (SELECT 1 FROM transactions t WHERE t.member_id = m.member_id
			    AND t.kind = 'sale' AND t.created_at >= v_from)
	      ORDER BY m.member_id LIMIT p_limit) x;
	out_picked := coalesce(cardinality(v_ids), 0);
	out_last := coalesce(v_ids[out_picked], p_after);
	out_more := out_picked = p_limit;
	IF out_picked = 0 THEN
		RETURN;
	END IF;
	DELETE FROM member_recommendations WHERE member_id = ANY (v_ids);
	INSERT INTO member_recommendations (member_id, rank, product_id, reason, score_milli,
		because_id, run_id)
	WITH bought AS MATERIALIZED (
		SELECT DISTINCT t.member_id, l.product_id
		FROM transactions t JOIN transaction_lines l ON l.txn_id = t.txn_id
		WHERE t.member_id = ANY (v_ids) AND t.kind = 'sale' AND t.created_at >= v_from
		  AND l.gift_points = 0),
	recent AS MATERIALIZED (
		SELECT DISTINCT t.member_id, l.product_id
		FROM transactions t JOIN transaction_lines l ON l.txn_id = t.txn_id
		WHERE t.member_id = ANY (v_ids) AND t.kind = 'sale' AND t.created_at >= v_since),
	stats AS (
		SELECT s.member_id, s.class, s.fav_categories FROM member_stats s
		WHERE s.member_id = ANY (v_ids)),
	favs AS (
		SELECT s.member_id, c.cat FROM stats s,
			unnest(s.fav_categories[1:3]) c(cat) WHERE c.cat <> ''
		UNION
		SELECT x.member_id, x.category FROM (
			SELECT b.member_id, p.category, row_number() OVER (PARTITION BY b.member_id
				ORDER BY count(*) DESC, p.category) AS ord
			FROM bought b JOIN products p ON p.product_id = b.product_id
			WHERE p.category <> '' GROUP BY b.member_id, p.category) x
		WHERE x.ord <= 3 AND NOT EXISTS (SELECT 1 FROM stats s
			WHERE s.member_id = x.member_id AND cardinality(s.fav_categories) > 0)),
	cand AS (
		SELECT b.member_id, rp.other_id AS product_id, 1 AS prio,
		       least(round(rp.lift * 1000), 2147483647)::integer AS score,
		       b.product_id AS because
		FROM bought b JOIN reco_pairs rp ON rp.product_id = b.product_id
		UNION ALL
		SELECT f.member_id, top.product_id, 2, top.score, NULL
		FROM favs f CROSS JOIN LATERAL (
			SELECT p.product_id, (p.baskets * 1000 / nullif((SELECT sum(q.baskets)
				FROM reco_products q WHERE q.category = f.cat), 0)::bigint)::integer
				AS score
			FROM reco_products p WHERE p.category = f.cat
			ORDER BY p.baskets DESC, p.product_id LIMIT v_wide) top
		UNION ALL
		SELECT m.member_id, top.product_id, 3, top.score, NULL
		FROM unnest(v_ids) m(member_id)
		LEFT JOIN stats s ON s.member_id = m.member_id
		CROSS JOIN LATERAL (
			SELECT c.product_id, (c.buyers * 1000 / c.members)::integer AS score
			FROM reco_class_products c WHERE c.class = coalesce(s.class, 'none')
			ORDER BY c.buyers DESC, c.product_id LIMIT v_wide) top),
	kept AS (
		SELECT DISTINCT ON (c.member_id, c.product_id) c.*
		FROM cand c JOIN products p ON p.product_id = c.product_id AND p.active
		WHERE NOT EXISTS (SELECT 1 FROM recent r
				  WHERE r.member_id = c.member_id AND r.product_id = c.product_id)
		ORDER BY c.member_id, c.product_id, c.prio, c.score DESC, c.because),
	ranked AS (
		SELECT k.*, row_number() OVER (PARTITION BY k.member_id ORDER BY k.round, k.prio)
			AS rank
		FROM (SELECT kept.*, row_number() OVER (PARTITION BY member_id, prio
				ORDER BY score DESC, product_id) AS round FROM kept) k)
	SELECT member_id, rank, product_id,
	       CASE prio WHEN 1 THEN 'bought_with' WHEN 2 THEN 'category'
			 ELSE 'similar_members' END,
	       score, because, p_run_id
	FROM ranked WHERE rank <= p_per_member;
END
$$;

-- The last batch is done: the suggestions no batch of this run wrote (a
-- member without a sale in the window any more, erased or merged) go,
-- the run is finished (once) with its members counted, and the lease of
-- p_holder is released.
CREATE FUNCTION kassa_reco_finish(p_run_id bigint, p_holder text,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_examined bigint,
	OUT out_changed bigint, OUT out_members bigint, OUT out_elapsed_ms bigint,
	OUT out_finished_at text)
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM reco_state WHERE id AND holder = p_holder
		       AND run_id = p_run_id AND p_holder <> '') THEN
		RAISE EXCEPTION 'RECO_LEASE_LOST' USING ERRCODE = 'KA412';
	END IF;
	DELETE FROM member_recommendations WHERE run_id <> p_run_id;
	UPDATE job_runs SET finished_at = now(),
		members = (SELECT count(DISTINCT member_id) FROM member_recommendations)
	WHERE run_id = p_run_id AND finished_at IS NULL;
	UPDATE reco_state SET holder = '', lease_until = '-infinity', run_id = 0,
		last_run_id = p_run_id, last_finished = now()
	WHERE id;
	SELECT * INTO out_run_id, out_finished, out_examined, out_changed, out_members,
		out_elapsed_ms, out_finished_at FROM kassa_reco_run_row(p_run_id);
END
$$;

-- Release the lease of p_holder after a run that failed part-way (its
-- stored rows stay as the last batches left them; the next run redoes all).
CREATE FUNCTION kassa_reco_release(p_holder text) RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE reco_state SET holder = '', lease_until = '-infinity', run_id = 0
		WHERE id AND holder = p_holder AND p_holder <> '' RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;

-- A member's suggestions as MemberGet and Member360 carry them: a JSON
-- array, best first, of {product_id, sku, name, reason, score_milli,
-- because_sku}; products made inactive since the run are left out.
CREATE FUNCTION kassa_member_reco_json(p_member_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('product_id', r.product_id, 'sku', p.sku,
		'name', p.name, 'reason', r.reason, 'score_milli', r.score_milli,
		'because_sku', coalesce(b.sku, '')) ORDER BY r.rank), '[]')::text
	FROM member_recommendations r
	JOIN products p ON p.product_id = r.product_id AND p.active
	LEFT JOIN products b ON b.product_id = r.because_id
	WHERE r.member_id = p_member_id
$$;

-- The bought_together report (server/office/report_sales.c): the pairs of
-- the last run, highest lift first (to six places, so that equal lifts
-- computed two ways tie; then baskets, then skus), p_limit of them; with
-- p_category only pairs whose first product is of it. Support and
-- confidence in basis points, lift a decimal with two places. The range
-- and store are not used: the pairs are the chain's, as of the last run.
CREATE FUNCTION kassa_report_bought_together(p_from date, p_to date, p_store_id bigint,
	p_category text, p_limit integer)
RETURNS TABLE (sku text, name text, other_sku text, other_name text, baskets bigint,
	support_bp bigint, confidence_bp bigint, lift text)
LANGUAGE sql STABLE AS $$
	SELECT a.sku, a.name, b.sku, b.name, r.baskets,
	       round(r.support * 10000)::bigint, round(r.confidence * 10000)::bigint,
	       to_char(round(r.lift::numeric, 2), 'FM999999990.00')
	FROM reco_pairs r
	JOIN products a ON a.product_id = r.product_id
	JOIN products b ON b.product_id = r.other_id
	WHERE p_category IS NULL OR a.category = p_category
	ORDER BY round(r.lift::numeric, 6) DESC, r.baskets DESC, a.sku, b.sku
	LIMIT p_limit
$$;
