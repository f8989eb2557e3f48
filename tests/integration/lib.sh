# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# lib.sh: what the shell integration tests share. Source it after setting
# nothing; it loads the test environment (KASSA_TEST_ENV/env), makes a
# temporary directory $tmp removed on exit (with any kassad started through
# start_kassad), and gives check/summary and a free loopback port.

set -uo pipefail

# shellcheck disable=SC1091
. "${KASSA_TEST_ENV:?KASSA_TEST_ENV must name the test environment}/env"
pass=0
fail=0
tmp=$(mktemp -d)
kassad_pid=

# keep_kassad_logs: copy every kassad*.log under $tmp to $KASSA_TEST_ENV/kassad-logs/, where
# the suite's last test (server/test_log_privacy.sh) looks for personal data in them.
keep_kassad_logs() {
	local f n=0
	while IFS= read -r f; do
		n=$((n + 1))
		mkdir -p "$KASSA_TEST_ENV/kassad-logs" &&
			cp "$f" "$KASSA_TEST_ENV/kassad-logs/$(basename "$0" .sh).$$.$RANDOM.$n.log"
	done < <(find "$tmp" -name 'kassad*.log' -type f -size +0 2>/dev/null)
}

on_exit() {
	[ -n "$kassad_pid" ] && kill "$kassad_pid" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	keep_kassad_logs
	rm -rf "$tmp"
}
trap on_exit EXIT

# check NAME STATUS: record a check that passed when STATUS is 0.
check() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
		echo "[   OK ] $1"
	else
		fail=$((fail + 1))
		echo "[ FAIL ] $1"
	fi
}

# summary: print the closing line and exit 0 only if every check passed.
summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

# free_port: print a loopback port nobody listens on (or fail), in 20000-32767:
# below the kernel's ephemeral range, so that no outgoing connection (kassad's
# to PostgreSQL, a till's) can hold it as its source port when kassad binds it.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# start_kassad PORT [VAR=VALUE...]: a second kassad on the fixture's config, with
# the given environment overrides; its log is $tmp/kassad.log, its pid $kassad_pid.
start_kassad() {
	local port=$1
	shift
	keep_kassad_logs	# a kassad started before: its log is overwritten below
	env KASSA_SERVER_LISTEN="127.0.0.1:$port" "$@" \
		"$KASSA_KASSAD" --config "$KASSA_CONFIG" >"$tmp/kassad.log" 2>&1 &
	kassad_pid=$!
}

# wait_for WHAT CMD...: run CMD every 0.1 s until it succeeds, at most $DEADLINE s (30 if
# unset); 1, saying what it gave up on, if it never does.
wait_for() {
	local what=$1 i n=$((${DEADLINE:-30} * 10))
	shift
	for i in $(seq 1 "$n"); do
		"$@" && return 0
		[ "$i" -lt "$n" ] && sleep 0.1
	done
	echo "# gave up after ${DEADLINE:-30}s waiting for: $what"
	return 1
}

# kassad_listens PORT: something accepts on 127.0.0.1:PORT.
kassad_listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
kassad_up_or_gone() { ! kill -0 "$kassad_pid" 2>/dev/null || kassad_listens "$1"; }

# kassad_listening PORT WHAT: wait (wait_for WHAT) until start_kassad's kassad listens on
# PORT or has exited; 0 if it runs and listens, else 1 and the end of its log.
kassad_listening() {
	wait_for "$2" kassad_up_or_gone "$1"
	if kill -0 "$kassad_pid" 2>/dev/null && kassad_listens "$1"; then
		return 0
	fi
	grep -v ' DEBUG ' "$tmp/kassad.log" | tail -n 8 | sed 's/^/#   /'
	return 1
}

# stop_kassad: SIGTERM the second kassad and return its exit status.
stop_kassad() {
	local rc
	kill -TERM "$kassad_pid"
	wait "$kassad_pid"
	rc=$?
	kassad_pid=
	return $rc
}
