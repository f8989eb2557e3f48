-- Service items and count cards (次卡): being written (store operations, part "cards").

-- A sale's lines of service items become the member's count cards
-- (called by kassa_checkout in the sale's transaction).
CREATE FUNCTION kassa_card_sale(p_store bigint, p_txn bigint, p_member bigint,
	p_at timestamptz, p_products bigint[], p_qtys integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
END
$$;

-- Lines p_line_nos of sale p_txn are being refunded: their count cards
-- (called by kassa_refund in the refund's transaction).
CREATE FUNCTION kassa_card_refund_lines(p_txn bigint, p_line_nos integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
END
$$;
