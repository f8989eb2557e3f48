-- Customer feedback: the satisfaction rating (1-5, optional comment) a
-- customer gives a sale at the till after paying (server/crm/feedback.c).
-- Head office reads the feedback table later.

-- Record the rating of the sale p_txn_id (or, when that is 0, the sale
-- whose receipt number is p_receipt_no; a receipt number of digits only
-- also names a sale recorded without one by its transaction id) made at
-- store p_store_id, exactly once per idempotency key (kassa_idem_claim;
-- result_id is the feedback_id). kassad has checked the rating and the
-- comment. Refusals:
--   KA404 TRANSACTION_NOT_FOUND  no such sale at this store (another
--                                store's sale is not found either)
--   23505 FEEDBACK_EXISTS        the sale has been rated already (under
--                                another key)
-- p_complaint: kassad's low-rating rule (server/crm/complaint_state.c)
-- says this rating opens a complaint: if the sale has a member, one is
-- opened in this transaction (source 'rating', category 'service', the
-- rating and comment as its description; kassa_complaint_insert,
-- functions/complaints.sql). A sale without a member opens none.
-- Returns one row (replay?, feedback_id, txn_id, complaint_id or 0).
CREATE FUNCTION kassa_feedback(p_till_id bigint, p_key text, p_hash bytea,
	p_store_id bigint, p_staff_id bigint, p_txn_id bigint, p_receipt_no text,
	p_rating integer, p_comment text, p_complaint boolean)
RETURNS TABLE (r_replay boolean, r_feedback_id bigint, r_txn_id bigint,
	r_complaint_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('feedback_feedback_id_seq');
	v_prev	bigint;
	v_sale	record;
	v_complaint	bigint := 0;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'feedback', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT true, f.feedback_id, f.txn_id, COALESCE(c.complaint_id, 0)
		FROM feedback f LEFT JOIN complaints c ON c.feedback_id = f.feedback_id
		WHERE f.feedback_id = v_prev;
		RETURN;
	END IF;

	SELECT t.txn_id, t.store_id, t.till_id, t.staff_id, t.member_id INTO v_sale
	FROM transactions t WHERE t.txn_id = kassa_sale_by_ref(p_txn_id, p_receipt_no);
	IF v_sale.txn_id IS NULL OR v_sale.store_id <> p_store_id THEN
		RAISE EXCEPTION 'TRANSACTION_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;

	INSERT INTO feedback (feedback_id, txn_id, rating, comment, store_id, till_id, staff_id,
		member_id, recorded_by)
	VALUES (v_id, v_sale.txn_id, p_rating, p_comment, v_sale.store_id, v_sale.till_id,
		v_sale.staff_id, v_sale.member_id, p_staff_id)
	ON CONFLICT (txn_id) DO NOTHING;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'FEEDBACK_EXISTS' USING ERRCODE = 'unique_violation';
	END IF;
	IF p_complaint AND v_sale.member_id IS NOT NULL THEN
		v_complaint := nextval('complaints_complaint_id_seq');
		PERFORM kassa_complaint_insert(v_complaint, v_sale.member_id, v_sale.txn_id,
			v_sale.store_id, 'service', CASE WHEN p_comment = ''
				THEN format('rating %s', p_rating)
				ELSE format('rating %s: %s', p_rating, p_comment) END,
			NULL, p_staff_id, p_till_id, 'rating', v_id);
	END IF;
	RETURN QUERY SELECT false, v_id, v_sale.txn_id, v_complaint;
END
$$;

-- FeedbackList (server/crm/feedback_list.c): ratings and comments of store
-- p_scope (NULL = every store), newest first, after feedback p_after (0 =
-- from the newest), given on business days p_from .. p_to (the store's
-- zone), of member p_member and the sale's cashier p_staff (0 = any), with
-- a rating at most p_max_rating (0 = any). At most p_limit + 1 rows:
-- kassad pages on the extra one. complaint_id: the complaint the rating
-- opened (low-rating rule), or NULL.
CREATE FUNCTION kassa_feedback_list(p_scope bigint, p_member bigint, p_staff bigint,
	p_from date, p_to date, p_max_rating integer, p_limit integer, p_after bigint)
RETURNS TABLE (feedback_id bigint, created_at text, store text, staff_id bigint,
	member_id bigint, txn_id bigint, rating smallint, comment text, complaint_id bigint)
LANGUAGE sql STABLE AS $$
	SELECT f.feedback_id, kassa_rfc3339(f.created_at), s.code, f.staff_id, f.member_id,
	       f.txn_id, f.rating, f.comment, c.complaint_id
	FROM feedback f JOIN stores s ON s.store_id = f.store_id
	LEFT JOIN complaints c ON c.feedback_id = f.feedback_id
	WHERE (p_scope IS NULL OR f.store_id = p_scope)
	  AND (p_after = 0 OR f.feedback_id < p_after)
	  AND (f.created_at AT TIME ZONE s.timezone)::date BETWEEN p_from AND p_to
	  AND (p_member = 0 OR f.member_id = p_member)
	  AND (p_staff = 0 OR f.staff_id = p_staff)
	  AND (p_max_rating = 0 OR f.rating <= p_max_rating)
	ORDER BY f.feedback_id DESC
	LIMIT p_limit + 1
$$;
