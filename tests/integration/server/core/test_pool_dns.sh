#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_pool_dns: the pool reaches PostgreSQL through a host *name*
# (host=localhost), resolved by kassad's own non-blocking resolver and
# handed to libpq as hostaddr= (libpq would resolve it with a blocking
# getaddrinfo() on the event loop). Then a host list whose first name does
# not resolve: the name is reported once and the next host serves. Runs its
# own kassad (debug log, so the resolver's lines show). Needs KASSA_TEST_ENV
# and KASSA_TILL.
#
# What it cannot show: that the loop stayed free while a slow name server
# was asked, since the system's name servers are not the test's to slow.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
port=$(free_port) || { echo "no free port"; exit 1; }
served() {	# served TENTHS: bounded retry until a till logs in and finds a product
	local out
	for _ in $(seq 1 "$1"); do
		out=$(printf 'login 1001 1234\nproduct SKU-TEA\n' | "$TILL" --host 127.0.0.1 \
			--port "$port" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
			--server-name localhost --timeout 3000 --script 2>/dev/null)
		[ "$(echo "$out" | grep -c '"ok":true')" = 2 ] && return 0
		sleep 0.1
	done
	return 1
}

start_kassad "$port" KASSA_DATABASE_POOL_SIZE=2 KASSA_LOG_LEVEL=debug \
	KASSA_DATABASE_CONNINFO="host=localhost port=$KASSA_PG_PORT dbname=kassa user=kassa"
served 100
check "served through host=localhost" $?
check "kassad resolved localhost itself and gave libpq its address" $(
	grep -q 'host localhost resolved to 127\.0\.0\.1' "$tmp/kassad.log"; echo $?)
backends=$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM pg_stat_activity
	WHERE application_name LIKE 'kassad/$kassad_pid/%' AND client_addr = '127.0.0.1'")
check "both pool connections are TCP from 127.0.0.1 ($backends)" $([ "$backends" = 2 ]; echo $?)
stop_kassad
rc=$?
check "SIGTERM: exit 0" $([ $rc = 0 ]; echo $?)
[ "$fail" = 0 ] || sed 's/^/# /' "$tmp/kassad.log" | tail -20

bad=kassa-no-such-host.invalid
start_kassad "$port" KASSA_DATABASE_POOL_SIZE=2 KASSA_LOG_LEVEL=debug \
	KASSA_DATABASE_CONNINFO="host=$bad,localhost port=$KASSA_PG_PORT dbname=kassa user=kassa"
served 200
check "a name that does not resolve is skipped: the next host serves" $?
check "the failed name is reported once" $(
	[ "$(grep -c "could not resolve database host \"$bad\"" "$tmp/kassad.log")" = 1 ]; echo $?)
stop_kassad
rc=$?
check "SIGTERM: exit 0" $([ $rc = 0 ]; echo $?)
[ "$fail" = 0 ] || sed 's/^/# /' "$tmp/kassad.log" | tail -30

summary
