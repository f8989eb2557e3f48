#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_config_reload: SIGHUP re-reads the INI file, all or nothing. A changed [log] level
# takes effect at once (a connection's debug line appears only after the reload); a
# changed restart-only key ([database] pool_size) is named in a warn line and not
# applied; each reload leaves an audit_log row 'config.reload' (no staff: SIGHUP) naming
# the keys and never a value; a file with a bad value keeps the whole running state
# (the log level it also changes stays as it was, tills are still served) and the log
# says why. Runs its own kassad on a copy of the fixture's INI. Needs KASSA_TEST_ENV and
# KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
port=$(free_port) || { echo "no free port"; exit 1; }
ini=$tmp/kassad.ini
cp "$KASSA_CONFIG" "$ini"
log=$tmp/kassad.log

served() {	# one product lookup as till S001-T1; 0 when answered
	printf "login 1001 1234\nproduct SKU-TEA\n" | "$TILL" --host 127.0.0.1 --port "$port" \
		--cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
		--server-name localhost --timeout 5000 --script >/dev/null 2>&1
}
count() { grep -c -- "$1" "$log"; }
waitcount() {	# waitcount PATTERN N: bounded wait for N lines of the log matching
	for _ in $(seq 1 100); do
		[ "$(count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
knock() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }	# a connection, closed at once
audits() {	# the config.reload audit rows since the start, as "staff|detail"
	psql "$KASSA_CONNINFO" -XAtq -c "SELECT coalesce(staff_id::text, 'null') || '|' || detail::text
		FROM audit_log WHERE action = 'config.reload' AND audit_id > $audit0 ORDER BY audit_id"
}
audit0=$(psql "$KASSA_CONNINFO" -XAtq -c "SELECT coalesce(max(audit_id), 0) FROM audit_log")

"$KASSA_KASSAD" --config "$ini" --set "server.listen=127.0.0.1:$port" >"$log" 2>&1 &
kassad_pid=$!
waitcount "ready: listening" 1
check "kassad is ready" $?
knock
served
check "a till is served" $?

# 1. [log] level = debug and a restart-only key
printf '\n[log]\nlevel = debug\n[database]\npool_size = 4\n' >>"$ini"
kill -HUP "$kassad_pid"
waitcount "reloaded TLS files and the configuration" 1
check "SIGHUP reloaded the file" $?
grep "reloaded TLS files and the configuration" "$log" | grep -q "log.level"
check "the log line names log.level as changed" $?
grep -q "take effect only after a restart: database.pool_size" "$log"
check "database.pool_size is reported as needing a restart" $?
knock
waitcount "connection from" 1
check "debug lines appear after the reload" $?
check "and not before it (the first connection logged none)" "$([ "$(count "connection from")" = 1 ]; echo $?)"

for _ in $(seq 1 50); do [ -n "$(audits)" ] && break; sleep 0.1; done
row=$(audits | head -1)
echo "# audit: $row"
case "$row" in 'null|{"ok": true, "changed": ["log.level"], "restart_needed": ["database.pool_size"]}') r=0 ;; *) r=1 ;; esac
check "an audit_log row: no staff, the changed and restart-only keys" $r

# 2. a bad value: nothing of the file applies, not even its good lines
cp "$KASSA_CONFIG" "$ini"
printf '\n[log]\nlevel = error\n[server]\nmax_frame = banana\n' >>"$ini"
kill -HUP "$kassad_pid"
waitcount "reload failed, keeping the current configuration and certificates" 1
check "a bad file is refused" $?
grep "reload failed" "$log" | grep -q "server.max_frame must be an integer"
check "and the log says why" $?
knock
waitcount "connection from" 2
check "the running log level stays (debug lines still come)" $?
served
check "tills are still served" $?
for _ in $(seq 1 50); do [ "$(audits | wc -l)" -ge 2 ] && break; sleep 0.1; done
audits | sed -n 2p | grep -q '^null|{"ok": false'
check "the failed reload is audited too" $?
audits | grep -qi 'banana\|password\|host=' 
check "no value in the audit rows" "$([ $? != 0 ]; echo $?)"

stop_kassad
rc=$?
check "kassad exited 0" "$([ $rc = 0 ]; echo $?)"
[ "$fail" = 0 ] || tail -30 "$log" | sed 's/^/# /'
summary
