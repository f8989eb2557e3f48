#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_reports: `kassa-office report` as an analyst uses it, on a
# store of this run with a Chinese name and day aggregates written by hand
# in June 2018 (a month no other test touches): the list of reports; a
# report as a table (the default) in English and with --lang zh_CN, where
# every line of the grid has the same display width counted the way a
# terminal does (python3 unicodedata.east_asian_width: W and F are two
# cells), and Chinese headers; --format csv (column keys, machine values)
# and --format json (one object, cells typed by kind); --output FILE;
# --svg FILE; a year of 60 stores' days, more than one page of the
# answer, printed whole as one CSV; and refusals: a bad range is exit 1 with the server's code,
# a word the command does not take exit 2.
# Needs KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL (kassa-office
# is next to it unless KASSA_OFFICE names it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS

analyst() {
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff 3001 --pin 3333 "$@"
}

sql() {
	psql "$KASSA_CONNINFO" -Atc "$1"
}

# grid_aligned FILE: the lines from the column headers (line 4) to the first
# empty line after them all have one display width, and there are at least 4.
grid_aligned() {
	python3 - "$1" <<'PY'
import sys, unicodedata
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
grid = []
for l in lines[3:]:
    if l == "":
        break
    grid.append(l)
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
widths = sorted({w(l) for l in grid})
print("# grid lines:", len(grid), "widths:", widths, file=sys.stderr)
sys.exit(0 if len(grid) >= 4 and len(widths) == 1 else 1)
PY
}

run=$$-$(date +%s)
code="RPTS-$run"
sql "INSERT INTO stores (code, name, timezone) VALUES ('$code', '北京朝阳大悦城店', 'Asia/Shanghai')" >/dev/null
sid=$(sql "SELECT store_id FROM stores WHERE code = '$code'")
s001=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
sql "DELETE FROM agg_sales_day WHERE day BETWEEN '2018-06-01' AND '2018-06-30';
     INSERT INTO agg_sales_day VALUES
	($sid, '2018-06-01', 4, 10, 12000, 10000, 2, 6000, 1, 1500),
	($sid, '2018-06-02', 2, 3, 3000, 3000, 0, 0, 0, 0),
	($s001, '2018-06-01', 3, 5, 5000, 4500, 3, 4500, 0, 0)" >/dev/null
range="from=2018-06-01 to=2018-06-30"

# ---- the list ---------------------------------------------------------------

analyst report >"$tmp/list" 2>&1
rc=$?
sed 's/^/# /' "$tmp/list"
check "report (no name) lists the reports, one row each" $([ $rc = 0 ] &&
	grep -q '^sales_daily  *line' "$tmp/list" && grep -q '^staff ' "$tmp/list"; echo $?)

# ---- the table, English and Chinese -----------------------------------------

# shellcheck disable=SC2086
analyst --lang en report sales_by_store $range >"$tmp/en" 2>&1
rc=$?
sed 's/^/# /' "$tmp/en"
check "sales_by_store as a table: exit 0, the title and the range" $([ $rc = 0 ] &&
	[ "$(sed -n 1p "$tmp/en")" = "Sales by store" ] &&
	[ "$(sed -n 2p "$tmp/en")" = "2018-06-01 .. 2018-06-30 · CNY" ]; echo $?)
check "English headers; money in two decimals, shares as percentages" $(
	sed -n 4p "$tmp/en" | grep -q '^Store  *Store name  *Sales  *Items  *Total' &&
	grep -q "^$code  北京朝阳大悦城店  *6  *13  *130.00  *21.67  *46.15%  *1  *15.00  *115.00  *74.29%" "$tmp/en" &&
	grep -q '^S001  *Shanghai Xujiahui  *3  *5  *45.00' "$tmp/en"; echo $?)
check "English: every grid line has the same display width" $(grid_aligned "$tmp/en"; echo $?)
check "the notes follow the table" $(grep -q '^Refunds: counted on the day of the refund$' "$tmp/en"; echo $?)

# shellcheck disable=SC2086
analyst --lang zh_CN report sales_by_store $range >"$tmp/zh" 2>&1
rc=$?
sed 's/^/# /' "$tmp/zh"
check "--lang zh_CN: the title and the headers in Chinese" $([ $rc = 0 ] &&
	[ "$(sed -n 1p "$tmp/zh")" = "各门店销售" ] &&
	sed -n 4p "$tmp/zh" | grep -q '^门店  *门店名称  *笔数  *件数  *合计  *客单价  *会员占比'; echo $?)
check "--lang zh_CN: every grid line has the same display width" $(grid_aligned "$tmp/zh"; echo $?)
# shellcheck disable=SC2086
analyst --lang zh_CN report sales_daily $range store="$sid" >"$tmp/zh2" 2>&1
sed 's/^/# /' "$tmp/zh2"
check "--lang zh_CN sales_daily of one store: aligned, its two days only" $(
	grid_aligned "$tmp/zh2" && [ "$(grep -c "^$code " "$tmp/zh2")" = 2 ] &&
	! grep -q '^S001' "$tmp/zh2"; echo $?)

# ---- CSV and JSON -----------------------------------------------------------

# shellcheck disable=SC2086
analyst --format csv report sales_daily $range store="$sid" >"$tmp/csv" 2>&1
rc=$?
sed 's/^/# /' "$tmp/csv"
check "--format csv: the column keys, then machine values (minor units, basis points)" $(
	[ $rc = 0 ] && [ "$(tr -d '\r' <"$tmp/csv" | sed -n 1p)" = \
		"store,day,sales,items,total_minor,basket_minor,member_share_bp,refunds,refund_minor,net_minor" ] &&
	[ "$(tr -d '\r' <"$tmp/csv" | sed -n 2p)" = "$code,2018-06-01,4,10,10000,2500,6000,1,1500,8500" ] &&
	[ "$(tr -d '\r' <"$tmp/csv" | wc -l)" = 3 ]; echo $?)
check "--format csv is language-neutral" $(
	# shellcheck disable=SC2086
	analyst --lang zh_CN --format csv report sales_daily $range store="$sid" | cmp -s - "$tmp/csv"; echo $?)

# shellcheck disable=SC2086
analyst --format json report sales_by_store $range >"$tmp/json" 2>&1
rc=$?
sed 's/^/# /' "$tmp/json" | cut -c1-300
check "--format json: one object, cells typed by their column's kind" $([ $rc = 0 ] &&
	python3 - "$tmp/json" "$code" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
o = json.loads(lines[0])
assert len(lines) == 1
assert o["report"] == "sales_by_store" and o["from"] == "2018-06-01" and o["currency"] == "CNY"
assert o["columns"][4] == {"key": "total_minor", "kind": "money"}
row = [r for r in o["rows"] if r["store"] == sys.argv[2]][0]
assert row["store_name"] == "北京朝阳大悦城店"
assert row["total_minor"] == 13000 and row["share_bp"] == 7429 and row["sales"] == 6
assert o["notes"] == {"refunds": "on_their_own_day"}
assert o["lag_seconds"] == 0 and o["data_as_of"].endswith("Z")
PY
	echo $?)

# ---- --output, --svg ----------------------------------------------------------

# shellcheck disable=SC2086
analyst --format csv --output "$tmp/out.csv" report sales_daily $range store="$sid" >"$tmp/stdout" 2>&1
rc=$?
check "--output FILE: the CSV there, nothing on stdout" $([ $rc = 0 ] && [ ! -s "$tmp/stdout" ] &&
	cmp -s "$tmp/out.csv" "$tmp/csv"; echo $?)
# shellcheck disable=SC2086
analyst --svg "$tmp/chart.svg" report sales_daily $range store="$sid" >"$tmp/stdout" 2>&1
rc=$?
check "--svg FILE: the table on stdout and an SVG chart in the file" $([ $rc = 0 ] &&
	grep -q '^Daily sales by store$' "$tmp/stdout" && grep -q '<svg' "$tmp/chart.svg"; echo $?)

# ---- a report larger than one answer: the pages joined -----------------------

# 2016 (a year no other test fills): 60 stores' 366 days, 21,960 rows, more
# than one page of ReportRun; kassa-office prints them all, once, in order.
sql "DELETE FROM agg_sales_day WHERE day BETWEEN '2016-01-01' AND '2016-12-31';
     INSERT INTO stores (code, name, timezone) SELECT 'RPTY-$run-' || lpad(g::text, 2, '0'),
	'Year ' || g, 'Asia/Shanghai' FROM generate_series(1, 60) g;
     INSERT INTO agg_sales_day SELECT s.store_id, d::date, right(s.code, 2)::int,
	extract(doy FROM d)::int, 100, 100, 0, 0, 0, 0 FROM stores s,
	generate_series('2016-01-01'::date, '2016-12-31', '1 day') d
	WHERE s.code LIKE 'RPTY-$run-%'" >/dev/null
sql "SELECT s.code || ',' || a.day || ',' || a.sales || ',' || a.items FROM agg_sales_day a
     JOIN stores s USING (store_id) WHERE a.day BETWEEN '2016-01-01' AND '2016-12-31'
     ORDER BY a.day, s.code" >"$tmp/year.want"
analyst --format csv report sales_daily from=2016-01-01 to=2016-12-31 >"$tmp/year.csv" 2>&1
rc=$?
head -3 "$tmp/year.csv" | sed 's/^/# /'
check "--format csv of a year of 60 stores: every one of the 21,960 rows, once, in order" $(
	[ $rc = 0 ] && [ "$(wc -l <"$tmp/year.want")" = 21960 ] &&
	[ "$(tr -d '\r' <"$tmp/year.csv" | sed -n 1p | cut -d, -f1-4)" = "store,day,sales,items" ] &&
	tr -d '\r' <"$tmp/year.csv" | sed 1d | cut -d, -f1-4 | cmp -s - "$tmp/year.want"; echo $?)

# ---- refusals -------------------------------------------------------------------

analyst report sales_daily from=2018-06-30 to=2018-06-01 >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "from after to: exit 1, BAD_RANGE from the server" $([ $rc = 1 ] &&
	grep -q '"code":"INVALID_ARGUMENT","detail":"BAD_RANGE"' "$tmp/out"; echo $?)
analyst --lang zh_CN report no_such_report >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "an unknown report: exit 1, REPORT_UNKNOWN, the message in Chinese" $([ $rc = 1 ] &&
	grep -q '"code":"NOT_FOUND","detail":"REPORT_UNKNOWN","message":"没有报表' "$tmp/out"; echo $?)
analyst report sales_daily colour=red >"$tmp/out" 2>&1
check "a word the command does not take: exit 2 (usage)" $([ $? = 2 ] &&
	grep -q '"detail":"USAGE"' "$tmp/out"; echo $?)
analyst report sales_daily store=abc >"$tmp/out" 2>&1
check "store= must be an id: exit 2 (usage)" $([ $? = 2 ]; echo $?)

summary
