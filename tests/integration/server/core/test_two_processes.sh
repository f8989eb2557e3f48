#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_two_processes.sh: two kassad processes on one port ([server] reuse_port = 1, so
# the kernel spreads connections over both) against the fixture's one PostgreSQL. While
# both serve, the loyalty race tests run against that port, unchanged (their binaries,
# with an environment file that names the shared port): many tills spending the same
# points (itest_loyalty race_points), the same coupon (race_coupon), one key sent by many
# tills at once and one member from many tills (itest_exactly_once), refunds of one sale at
# once (itest_refunds race), one claim code twice (itest_till_checkout claim_code_race), and
# 10 s of checkouts with points, coupons and stored value, refunds, top-ups and expiry on
# a few members (itest_interleave). Each must pass, and each process's log must show
# tills served by it. Then retrying tills (kassa-till-load) sell through the port, one
# process is killed with SIGKILL mid-run, and the other serves on: every sale a till was
# told is recorded exists exactly once, nothing beyond, every ledger balances, every key
# is answered, and the survivor shuts down cleanly.
#
# KASSA_ITEST_DIR: the build folder holding the itest_* binaries (the registration sets it).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib_crash.sh"

: "${KASSA_ITEST_DIR:?KASSA_ITEST_DIR must name the folder of the itest binaries}"
port=$(free_port)

# served NAME: how many tills said Hello to kassad NAME (hello.c logs one line each)
served() {
	grep -c ' of store ' "$tmp/$1.log"
}

# wait_log NAME TEXT SECONDS
wait_log() {
	local i
	for i in $(seq 1 $(($3 * 20))); do
		grep -qF "$2" "$tmp/$1.log" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

crash_kassad_start a "$port" KASSA_SERVER_REUSE_PORT=1
pid_a=$crash_pid
crash_kassad_start b "$port" KASSA_SERVER_REUSE_PORT=1
pid_b=$crash_pid
wait_log a "listening on 127.0.0.1:$port (reuse_port)" 20 &&
	wait_log b "listening on 127.0.0.1:$port (reuse_port)" 20
check "two kassad processes listen on 127.0.0.1:$port (reuse_port)" $?
n=$(ss -Htln "sport = :$port" | wc -l)
check "the kernel holds two listening sockets on the port ($n)" "$([ "$n" = 2 ]; echo $?)"

mkdir -p "$tmp/env2"
sed "s/^KASSA_PORT=.*/KASSA_PORT='$port'/" "$KASSA_TEST_ENV/env" >"$tmp/env2/env"

# race NAME BINARY [TESTS...]: one race test program against the shared port
race() {
	local name=$1 bin=$2 rc
	shift 2
	KASSA_TEST_ENV=$tmp/env2 KASSA_INTERLEAVE_SECONDS=10 "$KASSA_ITEST_DIR/$bin" "$@" \
		>"$tmp/$name.out" 2>&1
	rc=$?
	check "$name passes against two processes ($(tail -n 1 "$tmp/$name.out"))" $rc
	[ "$rc" = 0 ] || tail -n 20 "$tmp/$name.out" | sed 's/^/# /'
}
race loyalty_races itest_loyalty race_points race_coupon
race exactly_once_races itest_exactly_once duplicates_at_once one_member_many_tills
race refund_race itest_refunds race
race claim_code_race itest_till_checkout claim_code_race
race interleave itest_interleave
sa=$(served a)
sb=$(served b)
echo "tills served while both ran: a=$sa b=$sb"
check "both processes served tills (a $sa, b $sb)" "$([ "$sa" -gt 0 ] && [ "$sb" -gt 0 ]; echo $?)"

# one of them dies under load from retrying tills
members=$(fresh_members 6 "$KASSA_CONNINFO")
since=$(psql_q "$KASSA_CONNINFO" "SELECT now()")
load_out=$tmp/load.out
"$KASSA_TILL_LOAD" --port "$port" --certs "$KASSA_CERTS" --till S001-T1,S001-T2 --tills 8 \
	--members "$members" --out "$load_out" --stop-file "$tmp/load.stop" \
	--key-deadline 120 >"$tmp/load.log" 2>&1 &
load_pid=$!
acks() {
	[ -f "$load_out" ] || { echo 0; return; }
	awk '$1 == "ack" { n++ } END { print n + 0 }' "$load_out"
}
for _ in $(seq 1 400); do
	[ "$(acks)" -ge 200 ] && break
	sleep 0.05
done
before=$(acks)
load_a=$(( $(served a) - sa ))
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null
crash_forget "$pid_a"
check "kassad a killed with SIGKILL mid-run ($before sales acknowledged, $load_a of the 8 tills on a)" \
	"$([ "$before" -ge 200 ]; echo $?)"
for _ in $(seq 1 400); do
	[ "$(acks)" -ge $((before + 200)) ] && break
	sleep 0.05
done
after=$(acks)
check "kassad b sells on for all tills ($((after - before)) more sales)" \
	"$([ "$after" -ge $((before + 200)) ]; echo $?)"
: >"$tmp/load.stop"
for _ in $(seq 1 1200); do
	kill -0 "$load_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$load_pid" 2>/dev/null && kill -KILL "$load_pid"
wait "$load_pid"
check "kassa-till-load ended with every key answered (exit $?)" $?
tail -n 1 "$tmp/load.log"
kill -TERM "$pid_b"
wait "$pid_b"
check "kassad b shut down cleanly (exit 0 on SIGTERM)" $?
crash_forget "$pid_b"

res=$(verify_load "$load_out" "$KASSA_CONNINFO" "$members" "$since")
echo "two_processes: tills_a=$sa tills_b=$sb killed_with=$load_a $res"
for f in open gaveup missing wrong_txn duplicates refused_written ledger_mismatches \
	unexpected_refusals; do
	v=$(field "$f" "$res")
	check "$f = 0 (got ${v:-none})" "$([ "$v" = 0 ]; echo $?)"
done
if [ "$load_a" -gt 0 ]; then
	v=$(field retried_acked "$res")
	check "sales of the tills on a were retried on b and acknowledged ($v)" \
		"$([ "${v:-0}" -gt 0 ]; echo $?)"
fi
if [ "$fail" != 0 ]; then
	tail -n 20 "$tmp/a.log" | sed 's/^/# a: /'
	tail -n 20 "$tmp/b.log" | sed 's/^/# b: /'
fi
summary
