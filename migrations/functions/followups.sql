-- Follow-ups (回访, tables followup_rule_versions, followup_rules,
-- followups and followup_job_lease, 0017_followups.sql; kassad's side is
-- server/crm/followup.c and followup_job.c).
--
-- kassad checks a rule set before it is saved; SQL saves it, schedules the
-- follow-ups it asks for and records their outcomes. The due day is date
-- arithmetic on stored facts (the day of the sale or of the resolution plus
-- the rule's days), done where the facts are: persistence, not a decision.

-- ---- the rules ------------------------------------------------------------

-- The rules in force (the newest version) as rows, in their order.
CREATE FUNCTION kassa_followup_rules_get()
RETURNS TABLE (r_version integer, r_created_at text, r_name text, r_kind text,
	r_days integer, r_min_total bigint, r_member_class text, r_active boolean,
	r_due_days integer)
LANGUAGE sql STABLE AS $$
	SELECT v.version,
	       to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	       r.name, r.kind, r.days, r.min_total_minor, r.member_class, r.active, r.due_days
	FROM (SELECT * FROM followup_rule_versions ORDER BY version DESC LIMIT 1) v
	LEFT JOIN followup_rules r ON r.version = v.version
	ORDER BY r.rule_no
$$;

-- Save a new version of the whole set, exactly once per idempotency key
-- (result_id: the version). The arrays are the rules in order; kassad has
-- checked them (kinds, days 1-365, unique names, min_total >= 0).
-- Audited 'followup.rules'. Returns the version.
CREATE FUNCTION kassa_followup_rules_put(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_names text[], p_kinds text[], p_days integer[], p_min_totals bigint[],
	p_classes text[], p_active boolean[], p_due_days integer[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_version	integer;
	v_prev		bigint;
BEGIN
	LOCK TABLE followup_rule_versions IN SHARE ROW EXCLUSIVE MODE;
	SELECT coalesce(max(version), 0) + 1 INTO v_version FROM followup_rule_versions;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'followup_rules', p_hash, v_version);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	INSERT INTO followup_rule_versions (version, staff_id) VALUES (v_version, p_staff_id);
	INSERT INTO followup_rules (version, rule_no, name, kind, days, min_total_minor,
		member_class, active, due_days)
	SELECT v_version, i, p_names[i], p_kinds[i], p_days[i], p_min_totals[i], p_classes[i],
	       p_active[i], p_due_days[i]
	FROM generate_subscripts(p_names, 1) AS i;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'followup.rules', 'followup_rules:' || v_version,
		jsonb_build_object('rules', to_jsonb(p_names), 'kinds', to_jsonb(p_kinds)));
	RETURN v_version;
END
$$;

-- ---- the job ----------------------------------------------------------------

-- A follow-up run as kassad reads it.
CREATE FUNCTION kassa_followup_run_row(p_run_id bigint,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_examined bigint,
	OUT out_made bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text)
LANGUAGE sql STABLE AS $$
	SELECT run_id, finished_at IS NOT NULL, examined, issued,
	       coalesce((extract(epoch FROM finished_at - started_at) * 1000)::bigint, 0),
	       coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
	FROM job_runs WHERE run_id = p_run_id
$$;

-- Start a run (a job_runs row of kind 'followups'; a request's key names
-- it, so a retry answers a finished run's counts or carries on one cut
-- short) and claim the lease for p_lease_s seconds under token p_holder.
-- The lease held by another run: KA412 FOLLOWUPS_RUNNING. out_rules are
-- the rule numbers of the active rules in force, out_version their set.
CREATE FUNCTION kassa_followup_job_begin(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_holder text, p_lease_s integer,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_examined bigint,
	OUT out_made bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text,
	OUT out_version integer, OUT out_rules integer[])
LANGUAGE plpgsql AS $$
DECLARE
	v_run	bigint := nextval('job_runs_run_id_seq');
	v_prev	bigint;
BEGIN
	IF p_key IS NOT NULL THEN
		v_prev := kassa_idem_claim(p_till_id, p_key, 'job_run', p_hash, v_run);
		v_run := coalesce(v_prev, v_run);
	END IF;
	INSERT INTO job_runs (run_id, kind, staff_id, till_id)
	VALUES (v_run, 'followups', nullif(p_staff_id, 0), nullif(p_till_id, 0))
	ON CONFLICT (run_id) DO NOTHING;
	SELECT * INTO out_run_id, out_finished, out_examined, out_made, out_elapsed_ms,
		out_finished_at
	FROM kassa_followup_run_row(v_run);
	IF out_finished THEN
		RETURN;
	END IF;
	UPDATE followup_job_lease SET holder = p_holder,
		lease_until = now() + make_interval(secs => p_lease_s)
	WHERE lease_until < now() OR holder = p_holder;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'FOLLOWUPS_RUNNING' USING ERRCODE = 'KA412';
	END IF;
	SELECT max(version) INTO out_version FROM followup_rule_versions;
	SELECT coalesce(array_agg(rule_no ORDER BY rule_no), '{}') INTO out_rules
	FROM followup_rules WHERE version = out_version AND active;
END
$$;

-- The run is over: finished once, the lease released; its counts.
CREATE FUNCTION kassa_followup_job_finish(p_run_id bigint, p_holder text,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_examined bigint,
	OUT out_made bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text)
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE job_runs SET finished_at = now() WHERE run_id = p_run_id AND finished_at IS NULL;
	PERFORM kassa_followup_lease(p_holder, 0);
	SELECT * INTO out_run_id, out_finished, out_examined, out_made, out_elapsed_ms,
		out_finished_at
	FROM kassa_followup_run_row(p_run_id);
END
$$;

-- Renew the lease of p_holder for p_lease_s seconds, or release it (0).
-- False when p_holder does not hold it.
CREATE FUNCTION kassa_followup_lease(p_holder text, p_lease_s integer) RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE followup_job_lease SET
			lease_until = CASE WHEN p_lease_s > 0
				THEN now() + make_interval(secs => p_lease_s) ELSE '-infinity' END,
			holder = CASE WHEN p_lease_s > 0 THEN holder ELSE '' END
		WHERE holder = p_holder AND p_holder <> ''
		RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;

-- One batch of rule p_rule_no of set p_version: up to p_limit candidates
-- with ids above p_after (sales by txn_id, members by member_id,
-- complaints by complaint_id), each given its follow-up unless it has one
-- for this rule already (the unique key: ON CONFLICT DO NOTHING). The
-- lease is renewed first (lost: KA412 FOLLOWUPS_LEASE_LOST). Counts are
-- added to run p_run_id. Candidates:
--   after_sale       sales with a member and total >= min_total_minor made
--                    in the last days + due_days days (an older sale's
--                    call-back would be overdue before it was made); due
--                    the sale's day + days; the sale's store and cashier
--   lapsed           members of member_class ('' = any) whose last visit
--                    (member_stats, the analytics job) is more than days
--                    days ago; one per lapse (source: the last visit's
--                    day); due the day the lapse began, or today if later;
--                    their usual store, anyone's call
--   after_complaint  complaints resolved in the last days + due_days days;
--                    due the resolution's day + days; the complaint's store
--                    and owner
CREATE FUNCTION kassa_followup_batch(p_run_id bigint, p_holder text, p_lease_s integer,
	p_version integer, p_rule_no integer, p_after bigint, p_limit integer,
	OUT out_picked integer, OUT out_last bigint, OUT out_more boolean, OUT out_made integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_r	followup_rules;
	v_since	timestamptz;
BEGIN
	IF NOT kassa_followup_lease(p_holder, p_lease_s) THEN
		RAISE EXCEPTION 'FOLLOWUPS_LEASE_LOST' USING ERRCODE = 'KA412';
	END IF;
	SELECT * INTO v_r FROM followup_rules WHERE version = p_version AND rule_no = p_rule_no;
	out_picked := 0;
	out_last := p_after;
	out_made := 0;
	IF NOT FOUND OR NOT v_r.active THEN
		out_more := false;
		RETURN;
	END IF;
	v_since := now() - make_interval(days => v_r.days + v_r.due_days);
	WITH pick AS (
		SELECT t.txn_id AS id, t.member_id, t.store_id, t.staff_id,
		       'sale:' || t.txn_id AS source,
		       (t.created_at AT TIME ZONE st.timezone)::date + v_r.days AS due_on,
		       t.txn_id, NULL::bigint AS complaint_id
		FROM transactions t JOIN stores st ON st.store_id = t.store_id	-- the store's day
		WHERE v_r.kind = 'after_sale' AND t.txn_id > p_after AND t.kind = 'sale'
		  AND t.member_id IS NOT NULL AND t.total_minor >= v_r.min_total_minor
		  AND t.created_at >= v_since
		UNION ALL
		SELECT s.member_id, s.member_id,
		       coalesce(s.usual_store_id, (SELECT t.store_id FROM transactions t
				WHERE t.member_id = s.member_id ORDER BY t.created_at DESC LIMIT 1)),
		       0, 'lapse:' || s.last_visit::date,
		       greatest(s.last_visit::date + v_r.days, current_date), NULL, NULL
		FROM member_stats s JOIN members m USING (member_id)
		WHERE v_r.kind = 'lapsed' AND s.member_id > p_after AND s.last_visit IS NOT NULL
		  AND s.last_visit < now() - make_interval(days => v_r.days)
		  AND (v_r.member_class = '' OR s.class = v_r.member_class)
		  AND m.erased_at IS NULL AND m.merged_into IS NULL
		UNION ALL
		SELECT k.complaint_id, k.member_id, k.store_id, coalesce(k.owner_staff_id, 0),
		       'complaint:' || k.complaint_id, k.resolved_at::date + v_r.days, k.txn_id,
		       k.complaint_id
		FROM complaints k
		WHERE v_r.kind = 'after_complaint' AND k.complaint_id > p_after
		  AND k.status = 'resolved' AND k.resolved_at >= v_since
		ORDER BY 1 LIMIT p_limit
	), ins AS (
		INSERT INTO followups (member_id, store_id, staff_id, rule, kind, source, due_on,
			due_days, txn_id, complaint_id, run_id)
		SELECT f.member_id, f.store_id, f.staff_id, v_r.name, v_r.kind, f.source, f.due_on,
		       v_r.due_days, f.txn_id, f.complaint_id, nullif(p_run_id, 0)
		FROM pick f WHERE f.store_id IS NOT NULL
		ON CONFLICT (member_id, rule, source) DO NOTHING
		RETURNING 1)
	SELECT (SELECT count(*) FROM pick), coalesce((SELECT max(id) FROM pick), p_after),
	       (SELECT count(*) FROM ins)
	INTO out_picked, out_last, out_made;
	out_more := out_picked >= p_limit;
	UPDATE job_runs SET examined = examined + out_picked, issued = issued + out_made
	WHERE run_id = p_run_id;
END
$$;

-- ---- the lists and the outcomes ---------------------------------------------

-- A follow-up as kassad answers it (Followup), or a list's row.
CREATE FUNCTION kassa_followup_row(f followups,
	OUT out_followup_id bigint, OUT out_member_id bigint, OUT out_store_id bigint,
	OUT out_staff_id bigint, OUT out_rule text, OUT out_kind text, OUT out_due_on text,
	OUT out_state text, OUT out_outcome text, OUT out_note text, OUT out_txn_id bigint,
	OUT out_complaint_id bigint, OUT out_done_at text, OUT out_done_by bigint,
	OUT out_attempts integer, OUT out_overdue boolean)
LANGUAGE sql STABLE AS $$
	SELECT f.followup_id, f.member_id, f.store_id, f.staff_id, f.rule, f.kind,
	       to_char(f.due_on, 'YYYY-MM-DD'), f.state, f.outcome, f.note,
	       coalesce(f.txn_id, 0), coalesce(f.complaint_id, 0),
	       coalesce(to_char(f.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
	       coalesce(f.done_by, 0), f.attempts,
	       f.state = 'open' AND f.due_on + f.due_days < current_date
$$;

-- The follow-ups of store p_store_id (NULL: every store) and staff member
-- p_staff_id (NULL: anyone's) in state p_state: 'due' (open, due today or
-- earlier), 'overdue' (open, past due_on + due_days), 'open', 'done',
-- 'all'; by id (the order they were made, so the longest waiting first),
-- p_limit rows after id p_after. A row's status is 'open' (not due yet),
-- 'due', 'overdue' or 'done'; the member's name and phone are for the
-- call (empty once erased).
CREATE FUNCTION kassa_followup_list(p_store_id bigint, p_staff_id bigint, p_state text,
	p_limit integer, p_after bigint)
RETURNS TABLE (r_followup_id bigint, r_due_on text, r_status text, r_kind text, r_rule text,
	r_store text, r_staff_id bigint, r_member_id bigint, r_name text, r_phone text,
	r_txn_id bigint, r_complaint_id bigint, r_attempts integer, r_outcome text, r_note text)
LANGUAGE sql STABLE AS $$
	SELECT f.followup_id, to_char(f.due_on, 'YYYY-MM-DD'),
	       CASE WHEN f.state = 'done' THEN 'done'
		    WHEN f.due_on + f.due_days < current_date THEN 'overdue'
		    WHEN f.due_on <= current_date THEN 'due' ELSE 'open' END,
	       f.kind, f.rule, s.code, f.staff_id, f.member_id,
	       CASE WHEN m.erased_at IS NULL THEN m.name ELSE '' END,
	       CASE WHEN m.erased_at IS NULL THEN coalesce(m.phone, '') ELSE '' END,
	       f.txn_id, f.complaint_id, f.attempts, f.outcome, f.note
	FROM followups f JOIN members m USING (member_id) JOIN stores s ON s.store_id = f.store_id
	WHERE (p_store_id IS NULL OR f.store_id = p_store_id)
	  AND (p_staff_id IS NULL OR f.staff_id = p_staff_id)
	  AND CASE p_state
		WHEN 'due' THEN f.state = 'open' AND f.due_on <= current_date
		WHEN 'overdue' THEN f.state = 'open' AND f.due_on + f.due_days < current_date
		WHEN 'open' THEN f.state = 'open'
		WHEN 'done' THEN f.state = 'done'
		ELSE true END
	  AND f.followup_id > p_after
	ORDER BY f.followup_id
	LIMIT p_limit
$$;

-- Record an outcome of follow-up p_followup_id ('' = none, only a
-- reassignment) with a note, and/or hand it to staff member p_assign (0 =
-- unchanged), who must work at the follow-up's store (or head office).
-- p_store_id is the till's store (NULL: head office, any store): another
-- store's follow-up is not found. 'reached' and 'declined' close it;
-- 'no_answer' keeps it open until the p_max_attempts-th, which closes it
-- with outcome no_answer. Exactly once per key (result_id: the
-- follow-up); a closed follow-up takes no further outcome
-- (FOLLOWUP_DONE). Audited 'followup.record'. Refusals:
--   KA404 FOLLOWUP_NOT_FOUND  KA400 BAD_ASSIGNEE  KA412 FOLLOWUP_DONE
CREATE FUNCTION kassa_followup_record(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_store_id bigint, p_followup_id bigint, p_outcome text, p_note text,
	p_assign bigint, p_max_attempts integer)
RETURNS TABLE (r_followup_id bigint, r_member_id bigint, r_store_id bigint,
	r_staff_id bigint, r_rule text, r_kind text, r_due_on text, r_state text, r_outcome text,
	r_note text, r_txn_id bigint, r_complaint_id bigint, r_done_at text, r_done_by bigint,
	r_attempts integer, r_overdue boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_f	followups;
	v_done	boolean;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'followup_record', p_hash, p_followup_id);
	SELECT * INTO v_f FROM followups WHERE followup_id = p_followup_id FOR UPDATE;
	IF NOT FOUND OR (p_store_id IS NOT NULL AND v_f.store_id <> p_store_id) THEN
		RAISE EXCEPTION 'FOLLOWUP_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT (kassa_followup_row(v_f)).*;
		RETURN;
	END IF;
	IF p_outcome <> '' AND v_f.state = 'done' THEN
		RAISE EXCEPTION 'FOLLOWUP_DONE' USING ERRCODE = 'KA412';
	END IF;
	IF p_assign > 0 AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.staff_id = p_assign
			AND s.active AND (s.store_id = v_f.store_id OR s.store_id IS NULL)) THEN
		RAISE EXCEPTION 'BAD_ASSIGNEE' USING ERRCODE = 'KA400';
	END IF;
	v_done := p_outcome IN ('reached', 'declined')
		OR (p_outcome = 'no_answer' AND v_f.attempts + 1 >= p_max_attempts);
	UPDATE followups SET
		staff_id = CASE WHEN p_assign > 0 THEN p_assign ELSE staff_id END,
		outcome = CASE WHEN p_outcome <> '' THEN p_outcome ELSE outcome END,
		note = CASE WHEN p_outcome <> '' OR p_note <> '' THEN p_note ELSE note END,
		attempts = attempts + (p_outcome <> '')::integer,
		state = CASE WHEN v_done THEN 'done' ELSE state END,
		done_at = CASE WHEN v_done THEN now() ELSE done_at END,
		done_by = CASE WHEN v_done THEN p_staff_id ELSE done_by END
	WHERE member_id = v_f.member_id AND followup_id = v_f.followup_id
	RETURNING * INTO v_f;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'followup.record', 'member:' || v_f.member_id,
		jsonb_build_object('followup_id', v_f.followup_id, 'outcome', p_outcome,
			'note', p_note, 'assign', p_assign, 'state', v_f.state,
			'attempts', v_f.attempts));
	RETURN QUERY SELECT (kassa_followup_row(v_f)).*;
END
$$;
