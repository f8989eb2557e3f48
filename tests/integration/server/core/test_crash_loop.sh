#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_crash_loop.sh: kassad killed with SIGKILL at random moments, over and over, under
# checkout load from tills that retry (kassa-till-load: every sale a fresh idempotency key,
# resent with the same key after any failure until it is answered), with PostgreSQL stopped
# -m immediate (a crash: no shutdown checkpoint, in-flight transactions lost) under the
# same load every KASSA_CRASH_PG_EVERY-th iteration. KASSA_CRASH_ITERATIONS (default 200)
# iterations, each: start kassad on the same port, wait (bounded) until it listens, let
# the load run 0.2-1.0 s, kill -9. Then one kassad stays up until every till's last key
# is answered, and the test asserts what an operator must be able to rely on:
#   - every checkout a till was told is recorded exists exactly once, as the transaction
#     it was told (idempotency row -> that txn_id), including those that had to be retried
#     after an attempt that went unanswered;
#   - no sale exists beyond those (no duplicate from a retry), a refused key wrote nothing
#     (once the members' points run low, redemptions are refused INSUFFICIENT_POINTS);
#   - every till's last key was answered (nothing given up);
#   - every member's points balance equals its ledger, its open lots the positive balance,
#     its wallet its ledger (and is never negative);
#   - the last kassad shuts down cleanly (exit 0 on SIGTERM).
# It runs on a PostgreSQL cluster of its own (it stops it -m immediate), with kassad on
# the fixture's configuration otherwise. Prints the counts on one line (crash_loop: ...).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib_crash.sh"

ITER=${KASSA_CRASH_ITERATIONS:-200}
PG_EVERY=${KASSA_CRASH_PG_EVERY:-10}
TILLS=${KASSA_CRASH_TILLS:-8}

own_cluster_up
check "a PostgreSQL cluster of the test's own, migrated and seeded" $?
[ -n "$OWN_CONNINFO" ] || summary
members=$(fresh_members 6 "$OWN_CONNINFO")
check "six members with points and stored value" $?
since=$(psql_q "$OWN_CONNINFO" "SELECT now()")
port=$(free_port)
load_out=$tmp/load.out
stop_file=$tmp/load.stop

# the tills run across every iteration; a key may span several kassad lives
"$KASSA_TILL_LOAD" --port "$port" --certs "$KASSA_CERTS" --till S001-T1,S001-T2 \
	--tills "$TILLS" --members "$members" --out "$load_out" --stop-file "$stop_file" \
	--key-deadline 300 --io-timeout-ms 5000 >"$tmp/load.log" 2>&1 &
load_pid=$!

kassad_env=(KASSA_DATABASE_CONNINFO="$OWN_CONNINFO" KASSA_LOYALTY_JOBS_INTERVAL=0)
kills=0 pg_stops=0 not_listening=0 start_ms=$(date +%s%3N)
for i in $(seq 1 "$ITER"); do
	crash_kassad_start kassad "$port" "${kassad_env[@]}"
	if ! wait_listening "$port" 20; then
		not_listening=$((not_listening + 1))
		echo "# iteration $i: kassad did not listen within 20 s; the loop stops"
		tail -n 5 "$tmp/kassad.log" | sed 's/^/# /'
		kill -KILL "$crash_pid" 2>/dev/null
		wait "$crash_pid" 2>/dev/null
		crash_forget "$crash_pid"
		break
	fi
	# the load runs for 0.2 .. 1.0 s: kill -9 falls at a random moment of it
	ms=$((200 + RANDOM % 801))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	if [ $((i % PG_EVERY)) = 0 ]; then
		# PostgreSQL crashes under the running kassad and load, then kassad is killed too
		pg_ctl_own stop -m immediate >/dev/null 2>&1 && pg_stops=$((pg_stops + 1))
		sleep "0.$((1 + RANDOM % 5))"	# 0.1 .. 0.5 s of kassad without its database
	fi
	kill -KILL "$crash_pid" 2>/dev/null && kills=$((kills + 1))
	wait "$crash_pid" 2>/dev/null
	crash_forget "$crash_pid"
	if [ $((i % PG_EVERY)) = 0 ]; then
		bash "$KASSA_ROOT/scripts/pg-cluster.sh" start "$OWN_PG_DIR" "$OWN_PG_PORT" >/dev/null ||
			echo "# iteration $i: PostgreSQL did not start again"
	fi
	kill -0 "$load_pid" 2>/dev/null || { echo "# the load ended early"; break; }
done
loop_s=$(( ($(date +%s%3N) - start_ms) / 1000 ))
check "kassad listened within 20 s in every iteration ($not_listening did not)" \
	"$([ "$not_listening" = 0 ]; echo $?)"
check "$kills kills with SIGKILL of $ITER, $pg_stops PostgreSQL immediate stops of $((ITER / PG_EVERY))" \
	"$([ "$kills" = "$ITER" ] && [ "$pg_stops" = $((ITER / PG_EVERY)) ]; echo $?)"

# one kassad stays: every till finishes the key it holds, then the load ends (bounded)
crash_kassad_start kassad "$port" "${kassad_env[@]}"
wait_listening "$port" 20
: >"$stop_file"
for _ in $(seq 1 1200); do
	kill -0 "$load_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$load_pid" 2>/dev/null; then
	kill -KILL "$load_pid"
	check "the tills answered their last keys within 120 s of the last kill" 1
fi
wait "$load_pid"
load_rc=$?
check "kassa-till-load ended with every key answered (exit $load_rc)" "$load_rc"
tail -n 1 "$tmp/load.log"
kill -TERM "$crash_pid"
wait "$crash_pid"
check "the last kassad shut down cleanly (exit 0 on SIGTERM)" $?
crash_forget "$crash_pid"

res=$(verify_load "$load_out" "$OWN_CONNINFO" "$members" "$since")
check "the load's record checked against the database: $res" $?
echo "crash_loop: iterations=$ITER kills=$kills pg_immediate_stops=$pg_stops seconds=$loop_s $res"
v=$(field acked "$res")
check "checkouts were acknowledged (acked=$v)" "$([ "${v:-0}" -gt 0 ]; echo $?)"
v=$(field retried_acked "$res")
check "some acknowledged checkouts had an attempt go unanswered first (retried_acked=$v)" \
	"$([ "${v:-0}" -gt 0 ]; echo $?)"
for f in open gaveup missing wrong_txn duplicates refused_written ledger_mismatches \
	unexpected_refusals; do
	v=$(field "$f" "$res")
	check "$f = 0 (got ${v:-none})" "$([ "$v" = 0 ]; echo $?)"
done
if [ "$fail" != 0 ]; then
	echo "# last lines of the kassad logs:"
	tail -n 30 "$tmp/kassad.log" | sed 's/^/# /'
	tail -n 5 "$tmp/load.log" | sed 's/^/# /'
fi
summary
