#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench-pgbench.sh: the database ceiling for checkouts, measured with pgbench.
#
#   scripts/bench-pgbench.sh CONNINFO CLIENTS SECONDS
#
# Runs pgbench (-n -M prepared -c CLIENTS -j 2 -T SECONDS) with scripts that send what kassad
# sends PostgreSQL for one checkout (server/loyalty/checkout.c), as prepared statements, so
# that kassa-bench (the whole system over TLS) can be compared with what PostgreSQL alone
# does for the same work (scripts/bench-compare.sh):
#   a member's sale   SELECT * FROM kassa_member_pricing(member, phone, coupons, gifts, till, key, hash)
#                     (the tier, balances and rule version; a retried key's first answer),
#                     then SELECT * FROM kassa_checkout(...32 parameters...)  -- two trips
#   an anonymous sale SELECT * FROM kassa_checkout(...)                       -- one trip
# (both defined in migrations/). Each pgbench transaction is one sale, so tps is
# checkouts per second and its latency is the whole sale's.
#
# The mix is kassa-bench's: PGB_LINES lines (default 3; a range such as 3-8 gives one
# script of equal weight per line count), quantity 1-3 per line, PGB_MEMBER_PCT % of sales
# (default 70) with a member, no coupons, points or gifts redeemed, one cash tender rounded
# up to a whole unit, a fresh idempotency key per sale. A member's sale is priced as kassad
# prices it with the rule set in force: the member's tier (as kassa_member_pricing read
# it) gives the tier discount per line and the next tier's threshold, points are earned at
# the tier's multiplier, the new lot expires as the rule set says; so kassa_checkout()
# takes the same path as for kassad (guards, ledger, lot, tier check, upgrade). Two
# differences from kassad's exact text, both negligible in cost: arrays are built with
# ARRAY[...] from pgbench variables rather than sent as literals, and the pricing call is
# wrapped in a SELECT that reads the tier out of its JSON (pgbench cannot parse JSON).
#
# Prices without an extra round trip: kassa_checkout() checks every unit price against
# products. So the script sells its own products, 'PGB-00001'.. (created here if missing),
# whose price is a function of the product id, price_minor = 100 + (product_id * 7919) % 9901
# (1.00 to 100.00), which the setup below writes into the table and pgbench recomputes with
# \set. Product ids must be one contiguous range (they are when created in one INSERT).
# Members: the contiguous run of member ids starting at the smallest one.
#
# Each client sells to its own members (client c of C to mmin + c, mmin + c + C, ...): a
# sale kassad would retry (STALE_PRICING: another sale upgraded the member between the two
# statements) would abort a pgbench client instead. The members are still drawn uniformly
# from the whole range. Should a client abort anyway (a kassad job changed a tier, or there
# are fewer members than clients), it is counted as aborted= in the RESULT line.
#
# A 2-second warm-up run (not measured) comes first. The measured run logs every
# transaction (-l) into a temporary directory; latency percentiles come from those logs
# (pgbench itself prints only the average). The last line printed is machine-readable:
#   RESULT clients=N seconds=S tps=X mean_ms=... p50_ms=... p95_ms=... p99_ms=... max_ms=... failed=N aborted=N
#
# Writes real sales into the database: use a development or bench database only.
# Environment: PGB_LINES (default 3), PGB_MEMBER_PCT (default 70), PGB_PRODUCTS (default
#   1000), PGB_WARMUP seconds (default 2, 0 = none), PGB_TILL (a tills.code to sell at;
#   default: a bench till, else the first active till), PGB_JOBS (pgbench -j, default 2),
#   PGBENCH / PSQL (the programs).
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
LINES=${PGB_LINES:-3}
MEMBER_PCT=${PGB_MEMBER_PCT:-70}
WARMUP=${PGB_WARMUP:-2}
JOBS=${PGB_JOBS:-2}
PGBENCH=${PGBENCH:-pgbench}
PSQL=${PSQL:-psql}
[ "$JOBS" -gt "$CLIENTS" ] && JOBS=$CLIENTS
if [[ $LINES =~ ^([1-9][0-9]?)(-([1-9][0-9]?))?$ ]]; then
	LMIN=${BASH_REMATCH[1]}
	LMAX=${BASH_REMATCH[3]:-$LMIN}
fi
if [ -z "${LMIN:-}" ] || [ "$LMIN" -gt "$LMAX" ]; then
	die "PGB_LINES must be N or N-M (1-99): '$LINES'"
fi
if ! [[ $MEMBER_PCT =~ ^[0-9]+$ ]] || [ "$MEMBER_PCT" -gt 100 ]; then
	die "PGB_MEMBER_PCT must be 0-100: '$MEMBER_PCT'"
fi
command -v "$PGBENCH" >/dev/null || die "pgbench is not installed (Debian: postgresql-client-15)"
command -v "$PSQL" >/dev/null || die "psql is not installed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kassa-pgbench.XXXXXX")
trap '[ -n "${PGB_KEEP:-}" ] || rm -rf "$WORK"' EXIT

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
if [ "$PCOUNT" -le 0 ] || [ $((PMAX - PMIN + 1)) -ne "$PCOUNT" ]; then
	die "the PGB- products do not have contiguous ids ($PMIN..$PMAX, $PCOUNT rows)"
fi

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

# ---- what kassad reads from the rule set in force before it prices ----
# The statements below are kassad's (server/loyalty/checkout.c); if their functions change,
# this script must change with them.
[ "$(q -c "SELECT to_regprocedure('kassa_member_pricing(bigint, text, text[], text[], bigint,
	text, bytea)') IS NOT NULL AND to_regprocedure('kassa_checkout(bigint, bigint, bigint, text,
	bytea, bigint, bigint[], integer[], bigint[], bigint[], bigint[], bigint[], bigint[],
	bigint[], text[], bigint, bigint, bigint, bigint, integer, text, bigint,
	bigint, text[], date, text, bigint, bigint[], text, bigint, text[], text[])') IS NOT NULL")" = t ] ||
	die "kassa_member_pricing()/kassa_checkout() are not the ones this script sends" \
		"(migrations changed?): update it to what server/loyalty/checkout.c sends"
read -r VERSION BASIS MPP EXPIRES < <(q -c "SELECT version,
	CASE config->>'tier_basis' WHEN 'points_earned' THEN 'points_earned' ELSE 'spend' END,
	coalesce((config->'earn'->>'minor_per_point')::bigint, 1000),
	CASE WHEN config->>'points_expiry' = 'end_of_next_year' OR config->'points_expiry' IS NULL
	THEN make_date(extract(year FROM current_date)::integer + 1, 12, 31)
	ELSE (current_date + make_interval(months =>
		(config->'points_expiry'->>'months')::integer))::date END
	FROM rule_versions ORDER BY version DESC LIMIT 1")
if [ -z "${VERSION:-}" ] || [ "$MPP" -le 0 ]; then
	die "no rule set in rule_versions (is the schema migrated?)"
fi
# the tiers: name, discount (basis points), multiplier (x100), the next tier's threshold
TIERS=$(q -c "SELECT string_agg(format('(%L, %s, %s, %s)', name, bp, x100, next), ', '
	ORDER BY ord) FROM (SELECT t.ord, t.e->>'name' AS name,
		coalesce((t.e->>'discount_bp')::integer, 0) AS bp,
		coalesce((t.e->>'multiplier_x100')::integer, 100) AS x100,
		coalesce(lead((t.e->>'threshold')::bigint) OVER (ORDER BY t.ord), 0) AS next
	FROM rule_versions r, jsonb_array_elements(r.config->'tiers') WITH ORDINALITY AS t(e, ord)
	WHERE r.version = $VERSION) tiers")
[ -n "$TIERS" ] || die "the rule set in force (version $VERSION) has no tiers"

# ---- the pgbench scripts: one per line count, each one sale ----
# put LINE...: lines of a pgbench script, as they are
put() {
	printf '%s\n' "$@"
}
# arr PREFIX N: "ARRAY[:PREFIX1, ..., :PREFIXN]"
arr() {
	local i out=""
	for i in $(seq 1 "$2"); do
		out="$out${out:+, }:$1$i"
	done
	echo "ARRAY[$out]"
}
# zeros N: "ARRAY[0, ..., 0]"
zeros() {
	local i out=""
	for i in $(seq 1 "$1"); do
		out="$out${out:+, }0"
	done
	echo "ARRAY[$out]"
}
# checkout N MEMBER TIER POINTS NEXT OFFS EARNED SEEN: kassad's kassa_checkout() call
# (the tier after is the tier: a sale that reaches the next tier, which kassad would
# decide from the window's basis, is rare and not modelled)
checkout() {
	put "SELECT * FROM kassa_checkout(:store, :till, :staff, :key, :hash, $2," \
		"$(arr p "$1")::bigint[], $(arr q "$1")::integer[], $(arr u "$1")::bigint[]," \
		"$6::bigint[], $(zeros "$1")::bigint[], $(zeros "$1")::bigint[], $7::bigint[]," \
		"ARRAY[1, :tendered, 0, 0, 0]::bigint[], '{\"\",\"\"}'::text[]," \
		":total, :tendered, :change, $4, :version, $3, 0, 0, '{}'::text[]," \
		":expires::date, :basis, $5, $(zeros "$1")::bigint[], $3, $8," \
		"'{}'::text[], '{\"\",\"\",f,0}'::text[]);"
}
for n in $(seq "$LMIN" "$LMAX"); do
	f="$WORK/checkout$n.sql"
	{
		put "\\set key random(1, 9000000000000000000)"
		for i in $(seq 1 "$n"); do
			put "\\set p$i random(:pmin, :pmax)"
			put "\\set q$i random(1, 3)"
			put "\\set u$i 100 + (:p$i * 7919) % 9901"
			put "\\set g$i :u$i * :q$i"
		done
		put "\\set member :mmax > 0 and random(1, 100) <= :member_pct"
		put "\\if :member"
		if [ $((MMAX - MMIN + 1)) -ge "$CLIENTS" ]; then
			# client c sells to members mmin + c + k * clients only
			put "\\set mem :mmin + :client_id + :clients * random(0, (:mmax - :mmin - :client_id) / :clients)"
		else
			put "\\set mem random(:mmin, :mmax)"
		fi
		# step 2: kassad's pricing read; the tier it names gives discount, multiplier and
		# next threshold (OFFSET 0: the call is made once, not once per use of its result)
		put "SELECT s.t1 AS tier, coalesce(t.bp, 0) AS bp, coalesce(t.x100, 100) AS x100," \
			"coalesce(t.next, 0) AS next," \
			"s.$( [ "$BASIS" = points_earned ] && echo n7 || echo n6 ) AS seen" \
			"FROM (SELECT * FROM kassa_member_pricing(:mem, ''," \
			"'{}'::text[], '{}'::text[], :till, :key, :hash) WHERE kind = 'm' OFFSET 0) s" \
			"LEFT JOIN (VALUES $TIERS) AS t(name, bp, x100, next) ON t.name = s.t1"
		put "\\gset"
		# step 3: the tier discount per line, the points earned (per line, the rest on
		# the last), the cash tender
		net="" earned=""
		for i in $(seq 1 "$n"); do
			put "\\set o$i :g$i * :bp / 10000"
			put "\\set n$i :g$i - :o$i"
			net="$net${net:+ + }:n$i"
		done
		put "\\set total $net"
		put "\\set points :total * :x100 / 100 / :mpp"
		for i in $(seq 1 $((n - 1))); do
			put "\\set e$i :n$i * :x100 / 100 / :mpp"
			earned="$earned${earned:+ - }:e$i"
		done
		put "\\set e$n :points${earned:+ - $earned}"
		put "\\set tendered (:total + 99) / 100 * 100"
		put "\\set change :tendered - :total"
		checkout "$n" :mem :tier :points :next "$(arr o "$n")" "$(arr e "$n")" :seen
		put "\\else"
		put "\\set total ${net//:n/:g}"
		put "\\set tendered (:total + 99) / 100 * 100"
		put "\\set change :tendered - :total"
		checkout "$n" 0 "''" 0 0 "$(zeros "$n")" "$(zeros "$n")" 0
		put "\\endif"
	} >"$f"
done

ARGS=(-n -M prepared -c "$CLIENTS" -j "$JOBS"
	-D pmin="$PMIN" -D pmax="$PMAX" -D mmin="$MMIN" -D mmax="$MMAX" -D member_pct="$MEMBER_PCT"
	-D clients="$CLIENTS"
	-D store="$STORE" -D till="$TILL" -D staff="$STAFF" -D hash="\\x$(printf '%064d' 0)"
	-D version="$VERSION" -D basis="$BASIS" -D mpp="$MPP" -D expires="$EXPIRES")
for n in $(seq "$LMIN" "$LMAX"); do
	ARGS+=(-f "$WORK/checkout$n.sql@1")
done

# run NAME SECONDS [ARGS...]: pgbench into $WORK/NAME.out; fails only when it measured
# nothing (clients aborted by an error are counted, see the top of this file)
run() {
	local name=$1 secs=$2 rc=0
	shift 2
	"$PGBENCH" "${ARGS[@]}" -T "$secs" "$@" "$CONNINFO" >"$WORK/$name.out" 2>&1 || rc=$?
	if [ $rc != 0 ] && ! { grep -q 'aborted in command' "$WORK/$name.out" &&
		grep -q '^tps = ' "$WORK/$name.out"; }; then
		cat "$WORK/$name.out" >&2
		die "pgbench failed ($name run, exit $rc)"
	fi
	grep 'aborted in command' "$WORK/$name.out" | sed 's/^/bench-pgbench: /' >&2 || true
}

echo "bench-pgbench: $CLIENTS clients, $SECONDS_RUN s; $LINES lines, $MEMBER_PCT% members;" \
	"till $TILL store $STORE staff $STAFF; products $PMIN..$PMAX; members $MMIN..$MMAX;" \
	"rule set $VERSION"
[ "$WARMUP" -gt 0 ] && run warmup "$WARMUP"
run run "$SECONDS_RUN" -l --log-prefix="$WORK/log"
grep -E '^(number of (transactions|failed)|latency average|tps|number of clients)' \
	"$WORK/run.out" | grep -v 'including' || true

TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$WORK/run.out")
FAILED=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$WORK/run.out")
ABORTED=$(grep -c 'aborted in command' "$WORK/run.out" || true)
# per-transaction log lines: client_id transaction_no time_us script_no time_epoch time_us_part
cat "$WORK"/log.* | awk '{ print $3 }' | sort -n >"$WORK/lat"
awk -v tps="${TPS:-0}" -v c="$CLIENTS" -v s="$SECONDS_RUN" -v failed="${FAILED:-0}" \
	-v aborted="${ABORTED:-0}" '
	{ v[NR] = $1; sum += $1 }
	function pct(p,   i) { i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; return v[i] / 1000 }
	END {
		if (NR == 0) { print "bench-pgbench: no transactions logged" > "/dev/stderr"; exit 1 }
		printf "latency ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  (mean %.2f, %d transactions)\n",
			pct(50), pct(95), pct(99), v[NR] / 1000, sum / NR / 1000, NR
		printf "RESULT clients=%d seconds=%d tps=%.1f mean_ms=%.3f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f max_ms=%.3f failed=%d aborted=%d\n",
			c, s, tps, sum / NR / 1000, pct(50), pct(95), pct(99), v[NR] / 1000, failed, aborted
	}' "$WORK/lat"
