#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_metrics: kassad's loopback HTTP port ([admin] metrics_listen) as an
# operator's Prometheus and probes see it. A scrape passes `promtool check
# metrics`; after real work the counters moved by exactly what was done:
# 3 checkouts by a till -> kassa_requests_total{type="checkout",status="OK"}
# +3 (and the checkout latency histogram's count +3), a handshake without a
# client certificate -> kassa_tls_handshakes_total{result="failed"} +1, the
# till's connection -> {result="ok"} +1, 10 wrong PINs in a row ->
# kassa_staff_lockouts_total +1. The pool gauges show [database] pool_size,
# /livez answers 200, only GET and HEAD are served (405), other paths are
# 404, and kassad refuses a metrics_listen that is not a loopback address.
# Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
URL="http://127.0.0.1:$KASSA_METRICS_PORT"

till() {	# till CERT: kassa-till --script as that till, the script on stdin
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/$1.crt" --key "$C/$1.key" \
		--ca "$C/ca.crt" --server-name localhost --timeout 10000 --script
}
scrape() {	# scrape FILE: /metrics into FILE
	curl -sf --max-time 10 "$URL/metrics" -o "$1"
}
value() {	# value FILE SERIES: the sample of SERIES (name and labels exactly), 0 when absent
	local v
	v=$(grep -F "$2 " "$1" | grep -v '^#' | awk -v s="$2" '$1 == s { print $2 }' | head -n 1)
	echo "${v:-0}"
}
delta() {	# delta SERIES: after - before
	echo $(( $(value "$tmp/after" "$1") - $(value "$tmp/before" "$1") ))
}

command -v promtool >/dev/null
check "promtool is installed (scripts/deps.sh: prometheus)" $?

scrape "$tmp/before"
check "GET /metrics answers" $?
promtool check metrics <"$tmp/before" >"$tmp/promtool" 2>&1
rc=$?
sed 's/^/# promtool: /' "$tmp/promtool"
check "promtool check metrics passes on a scrape" $rc
curl -s -D "$tmp/headers" -o /dev/stdout "$URL/metrics" >"$tmp/ignored"
check "Content-Type is the text format 0.0.4" \
	$(grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/headers"; echo $?)
pool_size=$(sed -n 's/^pool_size *= *\([0-9]*\).*/\1/p' "$KASSA_CONFIG" | head -n 1)
check "the primary pool has [database] pool_size (${pool_size:-16}) connections" \
	$([ "$(value "$tmp/before" 'kassa_db_pool_size{pool="primary"}')" = "${pool_size:-16}" ]; echo $?)
check "every family has HELP and TYPE" $([ "$(grep -c '^# HELP kassa_' "$tmp/before")" = \
	"$(grep -c '^# TYPE kassa_' "$tmp/before")" ]; echo $?)

# the work: three sales, one handshake without a certificate, a lockout
txns=$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM transactions")
out=$(till S001-T1 <<SCRIPT
login 1001 1234
sale begin
sale add SKU-APPLE 2
sale pay cash 100.00
sale finish
sale begin
sale add SKU-RICE
sale pay cash 100.00
sale finish
sale begin
sale add SKU-TEA
sale pay cash 100.00
sale finish
SCRIPT
)
check "three sales finished" $([ "$(echo "$out" | grep -c '"cmd":"sale finish"' )" = 3 ] &&
	[ "$(echo "$out" | grep -c '"ok":false')" = 0 ]; echo $?)
check "three transactions written" $([ "$(psql "$KASSA_CONNINFO" -Atc \
	"SELECT count(*) FROM transactions")" = $((txns + 3)) ]; echo $?)
timeout 10 openssl s_client -connect "127.0.0.1:$KASSA_PORT" -CAfile "$C/ca.crt" \
	</dev/null >"$tmp/s_client" 2>&1
for _ in $(seq 1 10); do
	printf 'login 1002 0000\n' | till S002-T1 >/dev/null 2>&1
done
locked=$(psql "$KASSA_CONNINFO" -Atc "SELECT locked_until IS NOT NULL FROM staff WHERE staff_id = 1002")
psql "$KASSA_CONNINFO" -qc "UPDATE staff SET failed_pins = 0, locked_until = NULL WHERE staff_id = 1002"
check "10 wrong PINs locked staff 1002 out (unlocked again for the other tests)" \
	$([ "$locked" = t ]; echo $?)

# counters move by what was done; the failed handshake's count settles within a bounded poll
for _ in $(seq 1 50); do
	scrape "$tmp/after"
	[ "$(delta 'kassa_tls_handshakes_total{result="failed"}')" -ge 1 ] && break
	sleep 0.1
done
promtool check metrics <"$tmp/after" >"$tmp/promtool" 2>&1
rc=$?
sed 's/^/# promtool: /' "$tmp/promtool"
check "promtool check metrics passes after the work" $rc
d=$(delta 'kassa_requests_total{type="checkout",status="OK"}')
check "3 checkouts: kassa_requests_total{type=\"checkout\",status=\"OK\"} +3 (got +$d)" \
	$([ "$d" = 3 ]; echo $?)
d=$(delta 'kassa_request_duration_seconds_count{type="checkout"}')
check "and the checkout latency histogram counted 3 (got +$d)" $([ "$d" = 3 ]; echo $?)
check "its +Inf bucket equals its count" $([ "$(value "$tmp/after" \
	'kassa_request_duration_seconds_bucket{type="checkout",le="+Inf"}')" = "$(value "$tmp/after" \
	'kassa_request_duration_seconds_count{type="checkout"}')" ]; echo $?)
d=$(delta 'kassa_requests_total{type="login",status="UNAUTHENTICATED"}')
check "10 refused logins: kassa_requests_total{type=\"login\",status=\"UNAUTHENTICATED\"} +10 (got +$d)" \
	$([ "$d" = 10 ]; echo $?)
d=$(delta 'kassa_staff_lockouts_total')
check "one lockout: kassa_staff_lockouts_total +1 (got +$d)" $([ "$d" = 1 ]; echo $?)
d=$(delta 'kassa_tls_handshakes_total{result="failed"}')
check "a handshake without a certificate: kassa_tls_handshakes_total{result=\"failed\"} +1 (got +$d)" \
	$([ "$d" = 1 ]; echo $?)
d=$(delta 'kassa_tls_handshakes_total{result="ok"}')
check "11 till connections: kassa_tls_handshakes_total{result=\"ok\"} +11 (got +$d)" \
	$([ "$d" = 11 ]; echo $?)
check "kassa_ready is 1" $([ "$(value "$tmp/after" kassa_ready)" = 1 ]; echo $?)
check "the schema is at the version the migrations expect" \
	$([ "$(value "$tmp/after" kassa_schema_version)" = \
	"$(value "$tmp/after" kassa_schema_version_expected)" ] &&
	[ "$(value "$tmp/after" kassa_schema_version)" -gt 0 ]; echo $?)

# the probes and the HTTP surface
check "/livez answers 200 ok" $([ "$(curl -s -o "$tmp/body" -w '%{http_code}' "$URL/livez")" = 200 ] &&
	grep -qx ok "$tmp/body"; echo $?)
check "/readyz answers 200 ready" $([ "$(curl -s -o "$tmp/body" -w '%{http_code}' "$URL/readyz")" = 200 ] &&
	grep -qx ready "$tmp/body"; echo $?)
check "HEAD /metrics: 200 with a Content-Length" $(curl -s -I "$URL/metrics" |
	tr -d '\r' | grep -qiE '^Content-Length: [1-9][0-9]*$'; echo $?)
check "POST /metrics: 405" $([ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")" = 405 ]; echo $?)
check "GET /nothing: 404" $([ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/nothing")" = 404 ]; echo $?)

# [admin] metrics_listen beyond loopback is refused, with the reason
KASSA_ADMIN_METRICS_LISTEN=0.0.0.0:9 "$KASSA_KASSAD" --config "$KASSA_CONFIG" check-config \
	>"$tmp/cc" 2>&1
rc=$?
sed 's/^/# check-config: /' "$tmp/cc" | head -5
check "metrics_listen = 0.0.0.0:9 fails check-config (exit $rc)" $([ $rc != 0 ]; echo $?)
check "and says it must be a loopback address" $(grep -q 'metrics_listen "0.0.0.0:9" is not a loopback address' "$tmp/cc"; echo $?)
KASSA_ADMIN_METRICS_LISTEN=127.0.0.1:9,[::1]:9 "$KASSA_KASSAD" --config "$KASSA_CONFIG" \
	check-config >"$tmp/cc" 2>&1
rc=$?
check "127.0.0.1 and [::1] are accepted (exit $rc)" $([ $rc = 0 ] &&
	! grep -q 'is not a loopback address' "$tmp/cc"; echo $?)

summary
