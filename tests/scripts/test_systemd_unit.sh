#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_systemd_unit: the systemd unit an operator installs (server/systemd/kassad.service.in)
# is one systemd accepts: `systemd-analyze verify` on the configured copy that runs this
# build's kassad exits 0 and prints no warning about it (an unknown key, a bad value, a
# missing binary). Man pages are not checked (--man=no): they are installed elsewhere.
# Also that it is Type=notify, reloads with SIGHUP, does not restart on a configuration
# error, and that the installed copy runs the installed kassad with its installed INI.
#   test_systemd_unit.sh TEST_UNIT INSTALL_UNIT
set -uo pipefail
unit=${1:?test unit} installed=${2:?installed unit}
pass=0 fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "[   OK ] $1"
	else fail=$((fail + 1)); echo "[ FAIL ] $1"; fi
}
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed (scripts/deps.sh)"; exit 1; }

out=$(systemd-analyze verify --man=no "$unit" 2>&1)
rc=$?
check "systemd-analyze verify exits 0" "$rc"
about=$(printf '%s\n' "$out" | grep -F "$(basename "$unit")")
check "and prints nothing about the unit" "$([ -z "$about" ]; echo $?)"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'

has() { grep -qxF "$1" "$2"; }
has "Type=notify" "$unit"; check "Type=notify" $?
has 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"; check "ExecReload sends SIGHUP" $?
has "RestartPreventExitStatus=64 65 78" "$unit"; check "no restart on usage, data or config errors" $?
has "Restart=on-failure" "$unit"; check "Restart=on-failure" $?
grep -qE '^WatchdogSec=[1-9]' "$unit"; check "a watchdog" $?
grep -qE '^ExecStart=/.*/kassad --config /.*/kassa/kassad\.ini$' "$installed"
check "the installed unit runs the installed kassad on its INI" $?
grep -qE '@[A-Z_]+@' "$installed"; check "every @VAR@ configured" "$([ $? != 0 ]; echo $?)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
