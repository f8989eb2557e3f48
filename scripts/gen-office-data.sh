#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# gen-office-data.sh: head office's data set at scale, for the reports, the RFM pass and
# the benchmarks (scripts/bench-office.sh): members, two years of sales with their lines,
# tenders, points, coupons, stored value, refunds and ratings, in a database migrated by
# `kassad migrate` (scripts/seed.sh's rows may be there too; nothing of theirs changes).
#
#   scripts/gen-office-data.sh CONNINFO [--members N] [--sales N] [--seed N]
#       [--stores N] [--products N] [--days N] [--refund-pct P] [--kassad KASSAD]
#       [--rfm-window DAYS] [--new-days DAYS] [--lost-days DAYS] [--zone TZ]
#       [--no-vacuum] [--no-analytics]
#
# Defaults: 1,000,000 members, 10,000,000 sales, seed 1, 200 stores, 5,000 products, 730
# days up to now, 1% of the sales refunded. The same seed and sizes give the same data
# (on the same day: the two years end now).
# --kassad hashes PIN 1234 for the generated staff (without it they cannot log in).
# --rfm-window, --new-days, --lost-days, --zone: what kassad's analytics job would pass
# (default 365, 30, 180 and '': the session's zone) for the aggregates and the RFM pass.
#
# What it makes (scripts/gen-office-data.sql has the rules, in SQL):
#   stores    G001.. (Zipf sizes: the largest sells 25 times the smallest), most in
#             Asia/Shanghai, a few in Urumqi, Hong Kong, Singapore, Tokyo; tills G001-T1..T5;
#             a manager (staff 100000 + 100 i, role manager) and 3-12 cashiers each
#   products  GEN-000001.. in 40 categories, Zipf popularity in each, prices in fen
#   members   phones +86 1xx nnnnnnnn, cards K7nnnnnnnnn; loyal, regular, occasional,
#             rare and churned (stopped about a year ago) members, 30% joined before the
#             sales start, the rest join over the two years; birthdays, consent, tags
#   sales     over the last two years with the weekday (weekends busier), the year's peaks
#             (Chinese New Year, Golden Week, Double 11, the year end) and the summer dip,
#             lunch and evening peaks in opening hours, 60% to members; 1-8 lines; tier
#             discounts, coupons, points redeemed, stored value, as rule set version 1 has it
#   and       the points ledger with its lots and lot moves (and last New Year's expiry),
#             coupons issued and used, wallets with top-ups, refunds, 5% of sales rated
# The invariants the schema and the tests rely on hold (tests/integration/scripts/
# test_gen_office_data.sh checks them). Secondary indexes and constraints of the tables
# loaded are dropped for the load and rebuilt from their definitions, so the schema stays
# exactly as migrate made it; then VACUUM ANALYZE, then the analytics job's functions
# (migrations/functions/analytics.sql) rebuild every aggregate bucket and make a full RFM
# pass (--no-analytics skips that). Each phase prints its elapsed time, then the total
# and the database's size. The data is one transaction: a failure leaves the database as
# it was. At full scale it takes minutes of both cores and 17 GB (docs/office.md, "Scale");
# --members 10000 --sales 100000 is the development size.
set -euo pipefail

die() {
	echo "gen-office-data: $*" >&2
	exit 1
}

usage() {
	sed -n '9,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || usage
CONNINFO=$1
shift
MEMBERS=1000000
SALES=10000000
SEED=1
STORES=200
PRODUCTS=5000
DAYS=730
REFUND_PCT=1
KASSAD=
RFM_WINDOW=365
NEW_DAYS=30
LOST_DAYS=180
ZONE=
VACUUM=1
ANALYTICS=1
while [ $# -gt 0 ]; do
	case "$1" in
	--members | --sales | --seed | --stores | --products | --days | --refund-pct | --kassad | \
		--rfm-window | --new-days | --lost-days | --zone)
		[ $# -ge 2 ] || usage
		case "$1" in
		--members) MEMBERS=$2 ;;
		--sales) SALES=$2 ;;
		--seed) SEED=$2 ;;
		--stores) STORES=$2 ;;
		--products) PRODUCTS=$2 ;;
		--days) DAYS=$2 ;;
		--refund-pct) REFUND_PCT=$2 ;;
		--kassad) KASSAD=$2 ;;
		--rfm-window) RFM_WINDOW=$2 ;;
		--new-days) NEW_DAYS=$2 ;;
		--lost-days) LOST_DAYS=$2 ;;
		--zone) ZONE=$2 ;;
		esac
		shift 2
		;;
	--no-vacuum) VACUUM=0; shift ;;
	--no-analytics) ANALYTICS=0; shift ;;
	*) usage ;;
	esac
done
for v in MEMBERS:members SALES:sales SEED:seed STORES:stores PRODUCTS:products DAYS:days \
	RFM_WINDOW:rfm-window NEW_DAYS:new-days LOST_DAYS:lost-days; do
	name=${v%%:*}
	[[ ${!name} =~ ^[0-9]+$ ]] || die "--${v#*:} takes a whole number, not '${!name}'"
done
[[ $ZONE =~ ^[A-Za-z0-9/_+-]*$ ]] || die "--zone takes a time zone name, not '$ZONE'"
[[ $REFUND_PCT =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--refund-pct takes a number, not '$REFUND_PCT'"
[ "$STORES" -ge 1 ] && [ "$STORES" -le 999 ] || die "--stores is 1 to 999"
[ "$PRODUCTS" -ge 40 ] && [ "$PRODUCTS" -le 999999 ] || die "--products is 40 to 999999"
[ "$DAYS" -ge 30 ] && [ "$DAYS" -le 3650 ] || die "--days is 30 to 3650"
[ "$MEMBERS" -le 1000000000 ] || die "--members is at most 1000000000"
command -v psql >/dev/null || die "psql is not installed (apt-get install postgresql-client-15)"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$CONNINFO")
q() { "${PSQL[@]}" -At -c "$1"; }

q "SELECT to_regclass('members') IS NOT NULL AND to_regclass('member_stats') IS NOT NULL" |
	grep -qx t || die "the database has no Kassa schema (version 12): run 'kassad migrate' first"
[ "$(q "SELECT count(*) FROM stores WHERE code = 'G001'")" = 0 ] ||
	die "the database holds generated data already (store G001): generate into a fresh one"

PIN_HASH='!generated-staff-cannot-log-in'
if [ -n "$KASSAD" ]; then
	[ -x "$KASSAD" ] || die "--kassad: not an executable: $KASSAD"
	PIN_HASH=$("$KASSAD" hash-pin 1234) || die "$KASSAD hash-pin failed"
fi

start=$(date +%s.%N)
echo "gen: $MEMBERS members, $SALES sales, $STORES stores, $PRODUCTS products, $DAYS days," \
	"seed $SEED"
"${PSQL[@]}" -v members="$MEMBERS" -v sales="$SALES" -v seed="$SEED" -v stores="$STORES" \
	-v products="$PRODUCTS" -v days="$DAYS" -v refund_pct="$REFUND_PCT" \
	-v pin_hash="$PIN_HASH" -f "$HERE/gen-office-data.sql"

# phase NAME START: the line the SQL phases print
phase() {
	awk -v n="$1" -v a="$2" -v b="$(date +%s.%N)" 'BEGIN { printf "gen: %-36s %8.1f s\n", n, b - a }'
}

if [ "$VACUUM" = 1 ]; then
	t=$(date +%s.%N)
	# hint bits and the visibility map now rather than under the first reports, and no
	# autovacuum of ten million fresh rows during a benchmark
	if command -v vacuumdb >/dev/null; then
		vacuumdb --quiet --jobs=2 --analyze --dbname="$CONNINFO"
	else
		"${PSQL[@]}" -c "VACUUM (ANALYZE)"
	fi
	phase "vacuum, analyze" "$t"
else
	t=$(date +%s.%N)
	"${PSQL[@]}" -c "ANALYZE"
	phase "analyze" "$t"
fi

if [ "$ANALYTICS" = 1 ]; then
	t=$(date +%s.%N)
	"${PSQL[@]}" -v window_days="$RFM_WINDOW" -v new_days="$NEW_DAYS" -v lost_days="$LOST_DAYS" \
		-v zone="$ZONE" -f "$HERE/gen-office-analytics.sql"
	phase "analytics (buckets, RFM pass)" "$t"
fi

phase "total" "$start"
echo "gen: database size $(q "SELECT pg_size_pretty(pg_database_size(current_database()))")"
