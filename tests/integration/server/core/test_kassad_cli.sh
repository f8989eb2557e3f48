#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_kassad_cli: kassad's command line as an operator meets it. check-config prints
# every key with its origin, and the precedence is defaults < file < KASSA_* < --set
# (the file's origin names its line); passwords in conninfo/report_dsn are starred, in
# key/value and URI form. Exit codes follow sysexits: 64 bad usage, 65 a bad PIN for
# hash-pin, 78 a configuration error (unknown key, bad value, missing file), 69 when the
# database does not answer (serving and migrate). --pidfile: written with the pid, a
# second kassad on the same file refuses to start (75), the file is removed at a clean
# exit, and a stale file nobody locks is taken over. Runs its own kassad processes.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
K=$KASSA_KASSAD
ini=$tmp/kassad.ini
cp "$KASSA_CONFIG" "$ini"
printf '\n[server]\nmax_frame = 2048\n' >>"$ini"
line=$(grep -n '^max_frame = 2048' "$ini" | cut -d: -f1)
unset KASSA_SERVER_MAX_FRAME

cc() { "$K" --config "$ini" "$@" check-config 2>"$tmp/err"; }
out=$(cc)
check "check-config exits 0 on the fixture's file" $?
echo "$out" | grep -qxF "server.max_frame = 2048  # $ini:$line"
check "a file value names its file and line" $?
echo "$out" | grep -qxF "server.max_in_flight = 32  # default"
check "a default says so" $?
[ "$(echo "$out" | grep -c ' = .*  # ')" -ge 40 ]
check "every key is printed" $?
out=$(KASSA_SERVER_MAX_FRAME=4096 cc)
echo "$out" | grep -qxF "server.max_frame = 4096  # env KASSA_SERVER_MAX_FRAME"
check "the environment beats the file" $?
out=$(KASSA_SERVER_MAX_FRAME=4096 cc --set server.max_frame=8192)
echo "$out" | grep -qxF "server.max_frame = 8192  # flag --set"
check "--set beats the environment" $?
out=$(cc --set "database.conninfo=host=127.0.0.1 password='hun ter2' dbname=kassa" \
	--set "database.report_dsn=postgresql://kassa:hunter2@127.0.0.1/kassa?password=hunter2")
echo "$out" | grep -qxF "database.conninfo = host=127.0.0.1 password=*** dbname=kassa  # flag --set"
check "conninfo's password is starred" $?
echo "$out" | grep -qF "database.report_dsn = postgresql://kassa:***@127.0.0.1/kassa?password=***"
check "a URI's passwords are starred" $?
echo "$out" | grep -q "hunter2\|hun ter2"
check "no password is printed" "$([ $? != 0 ]; echo $?)"

"$K" --no-such-flag >/dev/null 2>&1
check "an unknown flag exits 64" "$([ $? = 64 ]; echo $?)"
"$K" --config "$ini" frobnicate >/dev/null 2>&1
check "an unknown command exits 64" "$([ $? = 64 ]; echo $?)"
"$K" --set server.max_frame check-config >/dev/null 2>&1
check "--set without =VALUE exits 64" "$([ $? = 64 ]; echo $?)"
"$K" hash-pin 12 >/dev/null 2>&1
check "hash-pin of a bad PIN exits 65" "$([ $? = 65 ]; echo $?)"
"$K" hash-pin 123456 >"$tmp/hash" 2>&1
check "hash-pin of a good PIN exits 0" "$([ $? = 0 ] && grep -q '^\$argon2id' "$tmp/hash"; echo $?)"
"$K" --config "$ini" --set server.no_such_key=1 check-config >/dev/null 2>"$tmp/err"
check "an unknown key exits 78" "$([ $? = 78 ]; echo $?)"
grep -q "unknown setting \[server\] no_such_key" "$tmp/err"
check "and names it" $?
"$K" --config "$ini" --set server.max_frame=banana check-config >/dev/null 2>&1
check "a bad value exits 78" "$([ $? = 78 ]; echo $?)"
"$K" --config "$tmp/missing.ini" check-config >/dev/null 2>&1
check "a missing file exits 78" "$([ $? = 78 ]; echo $?)"
"$K" --help | grep -q "78  configuration error"
check "--help lists the exit codes" $?

dead=$(free_port) || { echo "no free port"; exit 1; }
nodb="host=127.0.0.1 port=$dead dbname=kassa user=kassa connect_timeout=2"
"$K" --config "$ini" --set "database.conninfo=$nodb" --set "server.listen=127.0.0.1:$dead" \
	>/dev/null 2>"$tmp/err"
check "serving without a database exits 69" "$([ $? = 69 ]; echo $?)"
grep -q "the database does not answer" "$tmp/err"
check "and says so" $?
"$K" --config "$ini" --set "database.conninfo=$nodb" migrate >/dev/null 2>&1
check "migrate without a database exits 69" "$([ $? = 69 ]; echo $?)"

# --pidfile
port=$(free_port) || { echo "no free port"; exit 1; }
pf=$tmp/kassad.pid
"$K" --config "$ini" --set "server.listen=127.0.0.1:$port" --pidfile "$pf" >"$tmp/kassad.log" 2>&1 &
kassad_pid=$!
for _ in $(seq 1 100); do grep -q "ready: listening" "$tmp/kassad.log" && break; sleep 0.1; done
check "the pid file holds kassad's pid" "$([ "$(cat "$pf" 2>/dev/null)" = "$kassad_pid" ]; echo $?)"
port2=$(free_port) || { echo "no free port"; exit 1; }
"$K" --config "$ini" --set "server.listen=127.0.0.1:$port2" --pidfile "$pf" >/dev/null 2>"$tmp/err2"
check "a second kassad on the same pid file exits 75" "$([ $? = 75 ]; echo $?)"
grep -q "another kassad (pid $kassad_pid) holds the pid file" "$tmp/err2"
check "and names the pid holding it" $?
check "the first one's pid file is untouched" "$([ "$(cat "$pf")" = "$kassad_pid" ]; echo $?)"
stop_kassad
check "kassad exited 0" "$([ $? = 0 ]; echo $?)"
check "the pid file is removed at exit" "$([ ! -e "$pf" ]; echo $?)"
echo 999999 >"$pf"
"$K" --config "$ini" --set "server.listen=127.0.0.1:$port" --pidfile "$pf" >"$tmp/kassad.log" 2>&1 &
kassad_pid=$!
for _ in $(seq 1 100); do grep -q "ready: listening" "$tmp/kassad.log" && break; sleep 0.1; done
check "a stale pid file is taken over" "$([ "$(cat "$pf" 2>/dev/null)" = "$kassad_pid" ]; echo $?)"
stop_kassad
check "and removed at exit" "$([ ! -e "$pf" ]; echo $?)"
[ "$fail" = 0 ] || { cat "$tmp/err" "$tmp/err2" 2>/dev/null | sed 's/^/# /'; tail -20 "$tmp/kassad.log" | sed 's/^/# /'; }
summary
