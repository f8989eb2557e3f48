-- Tiers: the basis a tier stands on, and the tier a refund leaves.

-- A member's tier basis over the rule set's rolling window (the last
-- p_months months): the totals of the sales made in it, or the points they
-- earned. Tiers are reached and kept on this, never on the balance.
-- Refunds are taken off: a sale in the window counts what it took less what
-- its refunds paid back, and the points it earned less what its refunds
-- clawed back. A refund of a sale from before the window changes nothing.
CREATE FUNCTION kassa_tier_basis(p_member_id bigint, p_by_points boolean,
	p_months integer)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT greatest(0, CASE WHEN p_by_points THEN
			(SELECT coalesce(sum(l.points), 0)
			 FROM points_ledger l JOIN transactions t ON t.txn_id = l.txn_id
			 WHERE l.member_id = p_member_id AND l.kind IN ('earn', 'clawback')
			   AND t.created_at >= now() - make_interval(months => p_months))
		ELSE
			(SELECT coalesce(sum(t.total_minor - coalesce((SELECT sum(r.amount_minor)
				FROM refunds r WHERE r.txn_id = t.txn_id), 0)), 0)
			 FROM transactions t
			 WHERE t.member_id = p_member_id AND t.kind = 'sale'
			   AND t.created_at >= now() - make_interval(months => p_months))
		END));
END
$$;

-- The tier a member's basis now supports, if it fell below the current
-- tier's threshold (refunds only ever move a tier down); p_tier otherwise,
-- and also when the rule set no longer knows p_tier.
CREATE FUNCTION kassa_tier_after_refund(p_config jsonb, p_tier text, p_basis bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT CASE WHEN cur.threshold IS NULL OR p_basis >= cur.threshold THEN p_tier
			ELSE coalesce((SELECT t.e->>'name'
				FROM jsonb_array_elements(p_config->'tiers') WITH ORDINALITY AS t(e, ord)
				WHERE (t.e->>'threshold')::bigint <= p_basis
				ORDER BY t.ord DESC LIMIT 1), p_tier) END
		FROM (SELECT (SELECT (e->>'threshold')::bigint
			      FROM jsonb_array_elements(p_config->'tiers') e
			      WHERE e->>'name' = p_tier LIMIT 1) AS threshold) cur);
END
$$;
