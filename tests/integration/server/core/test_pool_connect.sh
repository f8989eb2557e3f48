#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_pool_connect: kassad's pool reaches PostgreSQL through a conninfo host
# list whose first entry refuses connections. libpq then closes its first
# socket and opens another, often with the same number; a pool that does not
# re-register the new socket hangs in "connecting" for ever. Also: SIGTERM
# makes this second kassad exit 0. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
port=$(free_port) || { echo "no free port"; exit 1; }

start_kassad "$port" KASSA_DATABASE_POOL_SIZE=2 \
	KASSA_DATABASE_CONNINFO="host=127.0.0.1,127.0.0.1 port=1,$KASSA_PG_PORT dbname=kassa user=kassa"

ok=1
for _ in $(seq 1 100); do	# bounded: 100 x 0.1 s for kassad and its pool to come up
	out=$(printf 'login 1001 1234\nproduct SKU-TEA\n' | "$TILL" --host 127.0.0.1 \
		--port "$port" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
		--server-name localhost --timeout 3000 --script 2>/dev/null)
	if [ "$(echo "$out" | grep -c '"ok":true')" = 2 ]; then ok=0; break; fi
	sleep 0.1
done
check "served through the second host of the list" $ok
stop_kassad
rc=$?
check "SIGTERM: exit 0" $([ $rc = 0 ]; echo $?)
[ $ok = 0 ] || sed 's/^/# /' "$tmp/kassad.log" | tail -20

summary
