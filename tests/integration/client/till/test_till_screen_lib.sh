# SPDX-License-Identifier: Apache-2.0
#
# test_till_screen_lib.sh: what the tmux tests of kassa-till's screen share
# (test_till_screen.sh, _ops, _offline, _pay); sourced after lib.sh, not
# a test itself. A private tmux server (its own socket, killed on exit), the
# pane as text, waits that poll it with a deadline, keys, and kassa-till
# started in a detached 80x24 session. TILL_CERT (default S001-T1) picks the
# till's certificate; KASSA_SCREEN_CAPTURE=DIR keeps captured panes.
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
TILL_CERT=${TILL_CERT:-S001-T1}
TILL_PORT=${TILL_PORT:-$KASSA_PORT}

# the socket lives in this test's own $tmp: a tmux server another test left
# behind (a PID reused) can never be the one this test talks to
T=(tmux -u -S "$tmp/tmux.sock")
cleanup() {
	"${T[@]}" kill-server 2>/dev/null
	on_exit
}
trap cleanup EXIT
export LANG=C.UTF-8

cap=${KASSA_SCREEN_CAPTURE:-}
[ -n "$cap" ] && mkdir -p "$cap"

# pane: the screen as text now
pane() {
	"${T[@]}" capture-pane -p -t till 2>/dev/null
}

# wait_for TEXT [SECONDS [GREP-OPTION]]: poll the pane until TEXT shows
# (default 20 s; -F: a fixed string, -E: an extended regular expression);
# on a timeout the pane goes to stderr
wait_for() {
	local deadline=$((SECONDS + ${2:-20}))
	while [ "$SECONDS" -lt "$deadline" ]; do
		pane | grep -q "${3:--F}" -- "$1" && return 0
		sleep 0.05
	done
	{
		echo "# timed out waiting for: $1"
		pane | sed 's/^/# | /'
	} >&2
	return 1
}

# wait_re REGEX [SECONDS]: wait_for with an extended regular expression
wait_re() {
	wait_for "$1" "${2:-20}" -E
}

# shows TEXT: check-style status, the pane shows TEXT now or soon
shows() {
	wait_for "$1" 10
	echo $?
}

# keys ARGS...: tmux send-keys to the till
keys() {
	"${T[@]}" send-keys -t till "$@"
}

# save NAME: keep the pane as $cap/NAME.txt
save() {
	[ -n "$cap" ] && pane >"$cap/$1.txt"
	return 0
}

# start_till LANG ARGS...: kassa-till in a detached 80x24 tmux session
start_till() {
	local lang=$1
	shift
	rm -f "$tmp/exit"
	"${T[@]}" new-session -d -s till -x 80 -y 24 \
		"env LANG=$lang TERM=screen '$TILL' --host '$KASSA_HOST' --port '$TILL_PORT' \
		--cert '$C/$TILL_CERT.crt' --key '$C/$TILL_CERT.key' --ca '$C/ca.crt' \
		--server-name localhost --state-dir '$tmp/state' --receipt-dir '$tmp/receipts' $*; \
		echo \$? >'$tmp/exit'" \; set-option -t till remain-on-exit on
}

# stop_till: log out and quit (F12 twice); the exit status must be 0
stop_till() {
	keys F12
	wait_for "$1" 10 >/dev/null
	keys F12
	local deadline=$((SECONDS + 10))
	while [ "$SECONDS" -lt "$deadline" ] && [ ! -s "$tmp/exit" ]; do sleep 0.05; done
	"${T[@]}" kill-session -t till 2>/dev/null
	[ "$(cat "$tmp/exit" 2>/dev/null)" = 0 ]
}

# sql QUERY: one query against the environment's database, unaligned
sql() {
	psql "$KASSA_CONNINFO" -Atc "$1"
}

