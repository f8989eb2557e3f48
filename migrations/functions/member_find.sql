-- Searching the whole member base by filter (server/members/find.c,
-- filter.c; exports use it too): count, keyset-paged ids, export rows.
--
-- Every function takes the filter as the same 14 text parameters (NULL =
-- that field does not narrow; kassad has checked and normalised them,
-- member_filter_check() in server/members/filter.c, which documents the
-- order in members.h):
--   p_phone (E.164), p_phone_suffix (digits), p_card_no, p_name_prefix,
--   p_tag, p_tier, p_class, p_birthday_month (1..12), p_store_id,
--   p_visit_from, p_visit_to ("YYYY-MM-DD" business days, inclusive),
--   p_spend_min, p_spend_max (minor units, inclusive), p_consent
--   ("true"/"false").
-- Erased and merged members never match. The query is built with the
-- values as literals (format %L) and run with EXECUTE, so each search is
-- planned for its own values: a name prefix or phone suffix uses its
-- text_pattern_ops index, a tag the GIN index, a class or store the
-- member_stats indexes, and only the fields set cost anything.

-- The FROM and WHERE of a filter, as SQL text over members m (and
-- member_stats s when a field needs it).
CREATE FUNCTION kassa_member_filter_sql(p_phone text, p_phone_suffix text, p_card_no text,
	p_name_prefix text, p_tag text, p_tier text, p_class text, p_birthday_month text,
	p_store_id text, p_visit_from text, p_visit_to text, p_spend_min text,
	p_spend_max text, p_consent text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_w	text := 'm.erased_at IS NULL AND m.merged_into IS NULL';
	v_from	text := 'members m';
BEGIN
	IF p_phone IS NOT NULL THEN
		v_w := v_w || format(' AND m.phone = %L', p_phone);
	END IF;
	IF p_phone_suffix IS NOT NULL THEN
		v_w := v_w || format(' AND reverse(m.phone) LIKE %L',
			reverse(p_phone_suffix) || '%');
	END IF;
	IF p_card_no IS NOT NULL THEN
		v_w := v_w || format(' AND m.card_no = %L', p_card_no);
	END IF;
	IF p_name_prefix IS NOT NULL THEN
		v_w := v_w || format(' AND m.name LIKE %L',
			replace(replace(replace(p_name_prefix, '\', '\\'), '%', '\%'), '_', '\_')
			|| '%');
	END IF;
	IF p_tag IS NOT NULL THEN
		v_w := v_w || format(' AND m.tags @> ARRAY[%L]::text[]', p_tag);
	END IF;
	IF p_tier IS NOT NULL THEN
		v_w := v_w || format(' AND m.tier = %L', p_tier);
	END IF;
	IF p_birthday_month IS NOT NULL THEN
		v_w := v_w || format(' AND m.birthday IS NOT NULL'
			' AND extract(month FROM m.birthday)::smallint = %s',
			p_birthday_month::smallint);
	END IF;
	IF p_spend_min IS NOT NULL THEN
		v_w := v_w || format(' AND m.cumulative_spend_minor >= %s', p_spend_min::bigint);
	END IF;
	IF p_spend_max IS NOT NULL THEN
		v_w := v_w || format(' AND m.cumulative_spend_minor <= %s', p_spend_max::bigint);
	END IF;
	IF p_consent IS NOT NULL THEN
		v_w := v_w || CASE WHEN p_consent::boolean THEN ' AND m.marketing_consent'
				   ELSE ' AND NOT m.marketing_consent' END;
	END IF;
	-- member_stats: only joined when a field reads it; class "none" is
	-- also a member the analytics job has not written yet
	IF p_class = 'none' THEN
		v_from := v_from || ' LEFT JOIN member_stats s ON s.member_id = m.member_id';
		v_w := v_w || ' AND (s.member_id IS NULL OR s.class = ''none'')';
	ELSIF p_class IS NOT NULL OR p_store_id IS NOT NULL OR p_visit_from IS NOT NULL
	      OR p_visit_to IS NOT NULL THEN
		v_from := v_from || ' JOIN member_stats s ON s.member_id = m.member_id';
	END IF;
	IF p_class IS NOT NULL AND p_class <> 'none' THEN
		v_w := v_w || format(' AND s.class = %L', p_class);
	END IF;
	IF p_store_id IS NOT NULL THEN
		v_w := v_w || format(' AND s.usual_store_id = %s', p_store_id::bigint);
	END IF;
	-- a business day's bounds in the session's TimeZone ([server] timezone)
	IF p_visit_from IS NOT NULL THEN
		v_w := v_w || format(' AND s.last_visit >= %L::date::timestamptz',
			p_visit_from::date);
	END IF;
	IF p_visit_to IS NOT NULL THEN
		v_w := v_w || format(' AND s.last_visit < (%L::date + 1)::timestamptz',
			p_visit_to::date);
	END IF;
	RETURN ' FROM ' || v_from || ' WHERE ' || v_w;
END
$$;

-- How many members match.
CREATE FUNCTION kassa_member_count(p_phone text, p_phone_suffix text, p_card_no text,
	p_name_prefix text, p_tag text, p_tier text, p_class text, p_birthday_month text,
	p_store_id text, p_visit_from text, p_visit_to text, p_spend_min text,
	p_spend_max text, p_consent text)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_n	bigint;
BEGIN
	EXECUTE 'SELECT count(*)' || kassa_member_filter_sql(p_phone, p_phone_suffix,
		p_card_no, p_name_prefix, p_tag, p_tier, p_class, p_birthday_month, p_store_id,
		p_visit_from, p_visit_to, p_spend_min, p_spend_max, p_consent) INTO v_n;
	RETURN v_n;
END
$$;

-- The matching member ids above p_after (0 = from the start), ascending,
-- at most p_limit: a keyset page. A member registered meanwhile has a
-- higher id than every member already paged over, so it comes on a later
-- page and no member comes twice.
CREATE FUNCTION kassa_member_find_ids(p_phone text, p_phone_suffix text, p_card_no text,
	p_name_prefix text, p_tag text, p_tier text, p_class text, p_birthday_month text,
	p_store_id text, p_visit_from text, p_visit_to text, p_spend_min text,
	p_spend_max text, p_consent text, p_after bigint, p_limit integer)
RETURNS TABLE (member_id bigint) LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY EXECUTE 'SELECT m.member_id' || kassa_member_filter_sql(p_phone,
		p_phone_suffix, p_card_no, p_name_prefix, p_tag, p_tier, p_class,
		p_birthday_month, p_store_id, p_visit_from, p_visit_to, p_spend_min,
		p_spend_max, p_consent)
		|| format(' AND m.member_id > %s ORDER BY m.member_id LIMIT %s',
			  coalesce(p_after, 0), greatest(coalesce(p_limit, 0), 0));
END
$$;

-- The rows of kassa_member_find_ids() with the columns a members export
-- writes: class "none" without a member_stats row, last_visit RFC 3339
-- UTC ("" = never), tags a JSON array, created_at RFC 3339 UTC.
CREATE FUNCTION kassa_member_export_rows(p_phone text, p_phone_suffix text, p_card_no text,
	p_name_prefix text, p_tag text, p_tier text, p_class text, p_birthday_month text,
	p_store_id text, p_visit_from text, p_visit_to text, p_spend_min text,
	p_spend_max text, p_consent text, p_after bigint, p_limit integer)
RETURNS TABLE (member_id bigint, card_no text, name text, phone text, tier text, class text,
	points_balance bigint, cumulative_spend_minor bigint, last_visit text,
	marketing_consent boolean, tags text, created_at text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY
	SELECT m.member_id, m.card_no, m.name, m.phone, m.tier, coalesce(s.class, 'none'),
		m.points_balance, m.cumulative_spend_minor,
		coalesce(to_char(s.last_visit AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
		m.marketing_consent, array_to_json(m.tags)::text,
		to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM kassa_member_find_ids(p_phone, p_phone_suffix, p_card_no, p_name_prefix, p_tag,
		p_tier, p_class, p_birthday_month, p_store_id, p_visit_from, p_visit_to,
		p_spend_min, p_spend_max, p_consent, p_after, p_limit) f
	JOIN members m ON m.member_id = f.member_id
	LEFT JOIN member_stats s ON s.member_id = m.member_id
	ORDER BY m.member_id;
END
$$;
