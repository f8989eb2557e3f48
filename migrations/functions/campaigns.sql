-- Campaigns (tables campaigns and campaign_members, 0019_campaigns.sql;
-- server/crm/campaign.c, campaign_report.c). kassad decides who is held
-- out (server/crm/holdout.c, from the stored seed) and hands the launch
-- its members a batch at a time; SQL guards, persists and aggregates.

-- A campaign as kassad answers it (Campaign), in this column order.
CREATE FUNCTION kassa_campaign_get(p_id bigint)
RETURNS TABLE (r_id bigint, r_name text, r_segment text, r_segment_version integer,
	r_holdout_bp integer, r_seed text, r_coupon_def_id bigint, r_template text,
	r_starts_on text, r_ends_on text, r_state text, r_target bigint, r_holdout bigint,
	r_coupons bigint, r_messages bigint, r_excluded bigint, r_created_at text,
	r_launched_at text, r_created_by bigint)
LANGUAGE sql STABLE AS $$
	SELECT c.campaign_id, c.name, c.segment, c.segment_version, c.holdout_bp, c.seed::text,
	       coalesce(c.coupon_def_id, 0), coalesce(c.template, ''),
	       to_char(c.starts_on, 'YYYY-MM-DD'), to_char(c.ends_on, 'YYYY-MM-DD'), c.state,
	       c.target_members, c.holdout_members, c.coupons_issued, c.messages_queued,
	       c.excluded_no_consent,
	       to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	       coalesce(to_char(c.launched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
	       c.created_by
	FROM campaigns c WHERE c.campaign_id = p_id
$$;

-- The newest p_limit campaigns, newest first, as kassa_campaign_get.
CREATE FUNCTION kassa_campaign_list(p_limit integer)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT g.* FROM (SELECT campaign_id FROM campaigns ORDER BY campaign_id DESC
			 LIMIT p_limit) c,
	     LATERAL kassa_campaign_get(c.campaign_id) g
	ORDER BY g.r_id DESC
$$;

-- Create a draft campaign, exactly once per idempotency key (result_id
-- the campaign_id). kassad has checked the name, the share held out, the
-- dates and the template's name, and drawn the seed when the request gave
-- none. Version 0 of the segment is its newest, pinned here: a launch
-- uses the version the campaign was created with. Refusals:
--   KA404 SEGMENT_NOT_FOUND      no such segment or version
--   KA404 COUPON_DEF_NOT_FOUND   no such coupon definition
--   KA412 COUPON_DEF_INACTIVE    deactivated, or its last day has passed
--   KA404 TEMPLATE_NOT_FOUND     no message template of that name
-- Audited 'campaign.create'. Returns kassa_campaign_get's row.
CREATE FUNCTION kassa_campaign_create(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_name text, p_segment text, p_version integer, p_holdout_bp integer,
	p_seed numeric, p_coupon_def_id bigint, p_template text, p_starts_on date, p_ends_on date)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('campaigns_campaign_id_seq');
	v_prev	bigint;
	v_ver	integer;
	v_def	coupon_defs;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'campaign_create', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_campaign_get(v_prev);
		RETURN;
	END IF;
	SELECT max(s.version) INTO v_ver FROM segments s
	WHERE s.name = p_segment AND (p_version = 0 OR s.version = p_version);
	IF v_ver IS NULL THEN
		RAISE EXCEPTION 'SEGMENT_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_coupon_def_id IS NOT NULL THEN
		SELECT * INTO v_def FROM coupon_defs d WHERE d.def_id = p_coupon_def_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'COUPON_DEF_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
		IF NOT v_def.active OR (v_def.valid_to IS NOT NULL AND v_def.valid_to < current_date) THEN
			RAISE EXCEPTION 'COUPON_DEF_INACTIVE' USING ERRCODE = 'KA412';
		END IF;
	END IF;
	IF p_template IS NOT NULL AND NOT EXISTS (SELECT 1 FROM message_templates t
						  WHERE t.name = p_template) THEN
		RAISE EXCEPTION 'TEMPLATE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	INSERT INTO campaigns (campaign_id, name, segment, segment_version, holdout_bp, seed,
		coupon_def_id, template, starts_on, ends_on, created_by)
	VALUES (v_id, p_name, p_segment, v_ver, p_holdout_bp, p_seed, p_coupon_def_id,
		p_template, p_starts_on, p_ends_on, p_staff_id);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'campaign.create', 'campaign:' || v_id,
		jsonb_build_object('name', p_name, 'segment', p_segment, 'segment_version', v_ver,
			'holdout_bp', p_holdout_bp, 'seed', p_seed::text,
			'coupon_def_id', p_coupon_def_id, 'template', p_template,
			'starts_on', p_starts_on, 'ends_on', p_ends_on));
	RETURN QUERY SELECT * FROM kassa_campaign_get(v_id);
END
$$;

-- Where a launch of campaign p_id starts: its state, segment, seed and
-- share held out, and the highest member_id already added (0 = none): a
-- launch that stopped half-way goes on after it.
CREATE FUNCTION kassa_campaign_launch_start(p_id bigint)
RETURNS TABLE (r_state text, r_segment text, r_segment_version integer, r_seed text,
	r_holdout_bp integer, r_after bigint)
LANGUAGE sql STABLE AS $$
	SELECT c.state, c.segment, c.segment_version, c.seed::text, c.holdout_bp,
	       coalesce((SELECT max(cm.member_id) FROM campaign_members cm
			 WHERE cm.campaign_id = c.campaign_id), 0)
	FROM campaigns c WHERE c.campaign_id = p_id
$$;

-- One batch of a launch: p_ids, the segment's members in the batch, and
-- p_held, kassad's decision for each (true: held out). Under the
-- campaign's row lock (two launches at once take turns), each member not
-- in the campaign yet (ON CONFLICT: a retried batch adds nobody twice),
-- neither erased nor merged, is added to the group; each TARGET member
-- added gets the coupon (kassa_coupon_new) and the message
-- (kassa_outbox_message, purpose 'marketing': NULL without consent,
-- channel or endpoint, counted in excluded_no_consent). The holdout gets
-- nothing. p_last: this is the last batch; the campaign is then launched
-- (the key claimed, audited 'campaign.launch'). A campaign launched
-- already is answered as it is. Refusals:
--   KA404 CAMPAIGN_NOT_FOUND
--   KA412 COUPON_DEF_INACTIVE    the coupon was deactivated since
-- Returns kassa_campaign_get's row.
CREATE FUNCTION kassa_campaign_launch_batch(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_id bigint, p_ids bigint[], p_held boolean[], p_last boolean)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
	v_c	campaigns;
	v_m	record;
	v_def	coupon_defs;
	v_cid	bigint;
	v_oid	bigint;
	v_t	bigint := 0;
	v_h	bigint := 0;
	v_cp	bigint := 0;
	v_msg	bigint := 0;
	v_ex	bigint := 0;
BEGIN
	SELECT * INTO v_c FROM campaigns c WHERE c.campaign_id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'CAMPAIGN_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_c.state = 'launched' THEN
		RETURN QUERY SELECT * FROM kassa_campaign_get(p_id);
		RETURN;
	END IF;
	IF v_c.coupon_def_id IS NOT NULL THEN
		SELECT * INTO v_def FROM coupon_defs d WHERE d.def_id = v_c.coupon_def_id;
		IF NOT v_def.active OR (v_def.valid_to IS NOT NULL AND v_def.valid_to < current_date) THEN
			RAISE EXCEPTION 'COUPON_DEF_INACTIVE' USING ERRCODE = 'KA412';
		END IF;
	END IF;
	FOR v_m IN
		INSERT INTO campaign_members (member_id, campaign_id, grp)
		SELECT u.id, p_id, CASE WHEN u.held THEN 'holdout' ELSE 'target' END
		FROM unnest(p_ids, p_held) AS u(id, held)
		JOIN members m ON m.member_id = u.id
		WHERE m.erased_at IS NULL AND m.merged_into IS NULL
		ORDER BY u.id
		ON CONFLICT DO NOTHING
		RETURNING member_id, grp
	LOOP
		IF v_m.grp = 'holdout' THEN
			v_h := v_h + 1;
			CONTINUE;
		END IF;
		v_t := v_t + 1;
		v_cid := NULL;
		v_oid := NULL;
		IF v_c.coupon_def_id IS NOT NULL THEN
			v_cid := kassa_coupon_new(v_m.member_id, v_c.coupon_def_id, NULL);
			v_cp := v_cp + 1;
		END IF;
		IF v_c.template IS NOT NULL THEN
			v_oid := kassa_outbox_message(v_m.member_id, v_c.template, 'marketing',
				jsonb_build_object('campaign', v_c.name,
					'coupon', coalesce((SELECT code FROM coupons
						WHERE member_id = v_m.member_id AND coupon_id = v_cid), ''),
					'valid_to', coalesce(to_char(v_def.valid_to, 'YYYY-MM-DD'), '')),
				p_id);
			IF v_oid IS NULL THEN
				v_ex := v_ex + 1;
			ELSE
				v_msg := v_msg + 1;
			END IF;
		END IF;
		IF v_cid IS NOT NULL OR v_oid IS NOT NULL THEN
			UPDATE campaign_members SET coupon_id = v_cid, outbox_id = v_oid
			WHERE member_id = v_m.member_id AND campaign_id = p_id;
		END IF;
	END LOOP;
	UPDATE campaigns SET target_members = target_members + v_t,
		holdout_members = holdout_members + v_h, coupons_issued = coupons_issued + v_cp,
		messages_queued = messages_queued + v_msg,
		excluded_no_consent = excluded_no_consent + v_ex
	WHERE campaign_id = p_id;
	IF p_last THEN
		PERFORM kassa_idem_claim(p_till_id, p_key, 'campaign_launch', p_hash, p_id);
		UPDATE campaigns SET state = 'launched', launched_at = now() WHERE campaign_id = p_id;
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		SELECT p_staff_id, p_till_id, 'campaign.launch', 'campaign:' || p_id,
			jsonb_build_object('target', c.target_members, 'holdout', c.holdout_members,
				'coupons_issued', c.coupons_issued,
				'messages_queued', c.messages_queued,
				'excluded_no_consent', c.excluded_no_consent,
				'seed', c.seed::text, 'holdout_bp', c.holdout_bp)
		FROM campaigns c WHERE c.campaign_id = p_id;
	END IF;
	RETURN QUERY SELECT * FROM kassa_campaign_get(p_id);
END
$$;

-- Effectiveness of campaign p_id over [starts_on, ends_on] (business days
-- of the selling store), one row per group (target first): members,
-- buyers (members with a sale in the window), visits (sales), sales (sum
-- of the sales' totals; refunds are not deducted), basket (sales /
-- visits), sales per member, the campaign's coupons issued and used (and
-- the rate, basis points of issued), and on each row the uplift in sales
-- per member target minus holdout with its 95% confidence interval by
-- Welch (difference +- 1.96 sqrt(var_t/n_t + var_h/n_h), sample variances
-- of each member's sales, a member without a sale counting 0) and the
-- relative uplift in basis points of the holdout's (NULL when the holdout
-- bought nothing or a group has fewer than 2 members). Money rounded to
-- minor units. No rows: no such campaign.
CREATE FUNCTION kassa_campaign_report(p_id bigint)
RETURNS TABLE (r_grp text, r_members bigint, r_buyers bigint, r_visits bigint,
	r_sales_minor bigint, r_basket_minor bigint, r_per_member_minor bigint,
	r_coupons_issued bigint, r_coupons_used bigint, r_redemption_bp bigint,
	r_uplift_minor bigint, r_ci_low_minor bigint, r_ci_high_minor bigint,
	r_relative_uplift_bp bigint, r_currency text, r_from text, r_to text)
LANGUAGE sql STABLE AS $$
	WITH c AS (SELECT * FROM campaigns WHERE campaign_id = p_id),
	per AS (
		SELECT cm.grp, cm.member_id,
		       count(t.txn_id) AS visits, coalesce(sum(t.total_minor), 0) AS sales,
		       (cm.coupon_id IS NOT NULL) AS issued,
		       coalesce((SELECT cp.state = 'used' FROM coupons cp
				 WHERE cp.member_id = cm.member_id AND cp.coupon_id = cm.coupon_id),
				false) AS used,
		       max(t.currency) AS currency
		FROM c JOIN campaign_members cm ON cm.campaign_id = c.campaign_id
		LEFT JOIN LATERAL (
			SELECT t.txn_id, t.total_minor, t.currency
			FROM transactions t JOIN stores s ON s.store_id = t.store_id
			WHERE t.member_id = cm.member_id AND t.kind = 'sale'
			  AND t.created_at >= (c.starts_on - 1)::timestamptz
			  AND t.created_at < (c.ends_on + 2)::timestamptz
			  AND (t.created_at AT TIME ZONE s.timezone)::date
				BETWEEN c.starts_on AND c.ends_on) t ON true
		GROUP BY cm.grp, cm.member_id, cm.coupon_id),
	g AS (
		SELECT grp.grp, count(per.member_id) AS n,
		       count(*) FILTER (WHERE per.visits > 0) AS buyers,
		       coalesce(sum(per.visits), 0)::bigint AS visits,
		       coalesce(sum(per.sales), 0)::bigint AS sales,
		       avg(per.sales)::float8 AS mean, coalesce(var_samp(per.sales)::float8, 0) AS var,
		       count(*) FILTER (WHERE per.issued) AS issued,
		       count(*) FILTER (WHERE per.used) AS used, max(per.currency) AS currency
		FROM (VALUES ('target'), ('holdout')) AS grp(grp)
		LEFT JOIN per ON per.grp = grp.grp
		GROUP BY grp.grp),
	u AS (
		SELECT t.mean - h.mean AS diff,
		       1.96 * sqrt(t.var / t.n + h.var / h.n) AS half,
		       CASE WHEN h.mean > 0 THEN (t.mean - h.mean) / h.mean * 10000 END AS rel
		FROM g t, g h
		WHERE t.grp = 'target' AND h.grp = 'holdout' AND t.n >= 2 AND h.n >= 2)
	SELECT g.grp, g.n, g.buyers, g.visits, g.sales,
	       CASE WHEN g.visits > 0 THEN round(g.sales::numeric / g.visits)::bigint END,
	       CASE WHEN g.n > 0 THEN round(g.sales::numeric / g.n)::bigint END,
	       g.issued, g.used,
	       CASE WHEN g.issued > 0 THEN round(g.used * 10000.0 / g.issued)::bigint END,
	       round((SELECT diff FROM u)::numeric)::bigint,
	       round((SELECT diff - half FROM u)::numeric)::bigint,
	       round((SELECT diff + half FROM u)::numeric)::bigint,
	       round((SELECT rel FROM u)::numeric)::bigint,
	       coalesce((SELECT max(currency) FROM g), ''),
	       (SELECT to_char(starts_on, 'YYYY-MM-DD') FROM c),
	       (SELECT to_char(ends_on, 'YYYY-MM-DD') FROM c)
	FROM g WHERE EXISTS (SELECT 1 FROM c)
	ORDER BY g.grp = 'holdout', g.grp
$$;
