#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-replica.sh: what a heavy report costs the checkout when reports read a streaming
# replica ([database] report_dsn). Not part of ctest: it prints timings.
#
#   scripts/bench-replica.sh [SECONDS]
#
# Builds its own environment in BENCH_ENV (scripts/test-env.sh up: a primary on loopback,
# seeded with MEMBERS members; then replica-up: a pg_basebackup -R standby on another
# port), starts a kassad with report_dsn pointing at the replica, makes PREFILL seconds of
# sales so that there is something to report on, then, counting with pg_stat_statements on
# each cluster (reset once the replica has caught up):
#   A  kassa-bench checkout throughput for SECONDS (default 15) with no report running;
#   B  the same while a heavy report load runs against the replica: HEAVY_CLIENTS pgbench
#      clients repeating a report over the raw sales tables (per store, day, category and
#      item, with distinct members: what the pre-aggregated tables spare the real
#      reports) on the replica, and REPORT_LOOPS loops of `kassa-office report
#      REPORT_NAME` through kassad (each run logs in: one argon2id PIN check on kassad);
# and prints both throughputs, the report work done during B, and per cluster the calls of
# the checkout, of kassad's head-office statements and of the heavy SQL. Everything runs
# on this one machine, so the two clusters share its CPU: the drop from A to B is what a
# replica on the same host costs; on two hosts only the replica pays (the counts show that
# no report statement reached the primary).
#
# Environment: KASSAD, KASSA_BENCH, KASSA_OFFICE (default: build/server/kassad,
#   build/client/kassa-bench, build/client/kassa-office), BENCH_ENV (default a new
#   directory under ${TMPDIR:-/tmp}; removed at the end unless KEEP_ENV=1), TILLS (8),
#   MEMBERS (10000), PREFILL (10), HEAVY_CLIENTS (2), REPORT_LOOPS (1),
#   REPORT_NAME (sales_daily), PG_BINDIR (for pgbench; as scripts/pg-cluster.sh finds it).
# Every step is bounded: fixed durations, and waits with deadlines.
set -euo pipefail

die() {
	echo "bench-replica: $*" >&2
	exit 1
}

[ $# -le 1 ] || { sed -n '7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SECS=${1:-15}
[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive number"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
KASSAD=${KASSAD:-$ROOT/build/server/kassad}
BENCH=${KASSA_BENCH:-$ROOT/build/client/kassa-bench}
OFFICE=${KASSA_OFFICE:-$(dirname "$BENCH")/kassa-office}
TILLS=${TILLS:-8}
MEMBERS=${MEMBERS:-10000}
PREFILL=${PREFILL:-10}
HEAVY_CLIENTS=${HEAVY_CLIENTS:-2}
REPORT_LOOPS=${REPORT_LOOPS:-1}
REPORT_NAME=${REPORT_NAME:-sales_daily}
for x in "$KASSAD" "$BENCH" "$OFFICE"; do
	[ -x "$x" ] || die "$x is not an executable (build first, or set KASSAD/KASSA_BENCH/KASSA_OFFICE)"
done
if [ -z "${PG_BINDIR:-}" ]; then
	PG_BINDIR=/usr/lib/postgresql/15/bin
	[ -x "$PG_BINDIR/pgbench" ] || PG_BINDIR=$(pg_config --bindir)
fi
[ -x "$PG_BINDIR/pgbench" ] || die "pgbench not found (set PG_BINDIR)"

ENVDIR=${BENCH_ENV:-$(mktemp -d "${TMPDIR:-/tmp}/kassa-bench-replica.XXXXXX")}
kassad_pid=
bg_pids=()
cleanup() {
	local p
	[ -n "${ENVDIR:-}" ] && touch "$ENVDIR/stop-reports" 2>/dev/null
	for p in "${bg_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	if [ -n "$kassad_pid" ]; then
		kill -TERM "$kassad_pid" 2>/dev/null || true
		wait "$kassad_pid" 2>/dev/null || true
	fi
	bash "$HERE/test-env.sh" down "$ENVDIR" >/dev/null 2>&1 || true
	if [ "${KEEP_ENV:-0}" != 1 ] && [ -z "${BENCH_ENV:-}" ]; then
		rm -rf "$ENVDIR"
	fi
}
trap cleanup EXIT

# wait_for SECONDS WHAT CMD...: poll CMD every 0.1 s until it succeeds, or die
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for i in $(seq 1 $((secs * 10))); do
		"$@" && return 0
		[ "$i" -lt $((secs * 10)) ] && sleep 0.1
	done
	die "gave up after ${secs}s waiting for $what"
}

echo "== environment in $ENVDIR: primary, $MEMBERS members, then a replica" >&2
KASSAD=$KASSAD KASSA_TEST_MEMBERS=$MEMBERS bash "$HERE/test-env.sh" up "$ENVDIR" >&2
bash "$HERE/test-env.sh" replica-up "$ENVDIR" >&2
# shellcheck disable=SC1091
. "$ENVDIR/env"

# q CLUSTER DB SQL: one query on primary|replica, database DB
q() {
	local port=$KASSA_PG_PORT
	[ "$1" = replica ] && port=$KASSA_REPLICA_PORT
	psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U kassa -d "$2" -c "$3"
}
q primary postgres "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
has_pgss() { [ "$(q replica postgres "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'" 2>/dev/null)" = 1 ]; }
wait_for 30 "pg_stat_statements on the replica" has_pgss

# a loopback port in 20000-32767 (below the ephemeral range) that nobody listens on
port=
for _ in $(seq 1 100); do
	p=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { port=$p; break; }
done
[ -n "$port" ] || die "no free port on 127.0.0.1"
KASSA_SERVER_LISTEN="127.0.0.1:$port" KASSA_DATABASE_REPORT_DSN="$KASSA_REPORT_DSN" \
	"$KASSAD" --config "$KASSA_CONFIG" >"$ENVDIR/kassad-report.log" 2>&1 &
kassad_pid=$!
ready() {
	kill -0 "$kassad_pid" 2>/dev/null || die "kassad exited (log: $ENVDIR/kassad-report.log)"
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
		grep -q "the report database is a replica" "$ENVDIR/kassad-report.log"
}
wait_for 30 "kassad with report_dsn on 127.0.0.1:$port" ready

export KASSA_HOST=127.0.0.1 KASSA_PORT=$port KASSA_CA=$KASSA_CERTS/ca.crt \
	KASSA_CERT=$KASSA_CERTS/BENCH-1.crt KASSA_KEY=$KASSA_CERTS/BENCH-1.key
bench() {
	"$BENCH" --tills "$TILLS" --duration "$1" --products 100 --members "$MEMBERS" \
		--lines 3 --staff 1901 --pin 1234 --json || [ $? -eq 1 ]
}
office_report() {
	"$OFFICE" --host 127.0.0.1 --port "$port" --cert "$KASSA_CERTS/HQ-OFFICE-1.crt" \
		--key "$KASSA_CERTS/HQ-OFFICE-1.key" --ca "$KASSA_CERTS/ca.crt" \
		--server-name localhost --staff 3001 --pin 3333 --format json report "$REPORT_NAME"
}
reports_work=1
office_report >"$ENVDIR/report-probe.out" 2>&1 || reports_work=0

echo "== prefill: $PREFILL s of sales (not counted)" >&2
bench "$PREFILL" >/dev/null
lsn=$(q primary kassa "SELECT pg_current_wal_lsn()")
caught() { [ "$(q replica kassa "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ]; }
wait_for 60 "the replica to replay the prefill" caught
q primary kassa "ANALYZE transactions; ANALYZE transaction_lines" >/dev/null
q primary postgres "SELECT pg_stat_statements_reset()" >/dev/null
q replica postgres "SELECT pg_stat_statements_reset()" >/dev/null
sales=$(q replica kassa "SELECT count(*) FROM transactions")

# the heavy report: every sale and line, per store, day, category and item
cat >"$ENVDIR/heavy.sql" <<'SQL'
SELECT t.store_id, date_trunc('day', t.created_at) AS day, p.category, l.sku,
       sum(l.quantity) AS qty, sum(l.line_total_minor) AS net_minor,
       count(DISTINCT t.member_id) AS members
FROM transactions t JOIN transaction_lines l USING (txn_id) JOIN products p USING (product_id)
GROUP BY 1, 2, 3, 4 ORDER BY net_minor DESC LIMIT 50;
SQL

json_num() { sed -n "s/.*\"$1\":\\([0-9.eE+-]*\\).*/\\1/p" <<<"$2"; }
load_a=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

echo "== A: checkout for $SECS s, no report" >&2
a=$(bench "$SECS")
echo "$a" >&2

echo "== B: checkout for $SECS s while reports run on the replica" >&2
rm -f "$ENVDIR/stop-reports"
"$PG_BINDIR/pgbench" -n -h 127.0.0.1 -p "$KASSA_REPLICA_PORT" -U kassa -c "$HEAVY_CLIENTS" \
	-j "$HEAVY_CLIENTS" -T $((SECS + 4)) -f "$ENVDIR/heavy.sql" kassa >"$ENVDIR/heavy.out" 2>&1 &
bg_pids+=($!)
pgb_pid=$!
if [ "$reports_work" = 1 ]; then
	for i in $(seq 1 "$REPORT_LOOPS"); do
		(
			n=0 bad=0
			while [ ! -f "$ENVDIR/stop-reports" ]; do
				if office_report >/dev/null 2>&1; then n=$((n + 1)); else bad=$((bad + 1)); fi
			done
			echo "$n $bad" >"$ENVDIR/reports.$i"
		) &
		bg_pids+=($!)
	done
fi
b=$(bench "$SECS")
echo "$b" >&2
touch "$ENVDIR/stop-reports"
wait "$pgb_pid" || true
for p in "${bg_pids[@]}"; do
	wait "$p" 2>/dev/null || true
done
bg_pids=()
heavy_runs=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$ENVDIR/heavy.out")
heavy_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$ENVDIR/heavy.out" | head -n 1)
heavy_tps=$(printf '%.1f' "${heavy_tps:-0}")
load_b=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
office_n=0 office_bad=0
for f in "$ENVDIR"/reports.*; do
	[ -f "$f" ] || continue
	read -r n bad <"$f"
	office_n=$((office_n + n))
	office_bad=$((office_bad + bad))
done

# calls CLUSTER REGEX: calls of the kassa database's statements whose text matches
calls() {
	q "$1" postgres "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s
		JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'kassa' AND s.query ~ '$2'"
}
REPORT_RE='kassa_(report_|member_find|member_count|member_360|member_export_rows|segment_get|segment_list|export_(horizon|sales|lines)|dashboard_json)'
CHECKOUT_RE='^SELECT \* FROM kassa_checkout\('
HEAVY_RE='count\(DISTINCT t.member_id\)'

echo
echo "bench-replica: $TILLS tills, 3 lines, 70% members of $MEMBERS; $sales sales in the database"
echo "before A; the heavy report: $HEAVY_CLIENTS pgbench clients on the replica over the raw"
echo "sales tables; $REPORT_LOOPS kassa-office loop(s) of 'report $REPORT_NAME' through kassad"
echo "(load average before A: $load_a; after B: $load_b)"
[ "$reports_work" = 1 ] ||
	echo "(kassa-office report $REPORT_NAME did not work in this build: $(head -c 160 "$ENVDIR/report-probe.out" | tr '\n' ' '))"
printf '%-34s | %10s %8s %8s %7s\n' run "ck/s" "p50 ms" "p99 ms" failed
printf -- '-----------------------------------+------------------------------------\n'
printf '%-34s | %10.1f %8.2f %8.2f %7d\n' "A  no report" "$(json_num throughput "$a")" \
	"$(json_num p50_ms "$a")" "$(json_num p99_ms "$a")" "$(json_num failed "$a")"
printf '%-34s | %10.1f %8.2f %8.2f %7d\n' "B  heavy report on the replica" \
	"$(json_num throughput "$b")" "$(json_num p50_ms "$b")" "$(json_num p99_ms "$b")" \
	"$(json_num failed "$b")"
awk -v a="$(json_num throughput "$a")" -v b="$(json_num throughput "$b")" \
	'BEGIN { if (a > 0) printf "B / A = %.2f\n", b / a }'
echo "report work during B: heavy SQL ${heavy_runs:-0} runs (${heavy_tps:-0}/s);" \
	"kassa-office reports $office_n answered, $office_bad failed"
echo
echo "pg_stat_statements since the reset (kassa database), calls:"
printf '%-10s | %10s %18s %12s\n' cluster checkouts "kassad head-office" "heavy SQL"
for c in primary replica; do
	printf '%-10s | %10s %18s %12s\n' "$c" "$(calls "$c" "$CHECKOUT_RE")" \
		"$(calls "$c" "$REPORT_RE")" "$(calls "$c" "$HEAVY_RE")"
done
echo
echo "On one 2-core machine both clusters share the CPU; on two hosts only the replica pays."
