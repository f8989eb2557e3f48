#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-pgbench.sh: the database ceiling for checkouts, measured with pgbench.
#
#   scripts/bench-pgbench.sh CONNINFO CLIENTS SECONDS
#
# Runs pgbench (-n -M prepared -c CLIENTS -j 2 -T SECONDS) with scripts that issue exactly
# the one statement kassad issues per checkout, SELECT kassa_checkout(...16 parameters...)
# as a prepared statement, so that kassa-bench (the whole system over TLS) can be compared
# with what PostgreSQL alone does for the same work (scripts/bench-compare.sh).
#
# Each transaction is one sale of 3-8 lines (six scripts of equal weight, one per line
# count), quantity 1-3 per line, 70% with a member, paid with one cash tender rounded up
# to a whole unit, points 1 per 10.00 for members, a fresh idempotency key from
# gen_random_uuid(): the same shape as kassa-bench's sales.
#
# Prices without an extra round trip: kassa_checkout() checks every unit price against
# products, and the measured script must stay ONE statement per transaction. So the
# script sells its own products, 'PGB-00001'.. (created here if missing), whose price is
# a function of the product id, price_minor = 100 + (product_id * 7919) % 9901 (1.00 to
# 100.00), which the setup below writes into the table and pgbench recomputes with \set.
# Product ids must be one contiguous range (they are when created in one INSERT).
# Members: the contiguous run of member ids starting at the smallest one.
#
# A 2-second warm-up run (not measured) comes first. The measured run logs every
# transaction (-l) into a temporary directory; latency percentiles come from those logs
# (pgbench itself prints only the average). The last line printed is machine-readable:
#   RESULT clients=N seconds=S tps=X mean_ms=... p50_ms=... p95_ms=... p99_ms=... max_ms=... failed=N
#
# Writes real sales into the database: use a development or bench database only.
# Environment: PGB_PRODUCTS (default 1000), PGB_WARMUP seconds (default 2, 0 = none),
#   PGB_TILL (a tills.code to sell at; default: a bench till, else the first active till),
#   PGB_JOBS (pgbench -j, default 2), PGBENCH / PSQL (the programs).
set -euo pipefail

die() {
	echo "bench-pgbench: $*" >&2
	exit 1
}

[ $# -eq 3 ] || { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
CONNINFO=$1
CLIENTS=$2
SECONDS_RUN=$3
[[ $CLIENTS =~ ^[1-9][0-9]*$ ]] || die "CLIENTS must be a positive number"
[[ $SECONDS_RUN =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive number"
PRODUCTS=${PGB_PRODUCTS:-1000}
WARMUP=${PGB_WARMUP:-2}
JOBS=${PGB_JOBS:-2}
PGBENCH=${PGBENCH:-pgbench}
PSQL=${PSQL:-psql}
[ "$JOBS" -gt "$CLIENTS" ] && JOBS=$CLIENTS
command -v "$PGBENCH" >/dev/null || die "pgbench is not installed (Debian: postgresql-client-15)"
command -v "$PSQL" >/dev/null || die "psql is not installed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kassa-pgbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

q() { "$PSQL" "$CONNINFO" -X -q -v ON_ERROR_STOP=1 -At -F ' ' "$@"; }

# ---- setup: our products with id-derived prices, and the ids to use ----
q -v n="$PRODUCTS" >/dev/null <<'SQL' || die "could not set up the bench products (is the schema migrated?)"
INSERT INTO products (sku, name, category, price_minor)
SELECT 'PGB-' || lpad(i::text, 5, '0'), 'pgbench product ' || i, 'pgbench', 0
FROM generate_series(1, :n) i
ON CONFLICT (sku) DO NOTHING;
UPDATE products SET price_minor = 100 + (product_id * 7919) % 9901, active = true
WHERE sku LIKE 'PGB-%' AND (price_minor <> 100 + (product_id * 7919) % 9901 OR NOT active);
SQL
read -r PMIN PMAX PCOUNT < <(q -c "SELECT min(product_id), max(product_id), count(*)
	FROM products WHERE sku LIKE 'PGB-%'")
[ "$PCOUNT" -gt 0 ] && [ $((PMAX - PMIN + 1)) -eq "$PCOUNT" ] ||
	die "the PGB- products do not have contiguous ids ($PMIN..$PMAX, $PCOUNT rows)"

read -r MMIN MMAX < <(q -c "SELECT coalesce(min(member_id), 0),
	coalesce((SELECT min(m.member_id) FROM members m WHERE NOT EXISTS
		(SELECT 1 FROM members n WHERE n.member_id = m.member_id + 1)), 0)
	FROM members")

TILL_SQL="SELECT till_id, store_id FROM tills WHERE active"
if [ -n "${PGB_TILL:-}" ]; then
	read -r TILL STORE < <(q -v code="$PGB_TILL" <<<"$TILL_SQL AND code = :'code'")
else
	read -r TILL STORE < <(q -c "$TILL_SQL ORDER BY (kind = 'bench') DESC, till_id LIMIT 1")
fi
[ -n "${TILL:-}" ] || die "no active till to sell at (seed the database first)"
# a cashier of the till's store, as kassad would accept at that till
STAFF=$(q -c "SELECT staff_id FROM staff WHERE active AND role IN ('cashier', 'manager')
	AND (store_id IS NULL OR store_id = $STORE) ORDER BY store_id IS NULL, staff_id LIMIT 1")
[ -n "$STAFF" ] || die "no active cashier or manager in staff (seed the database first)"

# ---- the pgbench scripts: one per line count, each ONE statement ----
for n in 3 4 5 6 7 8; do
	f="$WORK/checkout$n.sql"
	{
		sum="" ids="" qtys="" prices=""
		for i in $(seq 1 "$n"); do
			echo "\\set p$i random(:pmin, :pmax)"
			echo "\\set q$i random(1, 3)"
			echo "\\set u$i 100 + (:p$i * 7919) % 9901"
			sum="$sum${sum:+ + }:u$i * :q$i"
			ids="$ids${ids:+, }:p$i"
			qtys="$qtys${qtys:+, }:q$i"
			prices="$prices${prices:+, }:u$i"
		done
		echo "\\set total $sum"
		echo "\\set mem case when :mmax > 0 and random(1, 100) <= 70 then random(:mmin, :mmax) else 0 end"
		echo "\\set points case when :mem > 0 then :total / 1000 else 0 end"
		echo "\\set tendered (:total + 99) / 100 * 100"
		echo "\\set change :tendered - :total"
		echo "SELECT kassa_checkout(:store, :till, :staff, gen_random_uuid()::text," \
			"'\\x00000000000000000000000000000000'::bytea, :mem," \
			"ARRAY[$ids]::bigint[], ARRAY[$qtys]::integer[], ARRAY[$prices]::bigint[]," \
			"'{1}'::smallint[], ARRAY[:tendered]::bigint[], '{\"\"}'::text[]," \
			":total, :tendered, :change, :points);"
	} >"$f"
done

ARGS=(-n -M prepared -c "$CLIENTS" -j "$JOBS"
	-D pmin="$PMIN" -D pmax="$PMAX" -D mmin="$MMIN" -D mmax="$MMAX"
	-D store="$STORE" -D till="$TILL" -D staff="$STAFF")
for n in 3 4 5 6 7 8; do
	ARGS+=(-f "$WORK/checkout$n.sql@1")
done

echo "bench-pgbench: $CLIENTS clients, $SECONDS_RUN s; till $TILL store $STORE staff $STAFF;" \
	"products $PMIN..$PMAX; members $MMIN..$MMAX"
if [ "$WARMUP" -gt 0 ]; then
	"$PGBENCH" "${ARGS[@]}" -T "$WARMUP" "$CONNINFO" >"$WORK/warmup.out" 2>&1 ||
		{ cat "$WORK/warmup.out" >&2; die "the warm-up run failed"; }
fi
"$PGBENCH" "${ARGS[@]}" -T "$SECONDS_RUN" -l --log-prefix="$WORK/log" "$CONNINFO" \
	>"$WORK/run.out" 2>&1 || { cat "$WORK/run.out" >&2; die "pgbench failed"; }
grep -E '^(number of (transactions|failed)|latency average|tps|number of clients)' \
	"$WORK/run.out" | grep -v 'including' || true

TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$WORK/run.out")
FAILED=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$WORK/run.out")
# per-transaction log lines: client_id transaction_no time_us script_no time_epoch time_us_part
cat "$WORK"/log.* | awk '{ print $3 }' | sort -n >"$WORK/lat"
awk -v tps="${TPS:-0}" -v c="$CLIENTS" -v s="$SECONDS_RUN" -v failed="${FAILED:-0}" '
	{ v[NR] = $1; sum += $1 }
	function pct(p,   i) { i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; return v[i] / 1000 }
	END {
		if (NR == 0) { print "bench-pgbench: no transactions logged" > "/dev/stderr"; exit 1 }
		printf "latency ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  (mean %.2f, %d transactions)\n",
			pct(50), pct(95), pct(99), v[NR] / 1000, sum / NR / 1000, NR
		printf "RESULT clients=%d seconds=%d tps=%.1f mean_ms=%.3f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f max_ms=%.3f failed=%d\n",
			c, s, tps, sum / NR / 1000, pct(50), pct(95), pct(99), v[NR] / 1000, failed
	}' "$WORK/lat"
