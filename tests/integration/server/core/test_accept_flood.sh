#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_accept_flood: a flood of plain TCP connections must neither spin
# kassad nor lock tills out. First kassad raises a low soft descriptor limit
# to the hard limit at start. Then a kassad whose hard limit is only 128
# (so max_sessions must be lowered below it) is flooded with 1000 idle TCP
# connections by kassa-flood: kassad's CPU over 3 s of flooding stays far
# below a core, the connections over max_sessions are closed at once, the
# log holds only a few lines about it, and a till is served afterwards.
# Without the fixes accept() fails with EMFILE on a listener that stays
# armed, and kassad spins a core writing "could not accept" lines.
# Runs its own kassad on a free port. Needs KASSA_TEST_ENV, KASSA_TILL and
# KASSA_FLOOD (the kassa-flood binary).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
FLOOD=${KASSA_FLOOD:?KASSA_FLOOD must name the kassa-flood binary}
C=$KASSA_CERTS
FLOOD_COUNT=1000
FLOOD_SECONDS=6

port=$(free_port) || { echo "no free port"; exit 1; }
served() {	# served: a till logs in and looks a product up (both answers ok)
	local out
	out=$(printf 'login 1001 1234\nproduct SKU-TEA\n' | "$TILL" --host 127.0.0.1 --port "$port" \
		--cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
		--server-name localhost --timeout 5000 --script 2>/dev/null)
	[ "$(echo "$out" | grep -c '"ok":true')" = 2 ]
}
served_within() {	# served_within TENTHS: bounded retry of served
	for _ in $(seq 1 "$1"); do
		served && return 0
		sleep 0.1
	done
	return 1
}
# start_limited SOFT HARD: kassad under `ulimit -S -n SOFT -H -n HARD`, log $tmp/kassad.log
start_limited() {
	(
		ulimit -S -n "$1" && ulimit -H -n "$2" || exit 99
		exec env KASSA_SERVER_LISTEN="127.0.0.1:$port" "$KASSA_KASSAD" --config "$KASSA_CONFIG"
	) >"$tmp/kassad.log" 2>&1 &
	kassad_pid=$!
}
cpu_ticks() {	# cpu_ticks PID: utime + stime of PID, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# ---- 1. a low soft limit is raised to the hard limit at start
hard=$(ulimit -H -n)
start_limited 128 "$hard"
served_within 100
check "served with a soft limit of 128 raised" $?
soft_now=$(awk '/^Max open files/ { print $4 }' "/proc/$kassad_pid/limits")
check "kassad raised its soft limit to the hard limit ($hard)" $([ "$soft_now" = "$hard" ]; echo $?)
check "and said so" $(grep -q "raised the open file limit from 128 to $hard" "$tmp/kassad.log"; echo $?)
stop_kassad
check "SIGTERM: exit 0" $?

# ---- 2. hard limit 128: max_sessions lowered, a flood neither spins nor locks out
start_limited 128 128
served_within 100
check "served under a hard limit of 128" $?
lowered=$(sed -n 's/.*max_sessions lowered from [0-9]* to \([0-9]*\).*/\1/p' "$tmp/kassad.log")
check "max_sessions lowered below the limit, with one warning" $([ -n "$lowered" ] &&
	[ "$lowered" -lt 128 ] && [ "$(grep -c 'max_sessions lowered' "$tmp/kassad.log")" = 1 ]
	echo $?)

"$FLOOD" "$port" "$FLOOD_COUNT" "$FLOOD_SECONDS" >"$tmp/flood.out" 2>&1 &
flood_pid=$!
for _ in $(seq 1 50); do	# bounded: until every connect has been issued
	grep -q '^holding' "$tmp/flood.out" && break
	sleep 0.1
done
check "the flood is on" $(grep -q '^holding' "$tmp/flood.out"; echo $?)
hz=$(getconf CLK_TCK)
t0=$(cpu_ticks "$kassad_pid")
sleep 3	# the measuring window, not a wait for a condition
t1=$(cpu_ticks "$kassad_pid")
pct=$(( (t1 - t0) * 100 / (hz * 3) ))
echo "# kassad used ${pct}% of a core during 3 s of flooding"
check "kassad stays under 20% of a core while flooded (${pct}%)" $([ "$pct" -lt 20 ]; echo $?)
wait "$flood_pid"
result=$(tail -n 1 "$tmp/flood.out")
echo "# flood: $result"
closed=$(echo "$result" | sed -n 's/.*closed_by_server=\([0-9]*\).*/\1/p')
opened=$(echo "$result" | sed -n 's/.*opened=\([0-9]*\).*/\1/p')
check "connections over max_sessions were closed at once ($closed of $opened)" $(
	[ -n "$closed" ] && [ -n "$lowered" ] &&
	[ "$closed" -ge $((${opened:-0} - lowered - 5)) ]; echo $?)
accepts=$(grep -c 'accept' "$tmp/kassad.log")
refusals=$(grep -c 'refusing connection' "$tmp/kassad.log")
echo "# log: $accepts lines about accept, $refusals about refusals, $(wc -l <"$tmp/kassad.log") in all"
check "few log lines about accept() ($accepts)" $([ "$accepts" -le 20 ]; echo $?)
check "refusals logged at most about once a second ($refusals)" $([ "$refusals" -le $((FLOOD_SECONDS + 3)) ]; echo $?)
served_within 50
check "a till is served after the flood" $?
stop_kassad
rc=$?
check "SIGTERM: exit 0" $([ $rc = 0 ]; echo $?)
[ "$fail" = 0 ] || { grep -v 'closed: client disconnected' "$tmp/kassad.log" | tail -20 | sed 's/^/# /'; }

summary
