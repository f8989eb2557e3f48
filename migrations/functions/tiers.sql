-- Tiers: the basis a tier stands on (the tier decisions themselves are
-- kassad's: server/loyalty/rules_tier.c).

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
