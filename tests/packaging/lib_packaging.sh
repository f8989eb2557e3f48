# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# lib_packaging.sh: what the packaging tests (tests/packaging/test_*.sh) share. Source it
# after reading the script's arguments: strict mode, a temporary directory $tmp removed
# on exit, check NAME RC (RC 0 = passed) counting into $pass and $fail, and summary,
# which prints the counts and returns non-zero if anything failed (end the script with
# it). Unlike tests/integration/lib.sh it needs no test environment: these tests run
# without PostgreSQL or kassad.

set -uo pipefail
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "[   OK ] $1"
	else fail=$((fail + 1)); echo "[ FAIL ] $1"; fi
}

summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
