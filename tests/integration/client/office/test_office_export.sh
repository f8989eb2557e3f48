#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_export: kassa-office export as an analyst uses it. A store of
# its own with hand-made sales (a product named =HYPERLINK("x"), one with a
# comma and Chinese, one with a quote, a member's sale, two tenders) is
# exported as CSV with and without --bom and read back with python3's csv
# module, cell for cell against psql's own query of the same rows; the
# formula is guarded ('=HYPERLINK(...)) while a negative number would stay
# a number; records end with CRLF. JSON lines parse, one typed object a
# row. The summary on stderr names the export, whose exports row and
# audit_log row say who exported what. A usage mistake is exit 2, an
# unwritable --output exit 1 with nothing written, and a disk that fills
# up midway exit 1 with FILE absent and the pages so far in FILE.partial.
# Needs KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL (kassa-office
# is next to it unless KASSA_OFFICE names it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

run=$$$(date +%s)
tag="OX$run"

# ---- the store and its sales ------------------------------------------------
# s1 2021-05-01 00:30 local (04-30 in UTC): =HYPERLINK x2 and the tea; s2
# 05-02, a member's, cash + card, 200 lines of the quoted product; s3
# 05-03 local: outside the range.
phone="+86136$(printf '%08d' $(( (RANDOM * 32768 + RANDOM + $$) % 100000000 )))"
sql "
INSERT INTO stores (code, name, timezone) VALUES ('$tag', '导出测试店', 'Asia/Shanghai');
INSERT INTO tills (store_id, code) SELECT store_id, '$tag-T' FROM stores WHERE code = '$tag';
INSERT INTO products (sku, name, category, price_minor) VALUES
	('$tag-F', '=HYPERLINK(\"x\")', '-1 category', 250),
	('$tag-T', '乌龙茶, 500g', '茶', 1200),
	('$tag-Q', 'Say \"hi\"', 'misc', 100);
INSERT INTO members (phone, card_no, name) VALUES ('$phone', '$tag-C', 'Export Shell');
INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency, total_minor,
	tendered_minor, change_minor, gross_minor, kind, receipt_no, created_at)
SELECT s.store_id, t.till_id, 1001,
	CASE WHEN v.n = 2 THEN (SELECT member_id FROM members WHERE card_no = '$tag-C') END,
	'CNY', v.total, v.total, 0, v.total, 'sale', '$tag-' || v.n, v.at::timestamptz
FROM stores s JOIN tills t ON t.store_id = s.store_id,
	(VALUES (1, 1700, '2021-04-30 16:30:00+00'), (2, 20000, '2021-05-02 10:00:00+00'),
		(3, 100, '2021-05-02 16:00:00+00')) AS v(n, total, at)
WHERE s.code = '$tag' ORDER BY v.n;
-- the member's spend stays the sum of their sales, as everywhere
UPDATE members SET cumulative_spend_minor = 20000 WHERE card_no = '$tag-C';
INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity,
	unit_price_minor, line_total_minor, net_minor)
SELECT x.txn_id, v.line, p.product_id, p.sku, p.name, v.qty, p.price_minor,
	v.qty * p.price_minor, v.qty * p.price_minor
FROM (VALUES (1, 1, 'F', 2), (1, 2, 'T', 1), (3, 1, 'Q', 1)) AS v(n, line, prod, qty)
JOIN transactions x ON x.receipt_no = '$tag-' || v.n JOIN products p ON p.sku = '$tag-' || v.prod;
INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity,
	unit_price_minor, line_total_minor, net_minor)
SELECT x.txn_id, g, p.product_id, p.sku, p.name, 1, 100, 100, 100
FROM generate_series(1, 200) g, transactions x, products p
WHERE x.receipt_no = '$tag-2' AND p.sku = '$tag-Q';
INSERT INTO tenders (txn_id, tender_no, kind, amount_minor)
SELECT x.txn_id, v.no, v.kind, v.amount
FROM (VALUES (1, 1, 1, 1700), (2, 1, 1, 15000), (2, 2, 2, 5000), (3, 1, 1, 100))
	AS v(n, no, kind, amount)
JOIN transactions x ON x.receipt_no = '$tag-' || v.n;" >/dev/null
store=$(sql "SELECT store_id FROM stores WHERE code = '$tag'")
check "the fixture store exists" $([ -n "$store" ]; echo $?)
range="from=2021-05-01 to=2021-05-02 store=$store"

# psql's own rows, one field a line separated by US (0x1f): what the CSV must hold
lines_sql="SELECT l.txn_id, l.line_no, l.sku, l.name, p.category, l.quantity, l.unit_price_minor,
	l.net_minor FROM transaction_lines l JOIN transactions t ON t.txn_id = l.txn_id
	JOIN products p ON p.product_id = l.product_id JOIN stores s ON s.store_id = t.store_id
	WHERE s.code = '$tag' AND (t.created_at AT TIME ZONE s.timezone)::date
	BETWEEN '2021-05-01' AND '2021-05-02' ORDER BY 1, 2"
psql "$KASSA_CONNINFO" -AtF $'\x1f' -c "$lines_sql" >"$tmp/lines.psql"
sales_sql="SELECT t.txn_id, t.receipt_no, s.code, tl.code, t.staff_id, coalesce(t.member_id::text, ''),
	to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), t.currency,
	t.total_minor, (SELECT sum(quantity) FROM transaction_lines l WHERE l.txn_id = t.txn_id),
	(SELECT string_agg(CASE kind WHEN 1 THEN 'cash' WHEN 2 THEN 'card' ELSE 'ewallet' END
		|| ':' || amount_minor, ';' ORDER BY tender_no) FROM tenders d WHERE d.txn_id = t.txn_id)
	FROM transactions t JOIN stores s ON s.store_id = t.store_id JOIN tills tl ON tl.till_id = t.till_id
	WHERE s.code = '$tag' AND (t.created_at AT TIME ZONE s.timezone)::date
	BETWEEN '2021-05-01' AND '2021-05-02' ORDER BY 1"
psql "$KASSA_CONNINFO" -AtF $'\x1f' -c "$sales_sql" >"$tmp/sales.psql"
check "psql: 202 lines and 2 sales in the range" $([ "$(wc -l <"$tmp/lines.psql")" = 202 ] &&
	[ "$(wc -l <"$tmp/sales.psql")" = 2 ]; echo $?)

# compare.py CSV PSQL TEXTCOLS [ENCODING]: the CSV read back equals psql's rows,
# a text cell starting with = + - @ read with the guard's apostrophe
cat >"$tmp/compare.py" <<'EOF'
import csv, sys
path, ref, textcols = sys.argv[1], sys.argv[2], {int(c) for c in sys.argv[3].split(',')}
enc = sys.argv[4] if len(sys.argv) > 4 else 'utf-8'
raw = open(path, 'rb').read()
body = raw[3:] if raw.startswith(b'\xef\xbb\xbf') else raw
assert enc == 'utf-8-sig' or not raw.startswith(b'\xef\xbb\xbf'), 'a BOM without --bom'
assert enc != 'utf-8-sig' or raw.startswith(b'\xef\xbb\xbf'), 'no BOM with --bom'
assert body.count(b'\n') == body.count(b'\r\n'), 'every record ends with CRLF'
rows = list(csv.reader(open(path, newline='', encoding=enc)))
want = [l.rstrip('\n').split('\x1f') for l in open(ref, encoding='utf-8')]
header, rows = rows[0], rows[1:]
assert len(rows) == len(want), f'{len(rows)} rows, psql has {len(want)}'
guarded = 0
for got, exp in zip(rows, want):
    assert len(got) == len(exp), (got, exp)
    for i, (g, e) in enumerate(zip(got, exp)):
        if i in textcols and e[:1] in ('=', '+', '-', '@', '\t', '\r'):
            assert g == "'" + e, (i, g, e)
            guarded += 1
        else:
            assert g == e, (i, g, e)
print(','.join(header), guarded)
EOF

# ---- lines as CSV, without and with --bom -----------------------------------

rm -f "$tmp/lines.csv"
analyst --output "$tmp/lines.csv" export lines $range limit=7 >"$tmp/out" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/err"
check "export lines exits 0" $([ $rc = 0 ]; echo $?)
check "nothing on stdout with --output" $([ ! -s "$tmp/out" ]; echo $?)
check "the summary on stderr: ok, the export, 202 rows" $(grep '"ok":true' "$tmp/err" |
	grep '"cmd":"export lines"' | grep -q '"rows":202'; echo $?)
check "the file is complete (no .partial left)" $([ -f "$tmp/lines.csv" ] &&
	[ ! -e "$tmp/lines.csv.partial" ]; echo $?)
cmp=$(python3 "$tmp/compare.py" "$tmp/lines.csv" "$tmp/lines.psql" 2,3,4 2>&1)
rc=$?
echo "# $cmp" | head -n 5
check "lines.csv read back by python's csv equals psql's rows" $([ $rc = 0 ]; echo $?)
check "the header is the column keys" $(echo "$cmp" |
	grep -q '^txn_id,line_no,sku,name,category,quantity,unit_price_minor,net_minor '; echo $?)
check "=HYPERLINK(\"x\") (on its line) and '-1 category' come out guarded" \
	$(echo "$cmp" | grep -q ' 2$'; echo $?)
check "the guarded cell as a spreadsheet sees it" $(grep -qF "\"'=HYPERLINK(\"\"x\"\")\"" \
	"$tmp/lines.csv"; echo $?)
check "the comma and the Chinese are quoted, not split" $(grep -qF '"乌龙茶, 500g"' \
	"$tmp/lines.csv"; echo $?)
id=$(json_field export_id <"$tmp/err")

analyst --bom --output "$tmp/lines_bom.csv" export lines $range 2>"$tmp/err"
rc=$?
check "export lines --bom exits 0" $([ $rc = 0 ]; echo $?)
check "--bom: the file starts with EF BB BF" $([ "$(head -c 3 "$tmp/lines_bom.csv" | od -An -tx1 |
	tr -d ' ')" = efbbbf ]; echo $?)
python3 "$tmp/compare.py" "$tmp/lines_bom.csv" "$tmp/lines.psql" 2,3,4 utf-8-sig >/dev/null
check "lines_bom.csv read back (utf-8-sig) equals psql's rows" $([ $? = 0 ]; echo $?)
check "the same bytes after the BOM" $(cmp -s <(tail -c +4 "$tmp/lines_bom.csv") \
	"$tmp/lines.csv"; echo $?)

# ---- sales as CSV on stdout ---------------------------------------------------

analyst export sales $range limit=1 >"$tmp/sales.csv" 2>"$tmp/err"
rc=$?
check "export sales to stdout exits 0" $([ $rc = 0 ]; echo $?)
python3 "$tmp/compare.py" "$tmp/sales.csv" "$tmp/sales.psql" 1,2,3,6,7,10 >"$tmp/cmp" 2>&1
rc=$?
sed 's/^/# /' "$tmp/cmp" | head -n 5
check "sales.csv equals psql's rows (tenders summary, items, UTC times, the member)" \
	$([ $rc = 0 ]; echo $?)
check "the sales summary: 2 rows" $(grep -q '"rows":2' "$tmp/err"; echo $?)

# ---- JSON lines -----------------------------------------------------------------

analyst --format json --output "$tmp/lines.jsonl" export lines $range 2>"$tmp/err"
rc=$?
check "export lines --format json exits 0" $([ $rc = 0 ]; echo $?)
python3 - "$tmp/lines.jsonl" "$tmp/lines.psql" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
want = [l.rstrip('\n').split('\x1f') for l in open(sys.argv[2], encoding='utf-8')]
assert len(rows) == len(want) == 202
keys = ['txn_id', 'line_no', 'sku', 'name', 'category', 'quantity', 'unit_price_minor', 'net_minor']
for r, w in zip(rows, want):
    assert list(r) == keys, list(r)
    for k, v in zip(keys, w):
        if k in ('sku', 'name', 'category'):
            assert r[k] == v, (k, r[k], v)     # text as it is: no guard in JSON
        else:
            assert type(r[k]) is int and r[k] == int(v), (k, r[k], v)
EOF
check "JSON lines: one object a row, integers typed, text unguarded" $([ $? = 0 ]; echo $?)

# ---- who exported what ------------------------------------------------------------

check "the exports row: analyst 3001 at HQ-OFFICE-1, lines, 202 rows, finished" $([ "$(sql "
	SELECT e.staff_id || '|' || t.code || '|' || e.kind || '|' || e.rows || '|' ||
	       (e.finished_at IS NOT NULL) || '|' || (e.params->>'store_id')
	FROM exports e JOIN tills t ON t.till_id = e.till_id WHERE e.export_id = ${id:-0}")" = \
	"3001|HQ-OFFICE-1|lines|202|true|$store" ]; echo $?)
check "the audit_log row export.start of that export" $([ "$(sql "
	SELECT count(*) FROM audit_log WHERE action = 'export.start' AND subject = 'export:${id:-0}'
	AND staff_id = 3001 AND detail->'params'->>'from' = '2021-05-01'")" = 1 ]; echo $?)

# ---- members by member find's filter words ------------------------------------------

phone2="+86135$(printf '%08d' $(( (RANDOM * 32768 + RANDOM + $$) % 100000000 )))"
sql "UPDATE members SET tags = ARRAY['$tag'] WHERE card_no = '$tag-C';
	INSERT INTO members (phone, card_no, name, tags, erased_at)
	VALUES ('$phone2', '$tag-E', 'Erased', ARRAY['$tag'], now())" >/dev/null
analyst --format json export members tag="$tag" >"$tmp/members.jsonl" 2>"$tmp/err"
rc=$?
check "export members tag=...: exit 0, the member, not the erased one" $([ $rc = 0 ] &&
	[ "$(wc -l <"$tmp/members.jsonl")" = 1 ] && grep -q "\"card_no\":\"$tag-C\"" \
	"$tmp/members.jsonl"; echo $?)
analyst export members consent=maybe >"$tmp/out" 2>&1
check "a filter word that cannot be read is a usage error: exit 2" $([ $? = 2 ]; echo $?)
analyst export members birthday_month=13 >"$tmp/out" 2>&1
check "a month the server refuses: exit 1, said on stderr" $([ $? = 1 ] &&
	grep -q '"ok":false' "$tmp/out"; echo $?)

# ---- refusals and failures ----------------------------------------------------------

analyst export lines from=yesterday >/dev/null 2>&1
check "a bad day is refused by the server: exit 1" $([ $? = 1 ]; echo $?)
analyst export sales color=red >"$tmp/out" 2>&1
check "an unknown word is a usage error: exit 2" $([ $? = 2 ]; echo $?)
analyst export members segment=x tag=y >/dev/null 2>&1
check "a segment and a filter at once: exit 2" $([ $? = 2 ]; echo $?)
analyst --format table export sales $range >/dev/null 2>&1
check "--format table is not an export format: exit 2" $([ $? = 2 ]; echo $?)
analyst --output "$tmp/no/such/dir/x.csv" export sales $range 2>"$tmp/err"
rc=$?
check "an unwritable --output: exit 1, said on stderr" $([ $rc = 1 ] &&
	grep -q '"ok":false' "$tmp/err"; echo $?)

# a disk that fills up midway: at most 1 KiB may be written (ulimit -f), the
# export needs more; SIGXFSZ ignored, so the write fails with EFBIG
rm -f "$tmp/full.csv" "$tmp/full.csv.partial"
(
	trap '' XFSZ
	ulimit -f 1
	analyst --output "$tmp/full.csv" export lines $range limit=5
) >"$tmp/out" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/err"
check "the disk full midway: exit 1" $([ $rc = 1 ]; echo $?)
check "... said on stderr: the write failed, the export is incomplete" $(grep -q 'WRITE_FAILED' \
	"$tmp/err" && grep -q 'full.csv.partial' "$tmp/err"; echo $?)
check "... FILE is not there, FILE.partial holds the pages written" $([ ! -e "$tmp/full.csv" ] &&
	[ -s "$tmp/full.csv.partial" ] && head -c 7 "$tmp/full.csv.partial" | grep -q '^txn_id,'; echo $?)

# an --output that is no regular file (a FIFO here; /dev/null alike) is written
# straight, never replaced by a renamed file
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
analyst --output "$tmp/fifo" export sales $range 2>"$tmp/err"
rc=$?
wait "$reader"
check "export to a FIFO exits 0, the FIFO is still a FIFO and nothing.partial is left" $(
	[ $rc = 0 ] && [ -p "$tmp/fifo" ] && [ ! -e "$tmp/fifo.partial" ]; echo $?)
check "... and the reader got the same rows as stdout did" $(
	cmp -s "$tmp/from-fifo" "$tmp/sales.csv"; echo $?)

summary
