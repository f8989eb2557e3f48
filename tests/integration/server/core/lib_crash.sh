# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# lib_crash.sh: what the crash-safety tests share (test_crash_loop.sh, test_db_outage.sh,
# test_two_processes.sh). Source it after tests/integration/lib.sh. It gives:
#
#   own_cluster_up         a PostgreSQL cluster of the test's own ($tmp/pg, a free port),
#                          migrated and seeded; sets OWN_PG_PORT and OWN_CONNINFO. Stopped
#                          (immediately) on exit, before lib.sh removes $tmp.
#   pg_ctl_own ARGS...     pg_ctl on that cluster, as the user that runs it
#   crash_kassad_start NAME PORT [VAR=VALUE...]
#                          a kassad of the test's own on the fixture's config, listening on
#                          127.0.0.1:PORT, its log appended to $tmp/NAME.log; its pid is
#                          left in $crash_pid (and killed with -9 on exit unless
#                          crash_forget PID was called after waiting for it)
#   wait_listening PORT SECONDS   poll (every 20 ms) until something listens on PORT
#   fresh_members N CONNINFO      N new members with 100000 points (an 'adjust' row and a
#                          lot) and 10000.00 on a wallet (a 'topup' row); prints their ids,
#                          comma-separated
#   verify_load OUT CONNINFO MEMBERS SINCE
#                          what kassa-till-load wrote in OUT against the database: prints
#                          "keys=.. acked=.. retried_acked=.. refused=.. gaveup=.. open=..
#                          missing=.. wrong_txn=.. duplicates=.. refused_written=..
#                          ledger_mismatches=.." (see the function)
#
# KASSA_TILL_LOAD names the kassa-till-load binary (the CMake registration sets it).

: "${KASSA_TILL_LOAD:?KASSA_TILL_LOAD must name the kassa-till-load binary}"
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
OWN_PG_DIR=$tmp/pg
OWN_PG_PORT=
OWN_CONNINFO=
crash_pids=()

psql_q() {
	psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"
}

pg_ctl_own() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$OWN_PG_DIR/data" "$@")
	else
		(cd / && "$PG_BINDIR/pg_ctl" -D "$OWN_PG_DIR/data" "$@")
	fi
}

# On exit: every kassad we started, then our cluster (resumed first if a test stopped it).
crash_cleanup() {
	local p
	for p in "${crash_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "$OWN_PG_PORT" ] && [ -f "$OWN_PG_DIR/data/postmaster.pid" ]; then
		p=$(head -n 1 "$OWN_PG_DIR/data/postmaster.pid")
		pkill -CONT -P "$p" 2>/dev/null
		kill -CONT "$p" 2>/dev/null
		pg_ctl_own stop -m immediate >/dev/null 2>&1
	fi
	on_exit
}
trap crash_cleanup EXIT

own_cluster_up() {
	OWN_PG_PORT=$(free_port) || return 1
	KASSA_PG_SHARED_BUFFERS=32MB bash "$KASSA_ROOT/scripts/pg-cluster.sh" init "$OWN_PG_DIR" \
		"$OWN_PG_PORT" >/dev/null || return 1
	KASSA_PG_SHARED_BUFFERS=32MB bash "$KASSA_ROOT/scripts/pg-cluster.sh" start "$OWN_PG_DIR" \
		"$OWN_PG_PORT" >/dev/null || return 1
	OWN_CONNINFO="host=127.0.0.1 port=$OWN_PG_PORT dbname=kassa user=kassa"
	KASSA_DATABASE_CONNINFO=$OWN_CONNINFO "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" \
		>"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; return 1; }
	bash "$KASSA_ROOT/scripts/seed.sh" "$OWN_CONNINFO" "$KASSA_KASSAD" --members 20 \
		--products 20 >/dev/null
}

crash_kassad_start() {
	local name=$1 port=$2
	shift 2
	env KASSA_SERVER_LISTEN="127.0.0.1:$port" "$@" \
		"$KASSA_KASSAD" --config "$KASSA_CONFIG" </dev/null >>"$tmp/$name.log" 2>&1 &
	crash_pid=$!
	crash_pids+=("$crash_pid")
}

# crash_forget PID: PID was waited for; never signal it again (the number may be reused).
crash_forget() {
	local p keep=()
	for p in "${crash_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	crash_pids=("${keep[@]}")
}

wait_listening() {
	local i
	for i in $(seq 1 $(($2 * 50))); do
		ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.02
	done
	return 1
}

fresh_members() {
	local n=$1 conninfo=$2 ids
	ids=$(psql_q "$conninfo" "
		WITH m AS (INSERT INTO members (phone, card_no, name, points_balance)
			SELECT '+86135' || lpad((abs(hashtext(g::text || clock_timestamp()::text))
				% 100000000)::text, 8, '0'),
				'CR' || lpad((abs(hashtext(clock_timestamp()::text || g::text))
				% 100000000)::text, 8, '0') || g, 'Crash ' || g, 100000
			FROM generate_series(1, $n) g RETURNING member_id),
		l AS (INSERT INTO points_ledger (member_id, kind, points)
			SELECT member_id, 'adjust', 100000 FROM m),
		p AS (INSERT INTO points_lots (member_id, source, points, remaining, expires_on)
			SELECT member_id, 'adjust', 100000, 100000, current_date + 365 FROM m),
		w AS (INSERT INTO wallets (member_id, balance_minor)
			SELECT member_id, 1000000 FROM m),
		wl AS (INSERT INTO wallet_ledger (member_id, kind, amount_minor)
			SELECT member_id, 'topup', 1000000 FROM m)
		SELECT string_agg(member_id::text, ',' ORDER BY member_id) FROM m") || return 1
	echo "$ids"
}

# verify_load OUT CONNINFO MEMBERS SINCE: the load's record against the database.
#   acked: keys answered with a sale; retried_acked: those that took more than one attempt
#   (an attempt failed or went unanswered first); open: keys sent but never answered for good
#   nor given up; missing: acked keys without their idempotency row; wrong_txn: acked keys
#   whose row names another transaction than the till was told, or whose transaction does
#   not exist; duplicates: sales made since SINCE (an SQL timestamptz; the load's tills were
#   the only ones selling since) beyond the one each acked key names; refused_written:
#   refused keys with a row; ledger_mismatches: MEMBERS whose points balance <> its ledger
#   sum, whose open lots <> greatest(balance, 0), or whose wallet <> its ledger sum or < 0;
#   refusals: STATUS/DETAIL:COUNT of the refused keys, comma-separated; unexpected_refusals:
#   refused keys whose detail is not one the load provokes on purpose (it redeems more points
#   and spends more stored value than its members have: INSUFFICIENT_POINTS,
#   INSUFFICIENT_STORED_VALUE), such as an INTERNAL error.
verify_load() {
	local out=$1 conninfo=$2 members=$3 since=$4 dir=$tmp/verify.$RANDOM
	mkdir -p "$dir"
	awk '$1 == "sent" { print $2 }' "$out" | sort -u >"$dir/sent"
	awk '$1 == "ack" { print $2, $3, $4 }' "$out" | sort -u >"$dir/ack"
	awk '$1 == "refused" { print $2 }' "$out" | sort -u >"$dir/refused"
	awk '$1 == "refused" { print $3 }' "$out" | sort | uniq -c |
		awk '{ printf("%s%s:%s", (NR > 1 ? "," : ""), $2, $1) }' >"$dir/refusals"
	awk '$1 == "gaveup" { print $2 }' "$out" | sort -u >"$dir/gaveup"
	cut -d' ' -f1 "$dir/ack" | cat - "$dir/refused" "$dir/gaveup" | sort -u >"$dir/answered"
	chmod -R a+rX "$dir"
	# the load's keys as the database holds them: key, txn, whether that txn exists
	psql -X -q -At -v ON_ERROR_STOP=1 "$conninfo" -F' ' \
		-c "CREATE TEMP TABLE k (key text PRIMARY KEY)" \
		-c "\\copy k FROM '$dir/sent'" \
		-c "SELECT i.key, i.result_id, (SELECT count(*) FROM transactions t
			WHERE t.txn_id = i.result_id) FROM idempotency i JOIN k USING (key)
			WHERE i.kind = 'checkout' ORDER BY 1" >"$dir/db" || return 1
	local keys acked retried refused gaveup open missing wrong dups rw ledgers sales distinct
	local unexpected
	keys=$(wc -l <"$dir/sent")
	acked=$(wc -l <"$dir/ack")
	retried=$(awk '$3 > 1' "$dir/ack" | wc -l)
	refused=$(wc -l <"$dir/refused")
	gaveup=$(wc -l <"$dir/gaveup")
	open=$(comm -23 "$dir/sent" "$dir/answered" | wc -l)
	missing=$(join -v1 <(cut -d' ' -f1,2 "$dir/ack") "$dir/db" | wc -l)
	wrong=$(join <(cut -d' ' -f1,2 "$dir/ack") "$dir/db" | awk '$2 != $3 || $4 != 1' | wc -l)
	distinct=$(join <(cut -d' ' -f1 "$dir/ack") "$dir/db" | cut -d' ' -f2 | sort -u | wc -l)
	sales=$(psql_q "$conninfo" "SELECT count(*) FROM transactions
		WHERE created_at >= '$since'::timestamptz") || return 1
	dups=$((sales - distinct))
	rw=$(join "$dir/refused" "$dir/db" | wc -l)
	unexpected=$(awk '$1 == "refused" && $3 !~ /\/INSUFFICIENT_(POINTS|STORED_VALUE)$/' \
		"$out" | wc -l)
	ledgers=$(psql_q "$conninfo" "SELECT count(*) FROM members m
		LEFT JOIN wallets w USING (member_id)
		WHERE m.member_id IN ($members) AND (
		m.points_balance <> (SELECT coalesce(sum(points), 0) FROM points_ledger l
			WHERE l.member_id = m.member_id)
		OR greatest(m.points_balance, 0) <> (SELECT coalesce(sum(remaining), 0)
			FROM points_lots o WHERE o.member_id = m.member_id)
		OR coalesce(w.balance_minor, 0) <> (SELECT coalesce(sum(amount_minor), 0)
			FROM wallet_ledger x WHERE x.member_id = m.member_id)
		OR coalesce(w.balance_minor, 0) < 0)") || return 1
	echo "keys=$keys acked=$acked retried_acked=$retried refused=$refused gaveup=$gaveup" \
		"open=$open missing=$missing wrong_txn=$wrong duplicates=$dups" \
		"refused_written=$rw ledger_mismatches=$ledgers" \
		"refusals=$(cat "$dir/refusals") unexpected_refusals=$unexpected"
}

# field NAME LINE: the value of NAME=value in a line of such pairs.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
