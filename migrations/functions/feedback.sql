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
-- Returns one row (replay?, feedback_id, txn_id).
CREATE FUNCTION kassa_feedback(p_till_id bigint, p_key text, p_hash bytea,
	p_store_id bigint, p_staff_id bigint, p_txn_id bigint, p_receipt_no text,
	p_rating integer, p_comment text)
RETURNS TABLE (r_replay boolean, r_feedback_id bigint, r_txn_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('feedback_feedback_id_seq');
	v_prev	bigint;
	v_sale	record;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'feedback', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT true, f.feedback_id, f.txn_id FROM feedback f
		WHERE f.feedback_id = v_prev;
		RETURN;
	END IF;

	IF p_txn_id > 0 THEN
		SELECT t.txn_id, t.store_id, t.till_id, t.staff_id, t.member_id INTO v_sale
		FROM transactions t WHERE t.txn_id = p_txn_id AND t.kind = 'sale';
	ELSE
		SELECT t.txn_id, t.store_id, t.till_id, t.staff_id, t.member_id INTO v_sale
		FROM transactions t WHERE t.receipt_no = p_receipt_no AND p_receipt_no <> ''
		  AND t.kind = 'sale';
		IF NOT FOUND AND p_receipt_no ~ '^[0-9]{1,18}$' THEN
			SELECT t.txn_id, t.store_id, t.till_id, t.staff_id, t.member_id INTO v_sale
			FROM transactions t WHERE t.txn_id = p_receipt_no::bigint
			  AND t.receipt_no = '' AND t.kind = 'sale';
		END IF;
	END IF;
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
	RETURN QUERY SELECT false, v_id, v_sale.txn_id;
END
$$;
