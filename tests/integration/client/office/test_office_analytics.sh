#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_analytics: `kassa-office analytics run [full] [rebuild]` runs the
# analytics job now: an administrator gets its counts as one JSON line (and a
# job_runs row is the run's record), a full pass redraws the RFM cut points, a
# usage mistake is exit 2 and an analyst is refused (exit 1, PERMISSION_DENIED).
# The figures themselves are integration_analytics's (a database of its own).
# Needs KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL (kassa-office is next
# to it unless KASSA_OFFICE names it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS

office() {
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--timeout 120000 "$@"
}
admin() { office --staff 9001 --pin 0000 "$@"; }
analyst() { office --staff 3001 --pin 3333 "$@"; }
sql() { psql "$KASSA_CONNINFO" -Atc "$1"; }

runs=$(sql "SELECT count(*) FROM job_runs WHERE kind = 'analytics_run'")
out=$(admin analytics run)
rc=$?
echo "$out" | sed 's/^/# /'
check "analytics run exits 0 for an admin" $([ $rc = 0 ]; echo $?)
check "and prints the run's counts" $(echo "$out" | grep '"ok":true,"cmd":"analytics run"' |
	grep '"idempotency_key":"' | grep '"full":false,"rebuild":false' |
	grep -E '"buckets":[1-9][0-9]*,"members":[0-9]+,"elapsed_ms":[0-9]+,' |
	grep -qE '"finished_at":"[0-9-]{10}T[0-9:]{8}Z"'; echo $?)

out=$(admin analytics run full)
rc=$?
echo "$out" | sed 's/^/# /'
check "analytics run full exits 0" $([ $rc = 0 ] && echo "$out" | grep -q '"full":true'; echo $?)
check "the full pass drew cut points of the configured window" \
	$([ "$(sql "SELECT window_days FROM rfm_bounds")" = 365 ]; echo $?)
check "both requests are job runs" \
	$([ "$(sql "SELECT count(*) FROM job_runs WHERE kind = 'analytics_run' AND finished_at IS NOT NULL")" \
		-ge $((runs + 2)) ]; echo $?)

admin analytics run fast >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "an unknown word is a usage error (exit 2)" $([ $rc = 2 ] &&
	grep -q '"detail":"USAGE"' "$tmp/out"; echo $?)
admin analytics run full full >"$tmp/out" 2>&1
check "and so is a word twice" $([ $? = 2 ]; echo $?)
analyst analytics run >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "an analyst may not run the job: exit 1, PERMISSION_DENIED" $([ $rc = 1 ] &&
	grep -q '"code":"PERMISSION_DENIED"' "$tmp/out"; echo $?)

summary
