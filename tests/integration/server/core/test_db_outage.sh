#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_db_outage.sh: PostgreSQL stopped, restarted and hung under checkout load from
# retrying tills (kassa-till-load --attempts: every attempt with its start and end), on a
# cluster of the test's own with a kassad of its own (default pool of 16). Each phase:
#   stopped   pg_ctl stop -m fast for 3 s, then start
#   restarted scripts/pg-cluster.sh restart
#   hung      SIGSTOP of the postmaster and of every process of the cluster for 3 s (what
#             a frozen machine or a stopped container looks like: the kernel still accepts
#             and acknowledges every byte, nothing answers), then SIGCONT
#   postmaster SIGSTOP of the postmaster alone for 3 s: the backends kassad already holds
#             go on serving (only new connections would wait), so sales must go on
# asserts, for every checkout attempt in progress at any moment of the outage, that the
# till had its answer within 2 s of the outage starting or of the attempt being sent
# (whichever came later): an UNAVAILABLE the till retries with the same key, never a wait
# for the 5 s query timeout; that some were UNAVAILABLE (sales during "postmaster": OK);
# that /readyz (kassad's [admin] metrics_listen) answers 503 while stopped or hung, 200
# with the postmaster alone stopped, and 200 after every phase (skipped, said so, while
# kassad has no metrics port); and that sales succeed again
# within 15 s of the database being back, without restarting kassad. At the end, as in the
# crash loop: every acknowledged sale exactly once, no duplicate, every ledger balanced.
# Prints per phase: outage_<phase>: attempts=.. unavailable=.. ok=.. max_ms=.. recovered_ms=..
# KASSA_OUTAGE_PHASES (default "stopped restarted hung postmaster") runs only those phases.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib_crash.sh"

BOUND_MS=2000
OUTAGE_S=3

own_cluster_up
check "a PostgreSQL cluster of the test's own, migrated and seeded" $?
[ -n "$OWN_CONNINFO" ] || summary
members=$(fresh_members 6 "$OWN_CONNINFO")
since=$(psql_q "$OWN_CONNINFO" "SELECT now()")
port=$(free_port)
mport=$(free_port)
load_out=$tmp/load.out
crash_kassad_start kassad "$port" KASSA_DATABASE_CONNINFO="$OWN_CONNINFO" \
	KASSA_LOYALTY_JOBS_INTERVAL=0 KASSA_ADMIN_METRICS_LISTEN="127.0.0.1:$mport"
kpid=$crash_pid
wait_listening "$port" 20
check "kassad listens" $?
metrics=0
if wait_listening "$mport" 3; then
	metrics=1
else
	echo "[ SKIP ] /readyz: kassad does not listen on [admin] metrics_listen (not built yet)"
fi

"$KASSA_TILL_LOAD" --port "$port" --certs "$KASSA_CERTS" --till S001-T1,S001-T2 --tills 12 \
	--members "$members" --out "$load_out" --stop-file "$tmp/load.stop" --attempts \
	--key-deadline 120 --io-timeout-ms 15000 >"$tmp/load.log" 2>&1 &
load_pid=$!

now_ms() { date +%s%3N; }
readyz() { curl -s -o /dev/null -w '%{http_code}' -m 1 "http://127.0.0.1:$mport/readyz"; }

# acks_since MS: sales acknowledged to attempts sent at or after MS (wall-clock ms)
acks_since() {
	awk -v t="$1" '$1 == "attempt" && $3 >= t && $5 == "OK"' "$load_out" | wc -l
}

# wait_sales SINCE SECONDS: poll until a sale sent after SINCE is acknowledged
wait_sales() {
	local i
	for i in $(seq 1 $(($2 * 20))); do
		[ "$(acks_since "$1")" -gt 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_ready CODE SECONDS: poll /readyz until it answers CODE
wait_ready() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(readyz)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# window T0 T1: the attempts in progress at some moment of [T0, T1), and the longest wait
# from max(sent, T0) to the answer
window() {
	awk -v t0="$1" -v t1="$2" '$1 == "attempt" && $3 < t1 && $4 > t0 {
		s = $3 > t0 ? $3 : t0; l = $4 - s; if (l > max) max = l; n++
		if ($5 ~ /^UNAVAILABLE/) u++; else if ($5 == "OK") ok++; else other++
	} END { printf "attempts=%d unavailable=%d ok=%d other=%d max_ms=%d\n", n, u, ok, other, max }' \
		"$load_out"
}

t=$(now_ms)
wait_sales "$t" 20
check "sales go through before the outages" $?
[ "$metrics" = 1 ] && { wait_ready 200 5; check "/readyz answers 200 while the database is up" $?; }

pm() { head -n 1 "$OWN_PG_DIR/data/postmaster.pid"; }

# phase NAME: run the outage NAME (outage_start / outage_end below), then check it
phase() {
	local name=$1 t0 t1 back res max u ok
	t0=$(now_ms)
	outage_start "$name"
	# (restarted: the database is back before the restart returns; nothing to poll then)
	if [ "$metrics" = 1 ] && { [ "$name" = stopped ] || [ "$name" = hung ]; }; then
		wait_ready 503 "$OUTAGE_S"
		check "$name: /readyz answers 503 during the outage" $?
	fi
	while [ $(($(now_ms) - t0)) -lt $((OUTAGE_S * 1000)) ]; do sleep 0.1; done
	if [ "$metrics" = 1 ] && [ "$name" = postmaster ]; then
		[ "$(readyz)" = 200 ]
		check "$name: /readyz still answers 200 (the backends serve)" $?
	fi
	t1=$(now_ms)
	outage_end "$name"
	back=$(now_ms)
	wait_sales "$back" 15
	check "$name: sales succeed again within 15 s, kassad not restarted" $?
	res="$(window "$t0" "$t1") recovered_ms=$(($(now_ms) - back))"
	echo "outage_$name: $res"
	max=$(field max_ms "$res")
	u=$(field unavailable "$res")
	ok=$(field ok "$res")
	check "$name: every checkout in progress was answered within $BOUND_MS ms (longest $max ms)" \
		"$([ "${max:-99999}" -le "$BOUND_MS" ]; echo $?)"
	[ "${max:-99999}" -le "$BOUND_MS" ] || awk -v t0="$t0" -v t1="$t1" -v b="$BOUND_MS" \
		'$1 == "attempt" && $3 < t1 && $4 > t0 && $4 - ($3 > t0 ? $3 : t0) > b {
			print "# slow: sent " $3 - t0 " ms, answered " $4 - t0 " ms after the outage" \
				" began (" t1 - t0 " ms long): " $5 }' "$load_out"
	if [ "$name" = postmaster ]; then
		check "$name: sales went on meanwhile ($ok acknowledged)" "$([ "${ok:-0}" -gt 0 ]; echo $?)"
	else
		check "$name: checkouts were answered UNAVAILABLE ($u)" "$([ "${u:-0}" -gt 0 ]; echo $?)"
	fi
	if [ "$metrics" = 1 ]; then
		wait_ready 200 15
		check "$name: /readyz answers 200 again" $?
	fi
	kill -0 "$kpid" 2>/dev/null
	check "$name: the same kassad still runs" $?
}

outage_start() {
	case "$1" in
	stopped) pg_ctl_own stop -m fast -w >/dev/null ;;
	restarted) bash "$KASSA_ROOT/scripts/pg-cluster.sh" restart "$OWN_PG_DIR" "$OWN_PG_PORT" \
		>/dev/null ;;
	hung)	# the postmaster first, so that it starts nothing new; then everything it started
		kill -STOP "$(pm)"
		pkill -STOP -P "$(pm)" ;;
	postmaster) kill -STOP "$(pm)" ;;
	esac
}

outage_end() {
	case "$1" in
	stopped) bash "$KASSA_ROOT/scripts/pg-cluster.sh" start "$OWN_PG_DIR" "$OWN_PG_PORT" \
		>/dev/null ;;
	restarted) ;;
	hung)	pkill -CONT -P "$(pm)"
		kill -CONT "$(pm)" ;;
	postmaster) kill -CONT "$(pm)" ;;
	esac
}

for p in ${KASSA_OUTAGE_PHASES:-stopped restarted hung postmaster}; do
	phase "$p"
done

: >"$tmp/load.stop"
for _ in $(seq 1 1200); do
	kill -0 "$load_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$load_pid" 2>/dev/null && kill -KILL "$load_pid"
wait "$load_pid"
check "kassa-till-load ended with every key answered (exit $?)" $?
tail -n 1 "$tmp/load.log"
kill -TERM "$kpid"
wait "$kpid"
check "kassad shut down cleanly (exit 0 on SIGTERM)" $?
crash_forget "$kpid"
res=$(verify_load "$load_out" "$OWN_CONNINFO" "$members" "$since")
echo "db_outage: $res"
for f in open gaveup missing wrong_txn duplicates refused_written ledger_mismatches \
	unexpected_refusals; do
	v=$(field "$f" "$res")
	check "$f = 0 (got ${v:-none})" "$([ "$v" = 0 ]; echo $?)"
done
if [ "$fail" != 0 ]; then
	grep -v 'INFO session' "$tmp/kassad.log" | tail -n 40 | sed 's/^/# /'
fi
summary
