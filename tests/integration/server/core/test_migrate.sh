#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_migrate: `kassad migrate` is idempotent, and refuses a migration that
# was edited after it was applied (schema history is append-only). The SQL
# functions live in migrations/functions/, each defined once in the tree;
# editing a file re-creates them all on the next migrate, a function removed
# from the files does not linger, a failing file changes nothing, and
# kassad refuses to serve a database whose functions do not match the
# files. A database migrated by the tree of commit fb8016f (functions inside
# 0002-0007) upgrades: the superseded checksums of migrations/superseded.txt
# are accepted, the functions are re-created, idempotency records written
# before still replay, and kassad serves a checkout from it. Needs
# KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL; the upgrade part
# needs the git history of the source tree (a full clone).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
OLD_COMMIT=fb8016f
count() { psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM schema_migrations"; }
# sql CONNINFO QUERY: one value, or nothing
sql() { psql "$1" -X -Atc "$2" 2>/dev/null; }
# kassa_functions CONNINFO: every kassa_* function with its arguments and body digest
kassa_functions() {
	sql "$1" "SELECT string_agg(p.proname || '(' || pg_get_function_arguments(p.oid) || ') '
		|| md5(p.prosrc), E'\n' ORDER BY p.proname, pg_get_function_arguments(p.oid))
		FROM pg_proc p WHERE p.proname LIKE 'kassa\_%'"
}
# wait_exit: wait (bounded, 15 s) for the second kassad to exit; its status, or 255
wait_exit() {
	local rc=255
	for _ in $(seq 1 150); do
		if ! kill -0 "$kassad_pid" 2>/dev/null; then
			wait "$kassad_pid"
			rc=$?
			kassad_pid=
			break
		fi
		sleep 0.1
	done
	return $rc
}
# serves PORT: true once a till gets an answer from the kassad on PORT (bounded, 10 s)
serves() {
	for _ in $(seq 1 100); do
		[ "$(printf 'login 1001 1234\nproduct SKU-TEA\n' | "$TILL" --host 127.0.0.1 --port "$1" \
			--cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
			--server-name localhost --timeout 3000 --script 2>/dev/null |
			grep -c '"ok":true')" = 2 ] && return 0
		kill -0 "$kassad_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---- the tree: numbered files hold schema, functions/ each function once ----
M=$KASSA_ROOT/migrations
defs=$(grep -rhoiE "create (or replace )?function +kassa_[a-z0-9_]+" --include='*.sql' \
	--include='*.sh' --include='*.c' --include='*.h' "$M" "$KASSA_ROOT/scripts" \
	"$KASSA_ROOT/server" "$KASSA_ROOT/tests" | awk '{print tolower($NF)}' | sort)
echo "# $(echo "$defs" | grep -c .) kassa_* functions defined," \
	"$(echo "$defs" | uniq -d | grep -c .) defined more than once"
check "every kassa_* function is defined exactly once in the tree" \
	$([ -n "$defs" ] && [ -z "$(echo "$defs" | uniq -d)" ]; echo $?)
check "numbered migrations create no function or view" \
	$([ -z "$(grep -liE "create (or replace )?(function|view)" "$M"/[0-9][0-9][0-9][0-9]_*.sql)" ]; echo $?)
check "every function is in migrations/functions/" \
	$([ "$(grep -rhoiE "create function +kassa_[a-z0-9_]+" "$M/functions" | wc -l)" = \
		"$(echo "$defs" | grep -c .)" ]; echo $?)
check "the database has exactly the functions of the files" \
	$([ "$(sql "$KASSA_CONNINFO" "SELECT count(*) FROM pg_proc WHERE proname LIKE 'kassa\_%'")" = \
		"$(echo "$defs" | grep -c .)" ]; echo $?)
before=$(count)
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" >"$tmp/log" 2>&1
check "migrating again succeeds" $?
check "and applies nothing" $([ "$(count)" = "$before" ]; echo $?)
check "checksums recorded" $([ "$(psql "$KASSA_CONNINFO" -Atc \
	"SELECT count(*) FROM schema_migrations WHERE length(checksum) = 64")" = "$before" ]; echo $?)
check "and the SQL functions are left alone" $(grep -q "SQL functions are up to date" "$tmp/log" &&
	! grep -q "re-created" "$tmp/log"; echo $?)
functions_before=$(kassa_functions "$KASSA_CONNINFO")
recorded_before=$(sql "$KASSA_CONNINFO" "SELECT string_agg(file || checksum || applied_at, ',' ORDER BY file)
	FROM schema_functions")

cp -r "$KASSA_ROOT/migrations" "$tmp/m"
echo "-- edited after it was applied" >>"$tmp/m/0001_schema.sql"
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" --migrations "$tmp/m" >"$tmp/log2" 2>&1
rc=$?
check "an edited migration is refused" $([ $rc != 0 ]; echo $?)
check "with a reason" $(grep -q "was changed after it was applied" "$tmp/log2"; echo $?)

cp -r "$KASSA_ROOT/migrations" "$tmp/n"
printf 'CREATE TABLE broken (;\n' >"$tmp/n/9999_broken.sql"
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" --migrations "$tmp/n" >"$tmp/log3" 2>&1
check "a failing migration fails the command" $([ $? != 0 ]; echo $?)
check "and is not recorded" $([ "$(count)" = "$before" ]; echo $?)

cp -r "$KASSA_ROOT/migrations" "$tmp/s"
echo "-- edited after it was applied" >>"$tmp/s/0004_loyalty_checkout.sql"
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" --migrations "$tmp/s" >"$tmp/log4" 2>&1
check "an edited migration that superseded.txt names is refused too" \
	$([ $? != 0 ] && grep -q "was changed after it was applied" "$tmp/log4"; echo $?)

# ---- function files: an edit re-creates them all; what is gone, goes ----
probe=kassa_migrate_probe
cp -r "$KASSA_ROOT/migrations" "$tmp/f"
printf '\nCREATE FUNCTION %s() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;\n' "$probe" \
	>>"$tmp/f/functions/idempotency.sql"
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" --migrations "$tmp/f" >"$tmp/log5" 2>&1
check "an edited function file is applied" \
	$([ $? = 0 ] && [ "$(sql "$KASSA_CONNINFO" "SELECT $probe()")" = 42 ]; echo $?)
check "and named in the log" $(grep -q "function file idempotency.sql is changed" "$tmp/log5"; echo $?)
check "and its checksum recorded" $([ "$(sql "$KASSA_CONNINFO" "SELECT checksum FROM schema_functions
	WHERE file = 'idempotency.sql'")" = "$(sha256sum <"$tmp/f/functions/idempotency.sql" | cut -c1-64)" ]
	echo $?)
port=$(free_port) || { echo "no free port"; exit 1; }
start_kassad "$port"
wait_exit
rc=$?
check "kassad refuses to serve functions that do not match its files" $([ $rc != 0 ] && [ $rc != 255 ]
	echo $?)
check "and says why" $(grep -q "SQL functions do not match" "$tmp/kassad.log"; echo $?)
[ $rc = 255 ] && stop_kassad

cp -r "$KASSA_ROOT/migrations" "$tmp/b"
printf '\nCREATE FUNCTION %s( RETURNS;\n' kassa_broken >>"$tmp/b/functions/topup.sql"
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" --migrations "$tmp/b" >"$tmp/log6" 2>&1
check "a failing function file fails the command" $([ $? != 0 ]; echo $?)
check "and leaves the functions as they were" \
	$([ "$(sql "$KASSA_CONNINFO" "SELECT $probe()")" = 42 ] &&
	  [ -n "$(sql "$KASSA_CONNINFO" "SELECT 1 FROM pg_proc WHERE proname = 'kassa_checkout'")" ]
	echo $?)

"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" >"$tmp/log7" 2>&1
check "the tree's files apply again" $?
check "and a function no file defines is gone" \
	$([ -z "$(sql "$KASSA_CONNINFO" "SELECT 1 FROM pg_proc WHERE proname = '$probe'")" ]; echo $?)
check "the functions are those of the files again" \
	$([ "$(kassa_functions "$KASSA_CONNINFO")" = "$functions_before" ]; echo $?)
# products_seq_stamp (functions/catalog.sql) is a trigger's function: replaced in place, never
# dropped; an update draws a number above every one before (the CTE sees the old rows)
check "the catalogue's change-number trigger survives re-creating the functions" \
	$([ "$(sql "$KASSA_CONNINFO" "SELECT count(*) FROM pg_trigger WHERE tgname = 'products_seq_stamp'
		AND tgrelid = 'products'::regclass")" = 1 ] &&
	  [ "$(sql "$KASSA_CONNINFO" "WITH u AS (UPDATE products SET name = name WHERE product_id =
		(SELECT min(product_id) FROM products) RETURNING seq) SELECT (SELECT seq FROM u) >
		(SELECT max(seq) FROM products)")" = t ]; echo $?)
start_kassad "$port"
serves "$port"
check "and kassad serves again" $?
stop_kassad
check "and stops cleanly" $?

# ---- upgrade: a database migrated by the tree of $OLD_COMMIT ----
# g ARGS: git on the source tree (which may belong to another user than the test's)
g() { git -c safe.directory="$KASSA_ROOT" -C "$KASSA_ROOT" "$@"; }
upgrade_test() {
	local db=kassa_upgrade_$$ up old=$tmp/old mid out
	if ! g rev-parse --git-dir >/dev/null 2>&1; then
		echo "# the source tree is no git clone: upgrade from $OLD_COMMIT not tested"
		return
	fi
	if ! g cat-file -e "$OLD_COMMIT^{commit}" 2>/dev/null; then
		check "commit $OLD_COMMIT is in the history (a shallow clone? git fetch --unshallow)" 1
		return
	fi
	mkdir -p "$old"
	for f in $(g ls-tree --name-only "$OLD_COMMIT" migrations/ | grep '\.sql$'); do
		g show "$OLD_COMMIT:$f" >"$old/$(basename "$f")"
	done
	up=$(echo "$KASSA_CONNINFO" | sed "s/dbname=kassa/dbname=$db/")
	psql "$KASSA_CONNINFO" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	KASSA_DATABASE_CONNINFO=$up "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" \
		--migrations "$old" >"$tmp/up1" 2>&1
	check "the $OLD_COMMIT tree migrates an empty database" \
		$([ $? = 0 ] && [ "$(sql "$up" "SELECT pronargs FROM pg_proc WHERE proname = 'kassa_checkout'")" = 29 ] &&
		  [ -z "$(sql "$up" "SELECT to_regclass('schema_functions')")" ]; echo $?)
	bash "$KASSA_ROOT/scripts/seed.sh" "$up" "$KASSA_KASSAD" --members 20 --products 20 >/dev/null
	check "and takes the seed" $?
	# a registration through the old function: its idempotency record must replay later
	mid=$(sql "$up" "SELECT kassa_member_register(1, 'upgrade-key-0001', '\\x0102', 'Old Tree',
		'+8613900099001', '', NULL, 0::smallint, '', '', 0::smallint, false, '{}', '')")
	check "and registers a member through its own functions" $([ -n "$mid" ]; echo $?)

	start_kassad "$port" KASSA_DATABASE_CONNINFO="$up"
	wait_exit
	rc=$?
	check "kassad refuses to serve the old database before it is migrated" \
		$([ $rc != 0 ] && [ $rc != 255 ] && grep -q "kassad migrate" "$tmp/kassad.log"; echo $?)
	[ $rc = 255 ] && stop_kassad

	KASSA_DATABASE_CONNINFO=$up "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" >"$tmp/up2" 2>&1
	check "the new tree upgrades it" $?
	check "accepting the superseded checksums" \
		$([ "$(grep -c "is superseded by" "$tmp/up2")" = 5 ]; echo $?)
	check "and recording the new ones" $([ "$(sql "$up" "SELECT string_agg(name || checksum, ',' ORDER BY version)
		FROM schema_migrations")" = "$(sql "$KASSA_CONNINFO" "SELECT string_agg(name || checksum, ','
		ORDER BY version) FROM schema_migrations")" ]; echo $?)
	check "its functions are exactly those of a new database" \
		$([ "$(kassa_functions "$up")" = "$(kassa_functions "$KASSA_CONNINFO")" ]; echo $?)
	KASSA_DATABASE_CONNINFO=$up "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" >"$tmp/up3" 2>&1
	check "migrating it again changes nothing" $([ $? = 0 ] && ! grep -qE "applied|re-created|superseded" \
		"$tmp/up3"; echo $?)
	check "the old registration replays" $([ "$(sql "$up" "SELECT kassa_member_register(1,
		'upgrade-key-0001', '\\x0102', 'Old Tree', '+8613900099001', '', NULL, 0::smallint, '', '',
		0::smallint, false, '{}', '')")" = "$mid" ]; echo $?)
	out=$(psql "$up" -X -Atc "SELECT kassa_member_register(1, 'upgrade-key-0001', '\\x0103',
		'Old Tree', '+8613900099001', '', NULL, 0::smallint, '', '', 0::smallint, false, '{}', '')" 2>&1)
	check "and its key with another body is refused" $(echo "$out" | grep -q IDEMPOTENCY_KEY_REUSED; echo $?)

	start_kassad "$port" KASSA_DATABASE_CONNINFO="$up"
	serves "$port"
	check "kassad serves the upgraded database" $?
	out=$(printf 'login 1001 1234\nsale begin\nsale add SKU-TEA\nsale member %s\nsale pay cash 10.00\nsale finish\n' \
		"$mid" | "$TILL" --host 127.0.0.1 --port "$port" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --timeout 5000 --script 2>&1)
	check "a checkout for the old member goes through" $([ "$(echo "$out" | grep -c '"ok":true')" = 6 ] &&
		[ "$(sql "$up" "SELECT count(*) FROM transactions WHERE member_id = $mid AND total_minor = 1000")" = 1 ]
		echo $?)
	[ "$fail" = 0 ] || { echo "$out" | sed 's/^/# /'; tail -5 "$tmp/kassad.log" | sed 's/^/# /'; }
	stop_kassad
	check "and stops cleanly" $?
	psql "$KASSA_CONNINFO" -q -c "DROP DATABASE IF EXISTS $db"
}
upgrade_test

summary
