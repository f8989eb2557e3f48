#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-compare.sh: the whole system, its SQL alone and the machine's reference, side by side.
#
#   scripts/bench-compare.sh CONNINFO [SECONDS]
#
# For each client count in CLIENTS (default "8 64"), one right after the other on the same
# PostgreSQL cluster, runs
#   kassa-bench --tills N --duration SECONDS   (tills -> TLS -> kassad -> PostgreSQL)
#   scripts/bench-pgbench.sh CONNINFO N SECONDS (pgbench -> PostgreSQL: the statements
#                                               kassad sends per checkout, the same mix)
#   ../shared/bench/reference.sh CONNINFO N SECONDS MEMBERS
#                                              (the machine's durable checkout limit: one
#                                               PL/pgSQL call per sale in its own database
#                                               kassa_reference, created on first use)
# then prints a table of checkouts/s and latencies with the ratios kassa-bench / reference
# (how much of the machine's durable capacity the product keeps) and kassa-bench / pgbench
# (how much of what its own SQL could do reaches the tills), and the p99 ratio to the
# reference. SECONDS defaults to 10. Every run stops by itself (fixed durations, bounded
# timeouts).
#
# The sale mix: kassa-bench's (70% with a member from 1..K, quantity 1-3, one cash tender).
# Lines per sale: LINES (default 3) when kassa-bench takes --lines; an older kassa-bench
# always sells 3-8 lines, and then pgbench sells 3-8 too (the table says which). The
# reference always sells 3 lines, 20% with a coupon, to members 1..K (K of kassa-bench, or
# 100000 when there are no members); a kassa_reference database with fewer members than
# that is dropped and made again.
#
# kassad must already be running against CONNINFO's database, seeded by scripts/seed.sh
# (products 'SKU-000001'.., members, a bench till whose certificate is given below, staff);
# see docs/benchmarks.md. Environment: KASSA_HOST KASSA_PORT KASSA_CERT KASSA_KEY KASSA_CA
#   (the bench till's certificate), KASSA_BENCH (default: build/client/kassa-bench),
#   KASSA_REFERENCE (default: ../shared/bench/reference.sh next to the project folder),
#   CLIENTS, LINES, KASSA_BENCH_STAFF / KASSA_BENCH_PIN (default 1901 / 1234), PSQL,
#   KASSA_BENCH_MEMBERS (K; default: the member ids 1..K present without a gap).
set -euo pipefail

die() {
	echo "bench-compare: $*" >&2
	exit 1
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	sed -n '6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
CONNINFO=$1
SECS=${2:-10}
[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive number"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH=${KASSA_BENCH:-$ROOT/build/client/kassa-bench}
REFERENCE=${KASSA_REFERENCE:-$ROOT/../shared/bench/reference.sh}
CLIENTS=${CLIENTS:-8 64}
LINES=${LINES:-3}
PSQL=${PSQL:-psql}
[ -x "$BENCH" ] || die "kassa-bench not found at $BENCH (build first, or set KASSA_BENCH)"
[ -r "$REFERENCE" ] || die "the reference benchmark is not at $REFERENCE (set KASSA_REFERENCE)"
for v in KASSA_CERT KASSA_KEY KASSA_CA; do
	[ -n "${!v:-}" ] || die "$v must name the bench till's certificate files"
done
for n in $CLIENTS; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "CLIENTS must be positive numbers: '$CLIENTS'"
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
MEMBERS=${KASSA_BENCH_MEMBERS:-${MEMBERS:-0}}
REF_MEMBERS=$MEMBERS
[ "$REF_MEMBERS" -gt 0 ] || REF_MEMBERS=100000

# the lines per sale both sides sell
BENCH_LINES=()
if "$BENCH" --help 2>&1 | grep -q -- '--lines'; then
	BENCH_LINES=(--lines "$LINES")
	PGB_LINES=$LINES
else
	PGB_LINES=3-8	# what this kassa-bench always sells
fi

# the reference's own database must hold members 1..REF_MEMBERS
have=$("$PSQL" "$CONNINFO dbname=kassa_reference" -X -q -At -c \
	"SELECT coalesce(max(id), 0) FROM members" 2>/dev/null || echo 0)
if [ "${have:-0}" -gt 0 ] && [ "$have" -lt "$REF_MEMBERS" ]; then
	echo "== reference: kassa_reference has $have members, $REF_MEMBERS wanted: made again" >&2
	q "DROP DATABASE kassa_reference" >/dev/null
fi

# json_num KEY JSON: a number field of kassa-bench's one-line JSON
json_num() { sed -n "s/.*\"$1\":\\([0-9.eE+-]*\\).*/\\1/p" <<<"$2"; }
# result KEY LINE: a field of a RESULT line (bench-pgbench.sh, reference.sh)
result() { sed -n "s/.* $1=\\([0-9.]*\\).*/\\1/p" <<<"$2"; }

OUT=$(mktemp "${TMPDIR:-/tmp}/kassa-compare.XXXXXX")
trap 'rm -f "$OUT"' EXIT
ROWS=()
for n in $CLIENTS; do
	echo "== $n clients: kassa-bench ($SECS s)" >&2
	kb=$("$BENCH" --tills "$n" --duration "$SECS" --products "$PRODUCTS" \
		--members "$MEMBERS" --staff "${KASSA_BENCH_STAFF:-1901}" \
		--pin "${KASSA_BENCH_PIN:-1234}" "${BENCH_LINES[@]}" --json) || [ $? -eq 1 ] ||
		die "kassa-bench failed at $n clients"
	echo "$kb" >&2
	echo "== $n clients: pgbench of kassad's statements ($SECS s)" >&2
	PGB_LINES=$PGB_LINES "$HERE/bench-pgbench.sh" "$CONNINFO" "$n" "$SECS" >"$OUT" ||
		{ cat "$OUT" >&2; die "bench-pgbench.sh failed at $n clients"; }
	cat "$OUT" >&2
	pg=$(grep '^RESULT' "$OUT") || die "bench-pgbench.sh printed no RESULT at $n clients"
	echo "== $n clients: reference ($SECS s, $REF_MEMBERS members)" >&2
	bash "$REFERENCE" "$CONNINFO" "$n" "$SECS" "$REF_MEMBERS" >"$OUT" ||
		{ cat "$OUT" >&2; die "$REFERENCE failed at $n clients"; }
	cat "$OUT" >&2
	rf=$(grep '^RESULT' "$OUT") || die "$REFERENCE printed no RESULT at $n clients"
	ROWS+=("$(awk -v n="$n" -v kt="$(json_num throughput "$kb")" \
		-v k50="$(json_num p50_ms "$kb")" -v k99="$(json_num p99_ms "$kb")" \
		-v kf="$(json_num failed "$kb")" \
		-v pt="$(result tps "$pg")" -v p99="$(result p99_ms "$pg")" \
		-v pf="$(( $(result failed "$pg") + $(result aborted "$pg") ))" \
		-v rt="$(result tps "$rf")" -v r99="$(result p99_ms "$rf")" 'BEGIN {
		printf "%5d | %10.1f %7.2f %7.2f %6d | %10.1f %7.2f %6d | %10.1f %7.2f | %9.2f %9.2f | %7.2f\n",
			n, kt, k50, k99, kf, pt, p99, pf, rt, r99,
			(rt > 0 ? kt / rt : 0), (pt > 0 ? kt / pt : 0), (r99 > 0 ? k99 / r99 : 0) }')")
done

echo
echo "checkouts/s, one cluster, one run after the other, $SECS s each (+ warm-ups):"
echo "  kassa-bench  tills over TLS through kassad: $PGB_LINES lines, 70% members 1..$MEMBERS," \
	"products SKU-000001..$(printf 'SKU-%06d' "$PRODUCTS")"
echo "  pgbench      kassad's statements alone (scripts/bench-pgbench.sh), the same mix"
echo "  reference    $(basename "$REFERENCE"): one PL/pgSQL call per sale, 3 lines," \
	"members 1..$REF_MEMBERS"
printf "%5s | %10s %7s %7s %6s | %10s %7s %6s | %10s %7s | %9s %9s | %7s\n" tills \
	"kassa ck/s" "p50 ms" "p99 ms" failed "pgbench/s" "p99 ms" failed "ref/s" \
	"p99 ms" "kassa/ref" "kassa/pgb" "p99/ref"
printf -- '------+-----------------------------------+---------------------------+--------------------+---------------------+--------\n'
for r in "${ROWS[@]}"; do
	echo "$r"
done
