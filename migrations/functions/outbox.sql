-- The outbox: the endpoints it delivers to (EndpointPut/List), the
-- operator's view of its rows and their attempts (OutboxList), putting a
-- dead row back (OutboxRetry), and the sender's two statements
-- (server/crm/outbox.c): claim due rows, and record one attempt's outcome.
-- The rules (back-off, when a row is dead, the URL's form) are kassad's;
-- these functions persist what it decided.

-- Create or change endpoint p_name (kassad has checked the name, kind, URL
-- or file name, channels and patterns). p_secret: the new HMAC key, or
-- NULL to keep the one it has (a new endpoint without one is unsigned).
-- Audited ('endpoint.put', never the secret). A replay of the same request
-- answers the endpoint as it is now, with its secret when the request made
-- one (the same administrator retrying after a lost answer).
CREATE FUNCTION kassa_endpoint_put(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_name text, p_kind text, p_url text, p_file text,
	p_secret bytea, p_channels smallint[], p_events text[], p_active boolean)
RETURNS TABLE (r_replay boolean, r_name text, r_kind text, r_url text, r_file text,
	r_secret text, r_channels smallint[], r_events text[], r_active boolean,
	r_created_at text)
LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_new	boolean;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'endpoint_put', p_hash, 0);
	IF v_prev IS NULL THEN
		v_new := NOT EXISTS (SELECT FROM endpoints e WHERE e.name = p_name);
		INSERT INTO endpoints AS e (name, kind, url, file, secret, channels, events, active)
		VALUES (p_name, p_kind, p_url, p_file, p_secret, p_channels, p_events, p_active)
		ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, url = EXCLUDED.url,
			file = EXCLUDED.file, secret = COALESCE(EXCLUDED.secret, e.secret),
			channels = EXCLUDED.channels, events = EXCLUDED.events,
			active = EXCLUDED.active, updated_at = now();
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (p_staff_id, p_till_id, 'endpoint.put', 'endpoint:' || p_name,
			jsonb_build_object('kind', p_kind, 'url', p_url, 'file', p_file,
				'channels', to_jsonb(p_channels), 'events', to_jsonb(p_events),
				'active', p_active, 'new', v_new,
				'new_secret', p_secret IS NOT NULL));
	END IF;
	RETURN QUERY SELECT v_prev IS NOT NULL, e.name, e.kind, e.url, e.file,
		CASE WHEN p_secret IS NOT NULL THEN encode(e.secret, 'hex') ELSE '' END,
		e.channels, e.events, e.active,
		to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM endpoints e WHERE e.name = p_name;
END
$$;

-- Every endpoint, by name: no secrets, only whether there is one.
CREATE FUNCTION kassa_endpoint_list()
RETURNS TABLE (name text, kind text, target text, channels text, events text,
	active boolean, signed boolean, pending bigint, dead bigint, updated_at text)
LANGUAGE sql STABLE AS $$
	SELECT e.name, e.kind, CASE WHEN e.kind = 'webhook' THEN e.url ELSE e.file END,
		array_to_string(e.channels, ','), array_to_string(e.events, ','),
		e.active, e.secret IS NOT NULL,
		(SELECT count(*) FROM outbox o WHERE o.endpoint = e.name
		   AND o.state IN ('pending', 'sending')),
		(SELECT count(*) FROM outbox o WHERE o.endpoint = e.name AND o.state = 'dead'),
		to_char(e.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM endpoints e ORDER BY e.name
$$;

-- The outbox's rows, newest first, by state ('' = all), endpoint ('' =
-- all) and member (0 = all); p_after: only rows older than that outbox_id
-- (0 = from the newest); at most p_limit rows.
CREATE FUNCTION kassa_outbox_list(p_state text, p_endpoint text, p_member bigint,
	p_after bigint, p_limit integer)
RETURNS TABLE (outbox_id bigint, endpoint text, kind text, member_id bigint, channel smallint,
	purpose text, template text, event_seq bigint, state text, attempts integer,
	next_attempt_at text, last_error text, created_at text, sent_at text,
	delivery_key text)
LANGUAGE sql STABLE AS $$
	SELECT o.outbox_id, o.endpoint, o.kind, o.member_id, o.channel, o.purpose,
		o.template, o.event_seq, o.state, o.attempts,
		CASE WHEN o.state IN ('pending', 'sending') THEN
			to_char(o.next_attempt_at AT TIME ZONE 'UTC',
				'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ELSE '' END,
		o.last_error,
		to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		COALESCE(to_char(o.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), ''),
		o.delivery_key::text
	FROM outbox o
	WHERE (p_state = '' OR o.state = p_state)
	  AND (p_endpoint = '' OR o.endpoint = p_endpoint)
	  AND (p_member = 0 OR o.member_id = p_member)
	  AND (p_after = 0 OR o.outbox_id < p_after)
	ORDER BY o.outbox_id DESC LIMIT p_limit
$$;

-- One row's attempts, oldest first (the retry log); KA404 OUTBOX_NOT_FOUND.
CREATE FUNCTION kassa_outbox_attempts(p_outbox_id bigint)
RETURNS TABLE (attempt integer, started_at text, finished_at text, result text,
	http_status integer, error text, wait_ms bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM outbox o WHERE o.outbox_id = p_outbox_id) THEN
		RAISE EXCEPTION 'OUTBOX_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	-- wait_ms: from the previous attempt's end to this one's start (the back-off)
	RETURN QUERY SELECT a.attempt,
		to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
		to_char(a.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
		a.result, a.http_status, a.error,
		COALESCE((extract(epoch FROM a.started_at - lag(a.finished_at)
			OVER (ORDER BY a.attempt)) * 1000)::bigint, 0)
	FROM outbox_attempts a WHERE a.outbox_id = p_outbox_id ORDER BY a.attempt;
END
$$;

-- Put dead row p_outbox_id back to pending, due now, its attempts counted
-- from 0 again (the attempt log keeps numbering on). Audited
-- ('outbox.retry'). KA404 OUTBOX_NOT_FOUND; KA412 OUTBOX_NOT_DEAD for a
-- row in another state. Returns (replay?, outbox_id, state).
CREATE FUNCTION kassa_outbox_retry(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_outbox_id bigint)
RETURNS TABLE (r_replay boolean, r_outbox_id bigint, r_state text)
LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_state	text;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'outbox_retry', p_hash, p_outbox_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT true, o.outbox_id, o.state FROM outbox o
		WHERE o.outbox_id = v_prev;
		RETURN;
	END IF;
	SELECT o.state INTO v_state FROM outbox o WHERE o.outbox_id = p_outbox_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'OUTBOX_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_state <> 'dead' THEN
		RAISE EXCEPTION 'OUTBOX_NOT_DEAD' USING ERRCODE = 'KA412';
	END IF;
	UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = now(),
		lease_until = NULL
	WHERE outbox_id = p_outbox_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'outbox.retry', 'outbox:' || p_outbox_id,
		jsonb_build_object('from', v_state));
	RETURN QUERY SELECT false, p_outbox_id, 'pending'::text;
END
$$;

-- A feed event as the sender sends it (the events table of the feed, 0022).
CREATE FUNCTION kassa_outbox_event(p_seq bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	jsonb;
BEGIN
	SELECT jsonb_build_object('event_id', e.event_id, 'type', e.type, 'seq', e.seq,
		'member_id', e.member_id, 'member_seq', e.member_seq,
		'schema_version', e.schema_version,
		'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		'data', e.data)
	INTO v FROM events e WHERE e.seq = p_seq;
	RETURN v;
END
$$;

-- The sender's claim: up to p_limit due rows (pending, or sending whose
-- lease ran out; next_attempt_at passed) of active endpoints, locked with
-- SKIP LOCKED so that several kassad share the work, each leased for
-- p_lease_ms. A message is checked against its member now: an erased or
-- merged member's, or a marketing one whose member has withdrawn consent,
-- is cancelled here and never sent. Each row comes with what its delivery
-- needs: the endpoint, the template's newest version (NULL subject and
-- body: no such template), the member's name, phone and e-mail, or the
-- event (NULL: no such event).
CREATE FUNCTION kassa_outbox_claim(p_limit integer, p_lease_ms integer)
RETURNS TABLE (r_outbox_id bigint, r_kind text, r_delivery_key text, r_attempts integer,
	r_endpoint text, r_ep_kind text, r_url text, r_file text, r_secret text,
	r_member_id bigint, r_channel smallint, r_purpose text, r_template text,
	r_language text, r_vars jsonb, r_campaign_id bigint, r_created_at text,
	r_name text, r_phone text, r_email text, r_subject text, r_body text, r_event jsonb)
LANGUAGE plpgsql AS $$
DECLARE
	v	record;
	m	record;
BEGIN
	FOR v IN SELECT o.*, e.kind AS ep_kind, e.url, e.file, e.secret
		FROM outbox o JOIN endpoints e ON e.name = o.endpoint AND e.active
		WHERE o.state IN ('pending', 'sending') AND o.next_attempt_at <= now()
		  AND (o.state = 'pending' OR o.lease_until IS NULL OR o.lease_until < now())
		ORDER BY o.next_attempt_at, o.outbox_id
		LIMIT p_limit FOR UPDATE OF o SKIP LOCKED
	LOOP
		r_name := NULL; r_phone := NULL; r_email := NULL; r_subject := NULL; r_body := NULL;
		IF v.kind = 'message' THEN
			SELECT mb.name, mb.phone, mb.email, mb.marketing_consent, mb.erased_at,
				mb.merged_into INTO m
			FROM members mb WHERE mb.member_id = v.member_id;
			IF m.erased_at IS NOT NULL OR m.merged_into IS NOT NULL
			   OR (v.purpose = 'marketing' AND NOT m.marketing_consent) THEN
				UPDATE outbox SET state = 'cancelled', lease_until = NULL,
					last_error = CASE WHEN m.erased_at IS NOT NULL THEN 'MEMBER_ERASED'
						WHEN m.merged_into IS NOT NULL THEN 'MEMBER_MERGED'
						ELSE 'NO_CONSENT' END
				WHERE outbox_id = v.outbox_id;
				CONTINUE;
			END IF;
			r_name := m.name; r_phone := m.phone; r_email := m.email;
			SELECT mt.subject, mt.body INTO r_subject, r_body FROM message_templates mt
			WHERE mt.name = v.template AND mt.language = v.language
			ORDER BY mt.version DESC LIMIT 1;
		END IF;
		UPDATE outbox SET state = 'sending',
			lease_until = now() + p_lease_ms * interval '1 millisecond'
		WHERE outbox_id = v.outbox_id;
		r_outbox_id := v.outbox_id; r_kind := v.kind;
		r_delivery_key := v.delivery_key::text; r_attempts := v.attempts;
		r_endpoint := v.endpoint; r_ep_kind := v.ep_kind; r_url := v.url; r_file := v.file;
		r_secret := encode(v.secret, 'hex'); r_member_id := v.member_id;
		r_channel := v.channel; r_purpose := v.purpose; r_template := v.template;
		r_language := v.language; r_vars := v.vars; r_campaign_id := v.campaign_id;
		r_created_at := to_char(v.created_at AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS"Z"');
		r_event := CASE WHEN v.kind = 'event' THEN kassa_outbox_event(v.event_seq) END;
		RETURN NEXT;
	END LOOP;
END
$$;

-- One attempt of row p_outbox_id ended (started p_started_ms, Unix ms):
-- result 'accepted' makes it 'sent'; otherwise it is 'dead' when p_dead
-- (kassad's max_attempts rule) or pending again after p_wait_ms (kassad's
-- back-off). p_attempts is the attempts count the claim answered: when the
-- row has moved on since (its lease ran out and another sender claimed
-- and finished it, or an operator changed it) nothing is written.
-- Returns the row's new state, or NULL when nothing was written.
CREATE FUNCTION kassa_outbox_record(p_outbox_id bigint, p_attempts integer,
	p_started_ms bigint, p_result text, p_http_status integer, p_error text,
	p_wait_ms integer, p_dead boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_state	text;
	v_no	integer;
BEGIN
	UPDATE outbox SET attempts = p_attempts + 1,
		state = CASE WHEN p_result = 'accepted' THEN 'sent'
			WHEN p_dead THEN 'dead' ELSE 'pending' END,
		sent_at = CASE WHEN p_result = 'accepted' THEN now() END,
		next_attempt_at = now() + p_wait_ms * interval '1 millisecond',
		lease_until = NULL, last_error = left(p_error, 300)
	WHERE outbox_id = p_outbox_id AND state = 'sending' AND attempts = p_attempts
	RETURNING state INTO v_state;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT COALESCE(max(a.attempt), 0) + 1 INTO v_no
	FROM outbox_attempts a WHERE a.outbox_id = p_outbox_id;
	INSERT INTO outbox_attempts (outbox_id, attempt, started_at, result, http_status, error)
	VALUES (p_outbox_id, v_no, to_timestamp(p_started_ms / 1000.0), p_result,
		p_http_status, left(p_error, 300));
	RETURN v_state;
END
$$;
