#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_count_script: a stock count at the till in script mode (count open,
# scan by SKU and by barcode, set, show, post, cancel; bad input refused
# with nothing changed) and a transfer from kassa-office (transfer send,
# list, receive short, show; count show and post from the office), one
# JSON object per command. Needs KASSA_TEST_ENV, KASSA_TILL and
# KASSA_OFFICE. Rules: docs/store/counts.md.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=../office/lib_office.sh
. "$(dirname "$0")/../office/lib_office.sh"

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script "$@"
}

tag="CS$$$(date +%s)"
a="$tag-A"
b="$tag-B"
s1=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
s2=$(sql "SELECT store_id FROM stores WHERE code = 'S002'")
sql "INSERT INTO products (sku, barcode, name, category, price_minor) VALUES
	('$a', '$tag-BCA', '苹果汁 Apple Juice', '$tag', 500), ('$b', NULL, 'Bread', '$tag', 300)" >/dev/null
pa=$(sql "SELECT product_id FROM products WHERE sku = '$a'")
pb=$(sql "SELECT product_id FROM products WHERE sku = '$b'")
sql "SELECT kassa_stock_moves($s1, 'adjust', 0, 0, ARRAY[$pa, $pb]::bigint[], ARRAY[10, 4]::bigint[])" >/dev/null
level() { sql "SELECT coalesce((SELECT on_hand FROM kassa_stock_on_hand WHERE store_id = $1 AND product_id = $2), 0)"; }

# a category count: scans add up, a correction sets, bad input is refused
out=$(till <<SCRIPT
login 1001 1234
count open category=$tag
count scan $a
count scan $tag-BCA 2
count scan $a 3
count set $b 5
count scan NO-SUCH-CODE
count scan $a -1
count show
SCRIPT
)
echo "$out" | sed 's/^/# /'
check "one JSON object per command" $([ "$(echo "$out" | grep -c '^{.*}$')" = 9 ]; echo $?)
id=$(echo "$out" | grep '"cmd":"count open"' | json_field count_id)
check "the session is open" $(echo "$out" | grep '"cmd":"count open"' | grep -q '"state":"open"'; echo $?)
show=$(echo "$out" | grep '"cmd":"count show"')
check "scans add up (1 + 2 + 3)" $(echo "$show" | grep -q "\"sku\":\"$a\",\"name\":\"[^\"]*\",\"counted\":6,\"expected\":10,\"variance\":-4"; echo $?)
check "a correction sets" $(echo "$show" | grep -q "\"sku\":\"$b\",\"name\":\"Bread\",\"counted\":5,\"expected\":4,\"variance\":1"; echo $?)
check "an unknown code is NOT_FOUND" $(echo "$out" | grep '"cmd":"count scan"' | grep -q '"detail":"UNKNOWN_PRODUCT"'; echo $?)
check "a negative quantity is refused" $(echo "$out" | grep '"cmd":"count scan"' | grep -q '"detail":"BAD_QUANTITY"'; echo $?)
check "the refusals counted nothing" $([ "$(sql "SELECT sum(counted) FROM count_lines WHERE count_id = ${id:-0}")" = 11 ]; echo $?)

# a cashier cannot post; the office shows and posts it
out=$(till <<SCRIPT
login 1001 1234
count post $id
SCRIPT
)
check "a cashier's post is refused" $(echo "$out" | grep -q '"code":"PERMISSION_DENIED"'; echo $?)
out=$(manager count show "$id")
check "count show from the office" $(echo "$out" | grep -q "\"count_id\":$id,"; echo $?)
out=$(manager count post "$id")
echo "# $out"
check "count post: 2 moves" $(echo "$out" | grep -q '"state":"posted"' && echo "$out" | grep -q '"moves":2'; echo $?)
check "levels are the counted ones" $([ "$(level "$s1" "$pa")" = 6 ] && [ "$(level "$s1" "$pb")" = 5 ]; echo $?)
out=$(manager count post "$id")
check "posting again is COUNT_CLOSED" $(echo "$out" | grep -q '"detail":"COUNT_CLOSED"'; echo $?)

# cancel at the till (a manager)
out=$(till <<SCRIPT
login 2001 9999
count open codes=$a,$b
count scan $a
count cancel
count scan $a
SCRIPT
)
check "count cancel" $(echo "$out" | grep '"cmd":"count cancel"' | grep -q '"state":"cancelled"'; echo $?)
check "a cancelled count does not change" $(echo "$out" | tail -n 1 | grep -q '"ok":false'; echo $?)
check "cancelling moved nothing" $([ "$(level "$s1" "$pa")" = 6 ]; echo $?)

# a transfer from the office: in transit, received short
out=$(manager transfer send to=S002 "$a=4" "$b=2" from=S001 note=restock)
echo "# $out"
tid=$(echo "$out" | json_field transfer_id)
check "transfer send" $(echo "$out" | grep -q '"state":"sent"'; echo $?)
check "stock left S001" $([ "$(level "$s1" "$pa")" = 2 ] && [ "$(level "$s1" "$pb")" = 3 ]; echo $?)
out=$(manager transfer list store="$s2" state=sent)
check "in transit: listed as sent" $(echo "$out" | grep -q "\"transfer_id\":$tid,"; echo $?)
check "nothing at S002 yet" $([ "$(level "$s2" "$pa")" = 0 ]; echo $?)
out=$(manager transfer receive "$tid" "$a=3" "$b=2")
echo "# $out"
check "received" $(echo "$out" | grep -q '"state":"received"'; echo $?)
check "under-delivery recorded" $(echo "$out" | grep -q "\"sku\":\"$a\",\"name\":\"[^\"]*\",\"sent\":4,\"received\":3,\"discrepancy\":-1"; echo $?)
check "stock arrived at S002 as received" $([ "$(level "$s2" "$pa")" = 3 ] && [ "$(level "$s2" "$pb")" = 2 ]; echo $?)
out=$(manager transfer receive "$tid")
check "receiving twice is refused" $(echo "$out" | grep -q '"detail":"ALREADY_RECEIVED"'; echo $?)
out=$(manager transfer send to=S001 "$a=1" from=S001)
check "to the same store is refused" $(echo "$out" | grep -q '"detail":"SAME_STORE"'; echo $?)
out=$(manager transfer send to=S002 "$a=0" from=S001)
check "a quantity of 0 is refused" $(echo "$out" | grep -q '"ok":false'; echo $?)
check "the refusals moved nothing" $([ "$(level "$s1" "$pa")" = 2 ]; echo $?)
out=$(manager transfer show "$tid")
check "transfer show" $(echo "$out" | grep -q "\"transfer_id\":$tid,.*\"state\":\"received\""; echo $?)
check "audited" $([ "$(sql "SELECT count(*) FROM audit_log WHERE subject IN ('count:$id', 'transfer:$tid') AND action IN ('stock.count', 'transfer.send', 'transfer.receive')")" = 3 ]; echo $?)

summary
