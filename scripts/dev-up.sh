#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# dev-up.sh: README command 1. On a Debian 12 machine: install what is missing, build,
# start a project-local PostgreSQL under ./var/pg, make development certificates in
# ./var/certs, write ./var/kassad.ini, migrate, seed demo data and start kassad in the
# background, then print how to run a till. Safe to run again: it rebuilds, keeps the
# database and certificates, and restarts kassad on the new binary.
#
#   scripts/dev-up.sh [--no-deps] [--members N]
#
# Stop everything with scripts/dev-down.sh. Logs: var/kassad.log, var/pg/log/.
# Environment: KASSA_DEV_PORT (kassad, default 7443), KASSA_DEV_PG_PORT (default 55432).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VAR=$ROOT/var
PORT=${KASSA_DEV_PORT:-7443}
PGPORT=${KASSA_DEV_PG_PORT:-55432}
TILLS=(S001:S001-T1 S001:S001-T2 S002:S002-T1 HQ:HQ-OFFICE-1 BENCH:BENCH-1)

deps=1
members=300
while [ $# -gt 0 ]; do
	case "$1" in
	--no-deps) deps=0; shift ;;
	--members) [ $# -ge 2 ] || exit 2; members=$2; shift 2 ;;
	-h|--help) sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--no-deps] [--members N]" >&2; exit 2 ;;
	esac
done

die() {
	echo "dev-up: $*" >&2
	exit 1
}

step() {
	printf '\n==> %s\n' "$*"
}

listening() {
	if command -v ss >/dev/null 2>&1; then
		ss -Htln "sport = :$1" 2>/dev/null | grep -q .
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

if [ "$deps" = 1 ]; then
	step "packages"
	bash scripts/deps.sh
fi

step "build"
cmake -S . -B build </dev/null >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" </dev/null
KASSAD=$ROOT/build/server/kassad
[ -x "$KASSAD" ] || die "build/server/kassad was not built"

step "PostgreSQL on 127.0.0.1:$PGPORT (var/pg)"
mkdir -p "$VAR"
bash scripts/pg-cluster.sh init "$VAR/pg" "$PGPORT"
bash scripts/pg-cluster.sh start "$VAR/pg" "$PGPORT"
CONNINFO="host=127.0.0.1 port=$PGPORT dbname=kassa user=kassa"

step "certificates (var/certs)"
bash scripts/gen-certs.sh "$VAR/certs" "${TILLS[@]}"

step "kassad.ini, migrations, demo data"
cat >"$VAR/kassad.ini" <<EOF
; Written by scripts/dev-up.sh for development: only what differs from kassad's
; defaults. Every key: README.md, "Configuration".
[server]
listen = 127.0.0.1:$PORT

[tls]
cert = $VAR/certs/server.crt
key = $VAR/certs/server.key
ca = $VAR/certs/ca.crt
crl = $VAR/certs/crl.pem

[database]
conninfo = $CONNINFO
migrations = $ROOT/migrations
EOF
"$KASSAD" migrate --config "$VAR/kassad.ini"
bash scripts/seed.sh "$CONNINFO" "$KASSAD" --members "$members"

step "kassad on 127.0.0.1:$PORT"
if [ -f "$VAR/kassad.pid" ] && kill -0 "$(cat "$VAR/kassad.pid")" 2>/dev/null; then
	echo "dev-up: restarting the running kassad (pid $(cat "$VAR/kassad.pid"))"
	bash scripts/dev-down.sh --kassad-only
fi
listening "$PORT" && die "port $PORT is taken by another program (set KASSA_DEV_PORT)"
setsid "$KASSAD" --config "$VAR/kassad.ini" </dev/null >>"$VAR/kassad.log" 2>&1 &
echo $! >"$VAR/kassad.pid"
for _ in $(seq 1 200); do
	listening "$PORT" && break
	kill -0 "$(cat "$VAR/kassad.pid")" 2>/dev/null || {
		tail -n 20 "$VAR/kassad.log" >&2
		die "kassad exited while starting (log: var/kassad.log)"
	}
	sleep 0.1
done
listening "$PORT" || { tail -n 20 "$VAR/kassad.log" >&2; die "kassad is not listening"; }

TILL="build/client/kassa-till --host 127.0.0.1 --port $PORT --cert var/certs/S001-T1.crt"
TILL="$TILL --key var/certs/S001-T1.key --ca var/certs/ca.crt"
cat <<EOF

Kassa is running.
  kassad      127.0.0.1:$PORT (pid $(cat "$VAR/kassad.pid"), log var/kassad.log)
  PostgreSQL  127.0.0.1:$PGPORT, database kassa, user kassa (psql "$CONNINFO")
  tills       S001-T1 S001-T2 (Shanghai Xujiahui), S002-T1 (Beijing Chaoyang): var/certs/
  staff       1001 cashier PIN 1234 (S001), 1002 cashier PIN 2345 (S002),
              2001 manager 9999, 3001 analyst 3333, 9001 admin 0000
  members     phones +8613900000001 ... ; products SKU-APPLE, SKU-RICE, SKU-MILK, ...

Run a till (script mode: one command per line in, one JSON object per line out):
  $TILL --script

For example:
  printf '%s\n' 'login 1001 1234' 'member find phone=13900000004' 'sale begin' \\
    'sale add SKU-APPLE 2' 'sale member phone=13900000004' 'sale pay cash 50.00' 'sale finish' |
    $TILL --script

Stop everything: scripts/dev-down.sh
EOF
