# SPDX-License-Identifier: Apache-2.0
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

on_exit() {
	[ -n "$kassad_pid" ] && kill "$kassad_pid" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
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
	env KASSA_SERVER_LISTEN="127.0.0.1:$port" "$@" \
		"$KASSA_KASSAD" --config "$KASSA_CONFIG" >"$tmp/kassad.log" 2>&1 &
	kassad_pid=$!
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
