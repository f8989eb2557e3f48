#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_supply: `kassa-office supplier ...` and `po ...` as head office
# and a store's receiving use them (client/office/supply_cmds.c,
# docs/store/supply.md):
#  - supplier put / product / list: one JSON object each, with the product;
#  - po create SKU=QTY, send, receive part (partial, the stock follows),
#    show (what is outstanding), receive all (received), list state=received;
#  - po suggest and po create from-suggestion (nothing sold: the safety level);
#  - a zero quantity and an unknown SKU are refused and move no stock;
#  - report suppliers lists the supplier.
# Needs KASSA_TEST_ENV and KASSA_TILL (see lib_office.sh).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

store=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
sku="OFP-$$-$(date +%s)"
sup="SUP-$$-$(date +%s)"
sql "INSERT INTO products (sku, name, price_minor) VALUES ('$sku', '采购测试 Office supply', 100)" >/dev/null
level() { sql "SELECT coalesce((SELECT on_hand FROM kassa_stock_on_hand l JOIN products p USING (product_id) WHERE p.sku = '$sku' AND l.store_id = $store), 0)"; }

admin supplier put "$sup" name="上海供应 Shanghai Supply" phone="+86 21 5555 0101" email=orders@example.com >"$tmp/sup.json"
check "supplier put exits 0" $?
grep -q "\"code\":\"$sup\"" "$tmp/sup.json"
check "supplier put answers the supplier" $?
admin supplier product "$sup" "$sku" cost=2.50 lead_days=3 pack=6 preferred=yes >"$tmp/prod.json"
check "supplier product exits 0" $?
grep -q '"cost":"2.50"' "$tmp/prod.json" && grep -q '"pack":6' "$tmp/prod.json"
check "the product at 2.50 in packs of 6" $?
admin supplier list >"$tmp/list.json"
check "supplier list lists it" "$(grep -q "\"code\":\"$sup\"" "$tmp/list.json"; echo $?)"

admin po create supplier="$sup" store="$store" "$sku=12" >"$tmp/po.json"
check "po create exits 0" $?
po=$(json_field po_id <"$tmp/po.json")
grep -q '"state":"draft"' "$tmp/po.json"
check "a draft" $?
admin po send "$po" >"$tmp/send.json"
check "po send: sent" "$(grep -q '"state":"sent"' "$tmp/send.json"; echo $?)"

admin po receive "$po" "$sku=5" >"$tmp/r1.json"
check "po receive exits 0" $?
check "partial" "$(grep -q '"state":"partial"' "$tmp/r1.json"; echo $?)"
check "stock 5" "$([ "$(level)" = 5 ]; echo $?)"
admin po show "$po" >"$tmp/show.json"
check "po show: 7 outstanding" "$(grep -q '"outstanding":7' "$tmp/show.json"; echo $?)"

admin po receive "$po" "$sku=0" >"$tmp/zero.json" 2>&1
check "a zero quantity: exit 1" "$([ $? = 1 ]; echo $?)"
check "refused BAD_QUANTITY" "$(grep -q BAD_QUANTITY "$tmp/zero.json"; echo $?)"
admin po receive "$po" "NO-SUCH-$sku=1" >"$tmp/unk.json" 2>&1
check "an unknown SKU: exit 1" "$([ $? = 1 ]; echo $?)"
check "refused UNKNOWN_PRODUCT" "$(grep -q UNKNOWN_PRODUCT "$tmp/unk.json"; echo $?)"
check "stock still 5" "$([ "$(level)" = 5 ]; echo $?)"

admin po receive "$po" all >"$tmp/r2.json"
check "po receive all: received" "$(grep -q '"state":"received"' "$tmp/r2.json"; echo $?)"
check "stock 12" "$([ "$(level)" = 12 ]; echo $?)"
admin po list state=received supplier="$sup" >"$tmp/pl.json"
check "po list state=received lists it" "$(grep -q "\"po_id\":$po" "$tmp/pl.json"; echo $?)"

sql "UPDATE stock_levels SET safety_level = 20 WHERE store_id = $store AND product_id = (SELECT product_id FROM products WHERE sku = '$sku')" >/dev/null
admin po suggest supplier="$sup" store="$store" >"$tmp/sg.json"
check "po suggest exits 0" $?
check "suggests 12 (20 - 12 = 8, packs of 6)" "$(grep -q '"suggested":12' "$tmp/sg.json"; echo $?)"
admin po create supplier="$sup" store="$store" from-suggestion >"$tmp/fs.json"
check "po create from-suggestion exits 0" $?
check "a draft of 12" "$(grep -q '"ordered":12' "$tmp/fs.json" && grep -q '"state":"draft"' "$tmp/fs.json"; echo $?)"

admin report suppliers --format json >"$tmp/rep.json"
check "report suppliers exits 0" $?
check "the report lists the supplier" "$(grep -q "$sup" "$tmp/rep.json"; echo $?)"

summary
