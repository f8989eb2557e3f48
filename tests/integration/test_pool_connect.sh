#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_pool_connect: kassad's pool reaches PostgreSQL through a conninfo host
# list whose first entry refuses connections. libpq then closes its first
# socket and opens another, often with the same number; a pool that does not
# re-register the new socket hangs in "connecting" for ever. Also: SIGTERM
# makes this second kassad exit 0. Needs KASSA_TEST_ENV and KASSA_TILL.
set -uo pipefail

# shellcheck disable=SC1091
. "$KASSA_TEST_ENV/env"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
pass=0
fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "[   OK ] $1"
	else fail=$((fail + 1)); echo "[ FAIL ] $1"; fi
}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 20000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port"; exit 1; }

KASSA_SERVER_LISTEN="127.0.0.1:$port" KASSA_DATABASE_POOL_SIZE=2 \
KASSA_DATABASE_CONNINFO="host=127.0.0.1,127.0.0.1 port=1,$KASSA_PG_PORT dbname=kassa user=kassa" \
	"$KASSA_KASSAD" --config "$KASSA_CONFIG" >"$tmp/kassad.log" 2>&1 &
pid=$!

ok=1
for _ in $(seq 1 100); do	# bounded: 100 x 0.1 s for kassad and its pool to come up
	out=$(printf 'login 1001 1234\nproduct SKU-TEA\n' | "$TILL" --host 127.0.0.1 \
		--port "$port" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
		--server-name localhost --timeout 3000 --script 2>/dev/null)
	if [ "$(echo "$out" | grep -c '"ok":true')" = 2 ]; then ok=0; break; fi
	sleep 0.1
done
check "served through the second host of the list" $ok
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM: exit 0" $([ $rc = 0 ]; echo $?)
[ $ok = 0 ] || sed 's/^/# /' "$tmp/kassad.log" | tail -20

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
