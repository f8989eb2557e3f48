#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_backup_restore: the backup and restore of docs/operations.md, done for real.
#   1. kassa-bench rings up anonymous checkouts on the fixture's kassad (BENCH-1) and
#      kassa-till-load member sales on S001's tills for six fresh members (earning, redeeming
#      points, paying from stored value); while sales are being committed, `pg_dump -Fc`
#      takes the database (sales and ledger entries rise during the dump: it really ran
#      under load).
#   2. A FRESH PostgreSQL cluster (scripts/pg-cluster.sh init/start, a free port) gets the
#      roles (pg_dumpall --roles-only: pg_dump holds none) and then the dump back with
#      `pg_restore --exit-on-error --no-owner`; the audit log's privileges come with it.
#   3. The restored database is one consistent moment: its sales count lies between the
#      counts before and after the dump, every restored sale is in the source with the same
#      total, lines and tenders, no bench sale lacks its lines or tenders; its schema_migrations
#      equal the source's; every sale the load was told of that the dump holds keeps its
#      idempotency key; every member's points balance equals the sum of their points
#      ledger and their lots, every stored-value balance the sum of its ledger.
#   4. A second kassad on a free port, the fixture's configuration with
#      KASSA_DATABASE_CONNINFO pointing at the restored cluster, starts (its start-up
#      check accepts the restored schema and functions), serves a member's checkout from
#      kassa-till --script, and the ledgers still balance; SIGTERM ends it with 0.
# Needs KASSA_TEST_ENV, KASSA_TILL, KASSA_BENCH and KASSA_TILL_LOAD. Every wait polls a
# condition with a deadline.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
BENCH=${KASSA_BENCH:-$(dirname "$TILL")/kassa-bench}
LOAD=${KASSA_TILL_LOAD:?KASSA_TILL_LOAD must name kassa-till-load}
PGCLUSTER=$KASSA_ROOT/scripts/pg-cluster.sh
C=$KASSA_CERTS
DEADLINE=${KASSA_TEST_BACKUP_TIMEOUT:-60}	# seconds any one wait may take
bench_pid=
load_pid=
pg2=$tmp/restored

cleanup() {
	[ -n "$bench_pid" ] && kill "$bench_pid" 2>/dev/null
	[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
	bash "$PGCLUSTER" stop "$pg2" "${pg2_port:-1}" >/dev/null 2>&1
	on_exit
}
trap cleanup EXIT

# The statement goes in on stdin: a list of every restored sale's id outgrows the 128 KiB
# the kernel allows one argument once the suite has made some 20,000 sales.
src_sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$KASSA_PG_PORT" -U kassa -d kassa -f - <<<"$1"; }
dst_sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg2_port" -U kassa -d kassa -f - <<<"$1"; }
sales() { "$1" "SELECT count(*) FROM transactions"; }

# ---- 1. pg_dump while checkouts run ---------------------------------------------

# members of this test alone (the fixture's are other tests'), with points, lots and
# stored value to spend, their ledgers balanced (as lib_crash.sh's fresh_members)
members=$(src_sql "
	WITH m AS (INSERT INTO members (phone, card_no, name, points_balance)
		SELECT '+86136' || lpad((abs(hashtext(g::text || clock_timestamp()::text))
			% 100000000)::text, 8, '0'),
			'BK' || lpad((abs(hashtext(clock_timestamp()::text || g::text))
			% 100000000)::text, 8, '0') || g, 'Backup ' || g, 100000
		FROM generate_series(1, 6) g RETURNING member_id),
	l AS (INSERT INTO points_ledger (member_id, kind, points)
		SELECT member_id, 'adjust', 100000 FROM m),
	p AS (INSERT INTO points_lots (member_id, source, points, remaining, expires_on)
		SELECT member_id, 'adjust', 100000, 100000, current_date + 365 FROM m),
	w AS (INSERT INTO wallets (member_id, balance_minor) SELECT member_id, 1000000 FROM m),
	wl AS (INSERT INTO wallet_ledger (member_id, kind, amount_minor)
		SELECT member_id, 'topup', 1000000 FROM m)
	SELECT string_agg(member_id::text, ',' ORDER BY member_id) FROM m")
check "six fresh members with points and stored value ($members)" $([ -n "$members" ]; echo $?)

# two loads at once: kassa-bench's anonymous checkouts (BENCH-1) and kassa-till-load's
# member sales on S001's tills, every third redeeming points and every third paying
# from stored value, so both ledgers move while the dump runs
before=$(sales src_sql)
"$BENCH" --host 127.0.0.1 --port "$KASSA_PORT" --cert "$C/BENCH-1.crt" --key "$C/BENCH-1.key" \
	--ca "$C/ca.crt" --server-name localhost --tills 4 --duration 8 --warmup 0 \
	--json >"$tmp/bench.json" 2>"$tmp/bench.err" &
bench_pid=$!
"$LOAD" --port "$KASSA_PORT" --certs "$C" --till S001-T1,S001-T2 --tills 4 \
	--members "$members" --seconds 8 --out "$tmp/load.out" >"$tmp/load.log" 2>&1 &
load_pid=$!
member_moves() {
	src_sql "SELECT count(*) FROM points_ledger WHERE member_id IN ($members) AND kind <> 'adjust'"
}
bench_sales() {
	"$1" "SELECT count(*) FROM transactions t JOIN stores s USING (store_id) WHERE s.code = 'BENCH'"
}
bench0=$(bench_sales src_sql)
selling() {
	[ "$(bench_sales src_sql)" -gt "$((bench0 + 10))" ] && [ "$(member_moves)" -gt 10 ]
}
wait_for "both loads to ring up their first sales" selling
check "kassa-bench and kassa-till-load ring up checkouts on the fixture's kassad" $?

c0=$(sales src_sql)
m0=$(member_moves)
pg_dump -Fc -h 127.0.0.1 -p "$KASSA_PG_PORT" -U kassa -d kassa -f "$tmp/kassa.dump" 2>"$tmp/dump.err"
rc=$?
c1=$(sales src_sql)
m1=$(member_moves)
[ "$rc" = 0 ] || sed 's/^/#   /' "$tmp/dump.err"
check "pg_dump -Fc of the running database succeeds ($(stat -c %s "$tmp/kassa.dump" 2>/dev/null) bytes)" "$rc"
echo "# sales: $c0 when the dump started, $c1 when it ended; the members' ledger entries $m0 -> $m1"
check "sales and ledger entries were committed while the dump ran" \
	$([ "$c1" -gt "$c0" ] && [ "$m1" -gt "$m0" ]; echo $?)

wait "$bench_pid"
rc=$?
bench_pid=
[ "$rc" = 0 ] || { sed 's/^/#   /' "$tmp/bench.err"; head -c 600 "$tmp/bench.json"; echo; }
bench_ok=$(grep -o '"ok":[0-9]*' "$tmp/bench.json" | head -n 1 | cut -d: -f2)
echo "# kassa-bench: ${bench_ok:-?} checkouts, $(grep -o '"throughput":[0-9.]*' "$tmp/bench.json" | cut -d: -f2)/s"
check "every checkout of kassa-bench succeeded, the dump notwithstanding (exit $rc)" \
	$([ "$rc" = 0 ] && [ "${bench_ok:-0}" -gt 0 ]; echo $?)
wait "$load_pid"
rc=$?
load_pid=
echo "# kassa-till-load: $(tail -n 1 "$tmp/load.log")"
check "kassa-till-load had every key answered (exit $rc)" "$rc"

# ---- 2. restore into a fresh cluster --------------------------------------------

pg2_port=$(free_port)
bash "$PGCLUSTER" init "$pg2" "$pg2_port" >"$tmp/pg2.log" 2>&1 &&
	bash "$PGCLUSTER" start "$pg2" "$pg2_port" >>"$tmp/pg2.log" 2>&1
rc=$?
[ "$rc" = 0 ] || tail -n 20 "$tmp/pg2.log" | sed 's/^/#   /'
check "a fresh PostgreSQL cluster starts on 127.0.0.1:$pg2_port" "$rc"
[ "$rc" = 0 ] || summary
check "... with an empty kassa database" \
	$([ "$(dst_sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ]; echo $?)

# roles belong to the cluster, not the database: pg_dump has none of them, so they come
# first, from pg_dumpall --roles-only ("role ... already exists" for kassa is expected)
pg_dumpall --roles-only -h 127.0.0.1 -p "$KASSA_PG_PORT" -U kassa >"$tmp/roles.sql" 2>"$tmp/roles.err"
check "pg_dumpall --roles-only of the source cluster succeeds" $?
psql -X -q -h 127.0.0.1 -p "$pg2_port" -U kassa -d postgres -f "$tmp/roles.sql" >/dev/null 2>&1
roles_q="SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'kassa%'"
check "the new cluster has the source's kassa roles ($(dst_sql "$roles_q"))" \
	$([ "$(dst_sql "$roles_q")" = "$(src_sql "$roles_q")" ]; echo $?)
pg_restore --exit-on-error --no-owner -h 127.0.0.1 -p "$pg2_port" -U kassa -d kassa \
	"$tmp/kassa.dump" 2>"$tmp/restore.err"
rc=$?
[ "$rc" = 0 ] || sed 's/^/#   /' "$tmp/restore.err" | head -n 20
check "pg_restore --exit-on-error into it succeeds" "$rc"
[ "$rc" = 0 ] || summary

# ---- 3. one consistent moment, every ledger balanced ------------------------------

r=$(sales dst_sql)
echo "# restored sales: $r"
check "the restored sales count lies between the counts at the dump's start and end ($c0 <= $r <= $c1)" \
	$([ "$c0" -le "$r" ] && [ "$r" -le "$c1" ]; echo $?)

SALE_ROWS="SELECT t.txn_id, t.total_minor, t.member_id,
	(SELECT count(*) FROM transaction_lines l WHERE l.txn_id = t.txn_id),
	(SELECT coalesce(sum(d.amount_minor), 0) FROM tenders d WHERE d.txn_id = t.txn_id)
	FROM transactions t"
dst_sql "$SALE_ROWS ORDER BY 1" >"$tmp/restored.rows"
ids=$(cut -d'|' -f1 "$tmp/restored.rows" | paste -sd, -)
src_sql "$SALE_ROWS WHERE t.txn_id IN (${ids:-0}) ORDER BY 1" >"$tmp/source.rows"
check "every restored sale is in the source, with the same total, member, lines and tenders" \
	$(cmp -s "$tmp/restored.rows" "$tmp/source.rows"; echo $?)
bench_half=$(dst_sql "SELECT count(*) FROM transactions t JOIN stores s USING (store_id)
	WHERE s.code = 'BENCH' AND t.kind = 'sale' AND
	(NOT EXISTS (SELECT 1 FROM transaction_lines l WHERE l.txn_id = t.txn_id)
	 OR NOT EXISTS (SELECT 1 FROM tenders d WHERE d.txn_id = t.txn_id)
	 OR t.tendered_minor <> (SELECT sum(d.amount_minor) FROM tenders d
		WHERE d.txn_id = t.txn_id))")
check "the dump holds kassa-bench sales ($(bench_sales dst_sql)), none lacking its lines or tenders or disagreeing with them ($bench_half)" \
	$([ "$(bench_sales dst_sql)" -gt "$bench0" ] && [ "$bench_half" = 0 ]; echo $?)
q="SELECT string_agg(version || ':' || checksum, ',' ORDER BY version) FROM schema_migrations"
check "schema_migrations are the source's" $([ "$(dst_sql "$q")" = "$(src_sql "$q")" ]; echo $?)
q="SELECT string_agg(file || ':' || checksum, ',' ORDER BY file) FROM schema_functions"
check "schema_functions (the SQL functions' checksums) are the source's" \
	$([ "$(dst_sql "$q")" = "$(src_sql "$q")" ]; echo $?)
# the privileges are in the dump: kassad's role may still not rewrite the audit log
q="SELECT string_agg(r.rolname || ':' || p.priv || ':' ||
	has_table_privilege(r.rolname, 'audit_log', p.priv), ',' ORDER BY 1)
	FROM pg_roles r, (VALUES ('INSERT'), ('UPDATE'), ('DELETE')) AS p(priv)
	WHERE r.rolname = 'kassa_server'"
check "the audit log's privileges are the source's ($(dst_sql "$q"))" \
	$([ "$(dst_sql "$q")" = "$(src_sql "$q")" ]; echo $?)

# exactly once survives the restore: every sale kassa-till-load was told of that the dump
# holds still has its idempotency row naming it (a till retrying that key against the
# restored server gets that sale back, not a second one)
awk '$1 == "ack" { print $2 " " $3 }' "$tmp/load.out" >"$tmp/acks"
psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg2_port" -U kassa -d kassa \
	>"$tmp/acks.check" 2>&1 <<SQL
CREATE TEMP TABLE acks (key text, txn bigint);
\\copy acks FROM '$tmp/acks' WITH (FORMAT text, DELIMITER ' ')
SELECT count(*),
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.txn_id = a.txn)),
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.txn_id = a.txn)
		AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE i.key = a.key
			AND i.kind = 'checkout' AND i.result_id = a.txn)),
	count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.txn_id = a.txn)
		AND EXISTS (SELECT 1 FROM idempotency i WHERE i.key = a.key))
FROM acks a;
SQL
IFS='|' read -r acked acked_in keyless key_only <"$tmp/acks.check"
echo "# kassa-till-load: ${acked:-?} sales acknowledged, ${acked_in:-?} of them in the dump"
check "each of those restored sales keeps its idempotency key (${keyless:-?} without)" \
	$([ "${acked_in:-0}" -gt 0 ] && [ "$keyless" = 0 ]; echo $?)
check "no key in the dump without its sale (${key_only:-?})" $([ "$key_only" = 0 ]; echo $?)
moved=$(dst_sql "SELECT count(DISTINCT kind) FROM (SELECT 'p-' || kind AS kind FROM points_ledger
	WHERE member_id IN ($members) UNION ALL SELECT 'w-' || kind FROM wallet_ledger
	WHERE member_id IN ($members)) x WHERE kind IN ('p-earn', 'p-redeem', 'w-spend')")
check "the dump holds the fresh members' points earned and redeemed and stored value spent" \
	$([ "$moved" = 3 ]; echo $?)

# balanced DB: the three ledger checks of migrations/0003_loyalty.sql, counted as offenders
POINTS_OFF="SELECT count(*) FROM members m WHERE m.points_balance <>
	coalesce((SELECT sum(points) FROM points_ledger l WHERE l.member_id = m.member_id), 0)"
LOTS_OFF="SELECT count(*) FROM members m WHERE greatest(m.points_balance, 0) <>
	coalesce((SELECT sum(remaining) FROM points_lots l WHERE l.member_id = m.member_id), 0)"
WALLET_OFF="SELECT count(*) FROM (SELECT member_id FROM wallets UNION
	SELECT member_id FROM wallet_ledger) w WHERE
	coalesce((SELECT balance_minor FROM wallets x WHERE x.member_id = w.member_id), 0) <>
	coalesce((SELECT sum(amount_minor) FROM wallet_ledger l WHERE l.member_id = w.member_id), 0)"
ledgers_balance() {	# ledgers_balance WHEN
	local p l w
	p=$(dst_sql "$POINTS_OFF") l=$(dst_sql "$LOTS_OFF") w=$(dst_sql "$WALLET_OFF")
	echo "# $1: members off their points ledger $p, off their lots $l, wallets off their ledger $w"
	check "$1: every points balance = its ledger, its lots; every stored value = its ledger" \
		$([ "$p" = 0 ] && [ "$l" = 0 ] && [ "$w" = 0 ]; echo $?)
}
ledgers_balance "restored"
members_pts=$(dst_sql "SELECT count(*) FROM points_ledger")
check "the restored points ledger is not empty ($members_pts entries)" \
	$([ "$members_pts" -gt 0 ]; echo $?)

# ---- 4. kassad serves the restored database ---------------------------------------

port=$(free_port)
start_kassad "$port" KASSA_DATABASE_CONNINFO="host=127.0.0.1 port=$pg2_port dbname=kassa user=kassa connect_timeout=10"
kassad_listening "$port" "kassad on the restored database to listen"
rc=$?
check "kassad starts on the restored database (schema and functions accepted)" "$rc"
[ "$rc" = 0 ] || summary

member=7
pts0=$(dst_sql "SELECT points_balance FROM members WHERE member_id = $member")
# S002-T1: kassa-till-load's sales in the dump are S001's (a fresh state folder numbers its
# receipts from the clock; another till's numbers never collide with them)
printf '%s\n' 'login 1002 2345' 'sale begin' 'sale add SKU-APPLE 2' "sale member $member" \
	'sale pay cash 100' 'sale finish' 'quit' |
	"$TILL" --host 127.0.0.1 --port "$port" --cert "$C/S002-T1.crt" --key "$C/S002-T1.key" \
		--ca "$C/ca.crt" --server-name localhost --timeout 20000 \
		--state-dir "$tmp/till-state" --script >"$tmp/till.out" 2>"$tmp/till.err"
rc=$?
finish=$(grep '"cmd":"sale finish"' "$tmp/till.out")
[ "$rc" = 0 ] || { sed 's/^/#   /' "$tmp/till.out" "$tmp/till.err" | head -n 12; }
check "a member's checkout through it succeeds" \
	$([ "$rc" = 0 ] && echo "$finish" | grep -q '"ok":true' && echo "$finish" | grep -q '"offline":false'; echo $?)
txn=$(echo "$finish" | grep -o '"txn_id":[0-9]*' | head -n 1 | cut -d: -f2)
check "the sale is recorded in the restored database: txn $txn, one sale more" \
	$([ -n "$txn" ] && [ "$(dst_sql "SELECT count(*) FROM transactions WHERE txn_id = $txn
		AND member_id = $member")" = 1 ] && [ "$(sales dst_sql)" = $((r + 1)) ]; echo $?)
pts1=$(dst_sql "SELECT points_balance FROM members WHERE member_id = $member")
earned=$(dst_sql "SELECT coalesce(sum(points), 0) FROM points_ledger WHERE txn_id = ${txn:-0}")
check "the member's points moved by the sale's ledger entries ($pts0 + $earned = $pts1)" \
	$([ "$earned" -gt 0 ] && [ $((pts0 + earned)) = "$pts1" ]; echo $?)
ledgers_balance "after a sale on the restored database"
stop_kassad
check "that kassad exits 0 on SIGTERM" $?
bash "$PGCLUSTER" stop "$pg2" "$pg2_port" >/dev/null 2>&1
check "the restored cluster stops" $?
summary
