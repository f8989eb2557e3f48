#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_audit: the audit log is append-only and hash-chained
# (migrations/0013_audit_chain.sql), and `kassa-office audit verify` proves it.
#
#  - kassad's role: a login role that is a member of kassa_server (as kassad's
#    should be, docs/operations.md) may append audit rows but not UPDATE,
#    DELETE or TRUNCATE them (permission denied), while it does write the other
#    tables. (The environment's kassad connects as the superuser `kassa`, for
#    which privileges do not apply: hence a role of the test's own.)
#  - the trigger: even the owner, a superuser, is refused UPDATE, DELETE and
#    TRUNCATE; a plain INSERT is chained whatever chain values it gives.
#  - the chain: on a clean log verify exits 0 and says ok (and is audited
#    itself, 'audit.verify'); then, as a DBA could, with triggers bypassed
#    (SET session_replication_role = replica): one row's detail edited, a
#    middle row deleted, a forged row inserted (hashed, but after the wrong
#    row; and one with no chain values at all), each detected separately with
#    exit 1, the machine word and the bad row's id in the message; each is put
#    back afterwards and verify says ok again.
#  - an analyst may not verify (PERMISSION_DENIED).
# Needs KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL (kassa-office is next
# to it unless KASSA_OFFICE names it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

role=itest_kassad_$$
saved=itest_audit_saved_$$
# as the superuser, stopping at the first error; -q: no command tags
su() { psql "$KASSA_CONNINFO" -v ON_ERROR_STOP=1 -qAtc "$1"; }
# as the superuser with triggers bypassed (the attack the chain exists for)
dba() { psql "$KASSA_CONNINFO" -v ON_ERROR_STOP=1 -qAtc "SET session_replication_role = replica; $1"; }
# as the test's kassad-like role
as_role() { psql "$KASSA_CONNINFO user=$role" -v ON_ERROR_STOP=1 -qAtc "$1"; }
cleanup() {
	su "DROP TABLE IF EXISTS $saved" >/dev/null 2>&1
	su "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
}
trap 'cleanup; on_exit' EXIT

# verify: run `audit verify` as the admin; $out its output, $rc its exit code
verify() {
	out=$(admin --timeout 60000 audit verify 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
}
# broken WORD ID: verify failed (exit 1) with problem WORD at row ID, named in the message
broken() {
	[ $rc = 1 ] && echo "$out" | grep -q '"ok":false' &&
		echo "$out" | grep -q '"code":"DATA_LOSS","detail":"AUDIT_CHAIN_BROKEN"' &&
		[ "$(echo "$out" | json_field problem)" = "$1" ] &&
		[ "$(echo "$out" | json_field first_bad_id)" = "$2" ] &&
		echo "$out" | json_field message | grep -q "row $2"
}
intact() {
	[ $rc = 0 ] && echo "$out" | grep -q '"ok":true,"cmd":"audit verify"' &&
		echo "$out" | grep -qE '"rows":[1-9][0-9]*,"head_hash":"[0-9a-f]{64}"'
}

# ---- the trigger chains every plain INSERT ----
su "INSERT INTO audit_log (action, subject) VALUES ('itest.first', 'itest')"
id=$(su "INSERT INTO audit_log (action, subject, seq, prev_hash, hash)
	VALUES ('itest.append', 'itest', 1, '\\x00', '\\x00') RETURNING audit_id")
check "a plain INSERT is chained by the trigger, whatever chain values it gave" \
	$([ "$(su "SELECT a.seq = (SELECT max(seq) FROM audit_log) AND a.seq > 1
		AND a.hash = audit_row_hash(a, a.prev_hash)
		AND a.prev_hash = (SELECT hash FROM audit_log WHERE seq = a.seq - 1)
		FROM audit_log a WHERE audit_id = $id")" = t ]; echo $?)

# ---- a clean chain ----
verify
check "verify exits 0 and says ok on a clean chain" $(intact; echo $?)
check "the verification is audited itself" $([ "$(su "SELECT detail->>'ok' FROM audit_log
	WHERE action = 'audit.verify' AND staff_id = 9001 ORDER BY seq DESC LIMIT 1")" = true ]; echo $?)
rows=$(echo "$out" | json_field rows)
check "every row was checked" $([ "$rows" -ge "$(su "SELECT count(*) - 1 FROM audit_log")" ]; echo $?)

analyst audit verify >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "an analyst may not verify: exit 1, PERMISSION_DENIED" $([ $rc = 1 ] &&
	grep -q '"code":"PERMISSION_DENIED"' "$tmp/out"; echo $?)
admin audit verify now >"$tmp/out" 2>&1
check "a word after verify is a usage error (exit 2)" $([ $? = 2 ]; echo $?)

# ---- kassad's role: append, never change ----
su "CREATE ROLE $role LOGIN IN ROLE kassa_server"
check "a member of kassa_server appends an audit row" \
	$(as_role "INSERT INTO audit_log (action, subject) VALUES ('itest.role', 'itest')" \
		>"$tmp/err" 2>&1; echo $?)
for stmt in "UPDATE audit_log SET detail = '{}' WHERE audit_id = $id" \
	"DELETE FROM audit_log WHERE audit_id = $id" "TRUNCATE audit_log"; do
	as_role "$stmt" >"$tmp/err" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/err"
	check "... but may not ${stmt%% *} it: permission denied" $([ $rc != 0 ] &&
		grep -q 'permission denied for table audit_log' "$tmp/err"; echo $?)
done
check "... while it writes the other tables" \
	$(as_role "UPDATE staff SET name = name WHERE staff_id = 1001" >"$tmp/err" 2>&1; echo $?)

# ---- the owner (a superuser) is refused by the trigger ----
for stmt in "UPDATE audit_log SET detail = '{}' WHERE audit_id = $id" \
	"DELETE FROM audit_log WHERE audit_id = $id" "TRUNCATE audit_log"; do
	su "$stmt" >"$tmp/err" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/err"
	check "the superuser may not ${stmt%% *} either: audit_log is append-only" \
		$([ $rc != 0 ] && grep -q 'audit_log is append-only' "$tmp/err"; echo $?)
done

# ---- 1. an edited row ----
mid=$(su "SELECT seq FROM audit_log ORDER BY seq OFFSET (SELECT count(*) / 2 FROM audit_log) LIMIT 1")
edited=$(su "SELECT audit_id FROM audit_log WHERE seq = $mid - 1")
su "CREATE TABLE $saved AS SELECT * FROM audit_log WHERE audit_id = $edited"
dba "UPDATE audit_log SET detail = detail || '{\"amount\": 1}' WHERE audit_id = $edited"
verify
check "an edited row: exit 1, 'edited', row $edited named" $(broken edited "$edited"; echo $?)
dba "UPDATE audit_log a SET detail = s.detail FROM $saved s WHERE a.audit_id = s.audit_id"
verify
check "put back, the chain is whole again" $(intact; echo $?)

# ---- 2. a deleted row ----
su "TRUNCATE $saved; INSERT INTO $saved SELECT * FROM audit_log WHERE seq = $mid"
next=$(su "SELECT audit_id FROM audit_log WHERE seq = $mid + 1")
dba "DELETE FROM audit_log WHERE seq = $mid"
verify
check "a deleted row: exit 1, 'deleted', the row after the gap ($next) named" \
	$(broken deleted "$next"; echo $?)
dba "INSERT INTO audit_log SELECT * FROM $saved"
verify
check "put back, the chain is whole again" $(intact; echo $?)

# ---- 3. an inserted row: hashed over its own fields, but after the wrong row ----
last=$(su "SELECT max(seq) FROM audit_log")
forged=$(dba "INSERT INTO audit_log (staff_id, action, subject, detail, seq, prev_hash, hash)
	SELECT 9001, 'refund', 'txn:1', '{\"amount\": 100}', $last + 1, hash, '\\x00'
	FROM audit_log WHERE seq = $last - 1 RETURNING audit_id")
dba "UPDATE audit_log a SET hash = audit_row_hash(a, a.prev_hash) WHERE audit_id = $forged"
verify
check "an inserted row: exit 1, 'inserted', row $forged named" $(broken inserted "$forged"; echo $?)
# the forged row and what was appended after it (the verifications) are the chain's tail
dba "DELETE FROM audit_log WHERE seq > $last"
verify
check "taken out, the chain is whole again" $(intact; echo $?)

# ---- 4. an inserted row with no chain values at all ----
forged=$(dba "INSERT INTO audit_log (staff_id, action, subject) VALUES (9001, 'tier.set',
	'member:1') RETURNING audit_id")
verify
check "a row outside the chain: exit 1, 'inserted', row $forged named" \
	$(broken inserted "$forged"; echo $?)
dba "DELETE FROM audit_log WHERE audit_id = $forged"
verify
check "taken out, the chain is whole again" $(intact; echo $?)

summary
