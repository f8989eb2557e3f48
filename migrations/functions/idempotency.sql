-- Exactly once: the one idempotency claim every mutating function makes
-- first, in the caller's transaction (table idempotency, 0001_schema.sql).
--
-- The files of migrations/functions/ hold every SQL function and view
-- kassad calls, each defined exactly once; the numbered migrations hold the
-- schema. `kassad migrate` re-creates all of them when any file changed
-- (server/core/migrate.c), so a file says what is, never how it changed.
-- Their names start with kassa_. Errors are raised with SQLSTATEs of class
-- KA; the message is the machine detail the till sees (kassad maps the
-- state to a status code):
--   KA400 INVALID_ARGUMENT   KA403 PERMISSION_DENIED   KA404 NOT_FOUND
--   KA409 ABORTED (key reused)
--   KA412 FAILED_PRECONDITION (e.g. PRICE_CHANGED: kassad refreshes and retries)

-- Claim idempotency key p_key of till p_till_id for a request of kind
-- p_kind with body hash p_hash, whose result will be p_result_id. Returns
-- NULL when this call claimed the key (the caller goes on and creates
-- p_result_id), or the result id of the first request when the same
-- request comes again (the caller answers from it). The same key with
-- another kind or body raises KA409 IDEMPOTENCY_KEY_REUSED. A concurrent
-- duplicate waits on the key's index entry until the first commits, then
-- replays (or claims the key, if the first rolled back).
-- Keys are kept [checkout] idempotency_keep_days days, then deleted by the
-- retention job (server/core/idem_retention.c): a key that conflicted may
-- be gone by the time it is read (deleted and committed in between), and
-- is then claimed afresh. Only a key older than the window can be deleted,
-- and a till's sale that old is refused SALE_TOO_OLD before it gets here.
-- If the key still cannot be claimed or read, this raises rather than let
-- a mutation go unrecorded.
CREATE FUNCTION kassa_idem_claim(p_till_id bigint, p_key text, p_kind text, p_hash bytea,
	p_result_id bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_prev	record;
BEGIN
	FOR v_try IN 1..3 LOOP
		INSERT INTO idempotency (till_id, key, kind, request_hash, result_id)
		VALUES (p_till_id, p_key, p_kind, p_hash, p_result_id)
		ON CONFLICT DO NOTHING;
		IF FOUND THEN
			RETURN NULL;
		END IF;
		SELECT kind, request_hash, result_id INTO v_prev
		FROM idempotency WHERE till_id = p_till_id AND key = p_key;
		IF FOUND THEN
			IF v_prev.kind <> p_kind OR v_prev.request_hash <> p_hash THEN
				RAISE EXCEPTION 'IDEMPOTENCY_KEY_REUSED' USING ERRCODE = 'KA409';
			END IF;
			RETURN v_prev.result_id;
		END IF;
	END LOOP;
	RAISE EXCEPTION 'IDEMPOTENCY_ROW_MISSING till %', p_till_id USING ERRCODE = 'XX000';
END
$$;
