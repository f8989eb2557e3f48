#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_script_lib.sh: what the tests that drive kassa-till --script
# through a FIFO share (sourced after tests/integration/lib.sh). The test
# sets TILL, C (the certificates), STATE (the till's state dir) and port
# (its own kassad) first. Every wait has a deadline; no fixed sleeps.

# wait_port: poll until kassad accepts on $port (deadline 20 s)
wait_port() {
	local deadline=$((SECONDS + 20))
	until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# till_start NAME [OPTION...]: a kassa-till --script (with OPTIONs) reading
# commands from a FIFO; answers go to $tmp/out.NAME
till_start() {
	name=$1
	shift
	mkfifo "$tmp/in.$name"
	"$TILL" --host 127.0.0.1 --port "$port" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
		--ca "$C/ca.crt" --server-name localhost --timeout 5000 --state-dir "$STATE" \
		"$@" --script <"$tmp/in.$name" >"$tmp/out.$name" 2>"$tmp/err.$name" &
	till_pid=$!
	exec 7>"$tmp/in.$name"
	echo 0 >"$tmp/sent.$name"
}

# send COMMAND...: send one command, wait for its one answer line and print
# it (the count is kept in a file: send runs in subshells too)
send() {
	local deadline=$((SECONDS + 60)) sent
	echo "$*" >&7
	sent=$(($(cat "$tmp/sent.$name") + 1))
	echo "$sent" >"$tmp/sent.$name"
	while [ "$(wc -l <"$tmp/out.$name")" -lt "$sent" ]; do
		if [ $SECONDS -ge $deadline ] || ! kill -0 "$till_pid" 2>/dev/null; then
			echo "{\"ok\":false,\"cmd\":\"$1\",\"code\":\"TEST_TIMEOUT\"}"
			return 1
		fi
		sleep 0.02
	done
	sed -n "${sent}p" "$tmp/out.$name"
}

# ok COMMAND...: send and say whether the answer was ok
ok() { send "$@" | grep -q '"ok":true'; }

# till_stop: quit the till and wait for it
till_stop() {
	ok quit
	exec 7>&-
	wait "$till_pid"
}
