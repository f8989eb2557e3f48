-- Saved segments (server/members/segment.c): a segment is a named,
-- versioned member filter. Saving a name again adds version + 1; a version
-- never changes. The filter is the packed MemberFilter that kassad has
-- checked (SQL never reads it).

-- Save p_filter as the next version of p_name, exactly once per
-- idempotency key (kassa_idem_claim; result_id is the version: the same
-- key and hash name the same segment). Concurrent saves of one name are
-- serialised by a transaction-scoped advisory lock on the name, so each
-- gets its own version. Returns the version saved (or, on a replay, the
-- one saved the first time) as kassa_segment_get() gives it, so the
-- answer never reads a replica that may not have it yet.
CREATE FUNCTION kassa_segment_save(p_till_id bigint, p_key text, p_hash bytea,
	p_name text, p_description text, p_filter bytea, p_staff_id bigint)
RETURNS TABLE (r_name text, r_version integer, r_description text, r_filter bytea,
	r_created_by bigint, r_created_at text)
LANGUAGE plpgsql AS $$
DECLARE
	v_version	integer;
	v_prev		bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('kassa_segment:' || p_name));
	SELECT coalesce(max(s.version), 0) + 1 INTO v_version FROM segments s
	WHERE s.name = p_name;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'segment_save', p_hash, v_version);
	IF v_prev IS NOT NULL THEN
		v_version := v_prev::integer;
	ELSE
		INSERT INTO segments (name, version, description, filter, created_by)
		VALUES (p_name, v_version, p_description, p_filter, p_staff_id);
	END IF;
	RETURN QUERY SELECT s.name, s.version, s.description, s.filter, s.created_by,
		to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM segments s WHERE s.name = p_name AND s.version = v_version;
END
$$;

-- One version of a segment (p_version 0 = its latest), or no row:
-- name, version, description, the packed filter, created_by, created_at.
CREATE FUNCTION kassa_segment_get(p_name text, p_version integer)
RETURNS TABLE (r_name text, r_version integer, r_description text, r_filter bytea,
	r_created_by bigint, r_created_at text)
LANGUAGE sql STABLE AS $$
	SELECT s.name, s.version, s.description, s.filter, s.created_by,
		to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM segments s
	WHERE s.name = p_name AND (p_version = 0 OR s.version = p_version)
	ORDER BY s.version DESC
	LIMIT 1
$$;

-- The latest version of every segment, by name (at most p_limit).
CREATE FUNCTION kassa_segment_list(p_limit integer)
RETURNS TABLE (r_name text, r_version integer, r_description text, r_filter bytea,
	r_created_by bigint, r_created_at text)
LANGUAGE sql STABLE AS $$
	SELECT DISTINCT ON (s.name) s.name, s.version, s.description, s.filter, s.created_by,
		to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM segments s
	ORDER BY s.name, s.version DESC
	LIMIT p_limit
$$;
