#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-compare.sh: the whole system against the database alone, at the same concurrency.
#
#   scripts/bench-compare.sh CONNINFO [SECONDS]
#
# For each client count in CLIENTS (default "8 64") runs
#   kassa-bench --tills N --duration SECONDS   (tills -> TLS -> kassad -> PostgreSQL)
#   scripts/bench-pgbench.sh CONNINFO N SECONDS (pgbench -> PostgreSQL, the same one
#                                               statement kassad issues per checkout)
# against the same database, then prints a table of checkouts/s and latencies with the ratio
# kassa-bench / pgbench: how much of the database's capacity reaches the tills. SECONDS
# defaults to 10. Every run stops by itself (fixed durations, bounded timeouts).
#
# kassad must already be running against CONNINFO's database, seeded by scripts/seed.sh
# (products 'SKU-000001'.., members, a bench till whose certificate is given below, staff).
# Environment: KASSA_HOST KASSA_PORT KASSA_CERT KASSA_KEY KASSA_CA (the bench till's
#   certificate), KASSA_BENCH (default: build/client/kassa-bench), CLIENTS,
#   KASSA_BENCH_STAFF / KASSA_BENCH_PIN (default 1901 / 1234), PSQL.
set -euo pipefail

die() {
	echo "bench-compare: $*" >&2
	exit 1
}

[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
CONNINFO=$1
SECS=${2:-10}
[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive number"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH=${KASSA_BENCH:-$ROOT/build/client/kassa-bench}
CLIENTS=${CLIENTS:-8 64}
PSQL=${PSQL:-psql}
[ -x "$BENCH" ] || die "kassa-bench not found at $BENCH (build first, or set KASSA_BENCH)"
for v in KASSA_CERT KASSA_KEY KASSA_CA; do
	[ -n "${!v:-}" ] || die "$v must name the bench till's certificate files"
done

q() { "$PSQL" "$CONNINFO" -X -q -v ON_ERROR_STOP=1 -At -F ' ' -c "$1"; }

# what kassa-bench can sell and to whom: SKU-000001..SKU-<n> as scripts/seed.sh numbers
# them, member ids 1..<k>
PRODUCTS=$(q "SELECT count(*) FROM products WHERE sku ~ '^SKU-[0-9]{6}\$' AND active")
[ "$PRODUCTS" -gt 0 ] || die "no SKU-nnnnnn products in the database (seed it first)"
[ "$PRODUCTS" -le 5000 ] || PRODUCTS=5000	# kassa-bench looks each one up at start
MEMBERS=$(q "SELECT CASE WHEN min(member_id) = 1 THEN (SELECT min(m.member_id) FROM members m
	WHERE NOT EXISTS (SELECT 1 FROM members n WHERE n.member_id = m.member_id + 1))
	ELSE 0 END FROM members")
MEMBERS=${MEMBERS:-0}

# json_num KEY JSON: a number field of kassa-bench's one-line JSON
json_num() { sed -n "s/.*\"$1\":\\([0-9.eE+-]*\\).*/\\1/p" <<<"$2"; }
# result KEY LINE: a field of bench-pgbench.sh's RESULT line
result() { sed -n "s/.* $1=\\([0-9.]*\\).*/\\1/p" <<<"$2"; }

ROWS=()
for n in $CLIENTS; do
	echo "== $n clients: kassa-bench ($SECS s)" >&2
	kb=$("$BENCH" --tills "$n" --duration "$SECS" --products "$PRODUCTS" \
		--members "$MEMBERS" --staff "${KASSA_BENCH_STAFF:-1901}" \
		--pin "${KASSA_BENCH_PIN:-1234}" --json) || [ $? -eq 1 ] ||
		die "kassa-bench failed at $n clients"
	echo "$kb" >&2
	echo "== $n clients: pgbench ($SECS s)" >&2
	pg=$("$HERE/bench-pgbench.sh" "$CONNINFO" "$n" "$SECS" | tee /dev/stderr | grep '^RESULT') ||
		die "bench-pgbench.sh failed at $n clients"
	kt=$(json_num throughput "$kb")
	pt=$(result tps "$pg")
	ROWS+=("$(awk -v n="$n" -v kt="$kt" -v k50="$(json_num p50_ms "$kb")" \
		-v k99="$(json_num p99_ms "$kb")" -v kf="$(json_num failed "$kb")" \
		-v pt="$pt" -v p50="$(result p50_ms "$pg")" -v p99="$(result p99_ms "$pg")" \
		-v pf="$(result failed "$pg")" 'BEGIN {
		printf "%7d | %12.1f %8.2f %8.2f %7d | %12.1f %8.2f %8.2f %7d | %6.2f\n",
			n, kt, k50, k99, kf, pt, p50, p99, pf, (pt > 0 ? kt / pt : 0) }')")
done

echo
echo "checkouts: kassa-bench (tills over TLS through kassad) vs pgbench (kassa_checkout() alone)"
echo "products SKU-000001..$(printf 'SKU-%06d' "$PRODUCTS"), members 1..$MEMBERS, $SECS s per run"
printf "%7s | %12s %8s %8s %7s | %12s %8s %8s %7s | %6s\n" clients "kassa ck/s" "p50 ms" \
	"p99 ms" failed "pgbench tps" "p50 ms" "p99 ms" failed ratio
printf -- '--------+--------------------------------------------+--------------------------------------------+-------\n'
for r in "${ROWS[@]}"; do
	echo "$r"
done
