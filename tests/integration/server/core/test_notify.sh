#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_notify: kassad under systemd's Type=notify protocol, with a real AF_UNIX
# datagram socket as NOTIFY_SOCKET (a small python3 listener standing in for systemd).
# READY=1 arrives only once the till port accepts (the listener checks the port the
# moment READY=1 arrives), after a STATUS= while the database is awaited; SIGHUP gives
# RELOADING=1 with MONOTONIC_USEC= and then READY=1; WATCHDOG_USEC makes WATCHDOG=1
# arrive again and again; SIGTERM gives STOPPING=1 and exit 0. Runs its own kassad.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"

port=$(free_port) || { echo "no free port"; exit 1; }
sock=$tmp/notify.sock
msgs=$tmp/notify.log
: >"$msgs"
cat >"$tmp/listen.py" <<'PY'
import socket, sys
path, out, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        msg = s.recv(4096).decode()
        line = msg.replace("\n", " ")
        if "READY=1" in msg:
            c = socket.socket()
            c.settimeout(2)
            try:
                c.connect(("127.0.0.1", port))
                line += " [port accepts]"
            except OSError:
                line += " [port refuses]"
            c.close()
        f.write(line + "\n")
PY
python3 "$tmp/listen.py" "$sock" "$msgs" "$port" &
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done

# waitfor PATTERN [COUNT]: bounded wait for COUNT (1) lines of the notifications matching
waitfor() {
	for _ in $(seq 1 100); do
		[ "$(grep -c -- "$1" "$msgs")" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}

env NOTIFY_SOCKET="$sock" WATCHDOG_USEC=400000 "$KASSA_KASSAD" --config "$KASSA_CONFIG" \
	--set "server.listen=127.0.0.1:$port" >"$tmp/kassad.log" 2>&1 &
kassad_pid=$!

waitfor "READY=1"
check "READY=1 arrives" $?
grep -q "READY=1.*\[port accepts\]" "$msgs"
check "the till port accepted when READY=1 arrived" $?
first_status=$(grep -n "STATUS=waiting for the database" "$msgs" | head -1 | cut -d: -f1)
first_ready=$(grep -n "READY=1" "$msgs" | head -1 | cut -d: -f1)
check "a STATUS= came before READY=1" "$([ -n "$first_status" ] && [ "$first_status" -lt "$first_ready" ]; echo $?)"
grep -q "READY=1.*STATUS=serving" "$msgs"
check "READY=1 carries a STATUS= line" $?

waitfor "^WATCHDOG=1" 3
check "WATCHDOG=1 keeps coming with WATCHDOG_USEC set" $?

kill -HUP "$kassad_pid"
waitfor "RELOADING=1 MONOTONIC_USEC=[0-9]"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC=" $?
waitfor "READY=1" 2
check "then READY=1 again" $?
r=$(grep -n "RELOADING=1" "$msgs" | head -1 | cut -d: -f1)
second_ready=$(grep -n "READY=1" "$msgs" | sed -n 2p | cut -d: -f1)
check "READY=1 after RELOADING=1" "$([ -n "$r" ] && [ -n "$second_ready" ] && [ "$r" -lt "$second_ready" ]; echo $?)"

kill -TERM "$kassad_pid"
wait "$kassad_pid"
rc=$?
kassad_pid=
waitfor "STOPPING=1"
check "SIGTERM: STOPPING=1" $?
check "kassad exited 0" "$([ $rc = 0 ]; echo $?)"
[ "$fail" = 0 ] || { sed 's/^/# notify: /' "$msgs" | tail -20; tail -20 "$tmp/kassad.log" | sed 's/^/# /'; }
summary
