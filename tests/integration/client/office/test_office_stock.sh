#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_stock: `kassa-office stock ...` as head office uses them
# (client/office/stock_cmds.c, docs/store/stock.md).
#  - stock adjust / safety at another store as the administrator: one JSON
#    object with the level after it; the move is in `stock moves`, the
#    product in `stock list below=yes`, the alert in `stock alerts`;
#  - a negative QTY (qty=-N) takes stock away;
#  - no --reason: a usage error, nothing written;
#  - a manager at head office may not change another store's stock.
# Needs KASSA_TEST_ENV and KASSA_TILL (see lib_office.sh).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

store=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
sku="OFS-$$-$(date +%s)"
sql "INSERT INTO products (sku, name, price_minor) VALUES ('$sku', '办公室测试 Office stock', 100)" >/dev/null
moves() { sql "SELECT count(*) FROM stock_moves m JOIN products p USING (product_id) WHERE p.sku = '$sku'"; }

admin stock adjust "$sku" 12 --reason "opening stock" store="$store" >"$tmp/adj.json"
check "adjust exits 0" $?
check "adjust answers on_hand 12" "$([ "$(json_field on_hand <"$tmp/adj.json")" = 12 ]; echo $?)"
grep -q '"idempotency_key":' "$tmp/adj.json"
check "adjust names its key" $?

admin stock safety "$sku" 10 store="$store" >"$tmp/safe.json"
check "safety exits 0" $?
check "safety answers 10" "$([ "$(json_field safety_level <"$tmp/safe.json")" = 10 ]; echo $?)"

admin stock adjust "$sku" qty=-5 --reason "damaged in transport" store="$store" >"$tmp/neg.json"
check "a negative adjustment exits 0" $?
check "on_hand 7 after -5" "$([ "$(json_field on_hand <"$tmp/neg.json")" = 7 ]; echo $?)"
grep -q '"below_safety":true' "$tmp/neg.json"
check "7 is below the safety level" $?

admin stock moves "$sku" store="$store" >"$tmp/moves.json"
check "moves exits 0" $?
check "two moves listed" "$([ "$(grep -o '"move_id":' "$tmp/moves.json" | wc -l)" = 2 ]; echo $?)"
grep -q '"quantity":-5' "$tmp/moves.json"
check "the newest move is -5" $?

admin stock list store="$store" below=yes limit=500 >"$tmp/list.json"
check "list exits 0" $?
grep -q "\"sku\":\"$sku\"" "$tmp/list.json"
check "the product is listed below its safety level" $?

admin stock alerts store="$store" >"$tmp/alerts.json"
check "alerts exits 0" $?
grep -o "{[^}]*\"sku\":\"$sku\"[^}]*}" "$tmp/alerts.json" | grep -q '"open":true'
check "the open alert is listed" $?

before=$(moves)
admin stock adjust "$sku" 3 store="$store" >"$tmp/noreason.json" 2>&1
rc=$?
check "no reason: usage error (exit 2)" "$([ "$rc" = 2 ]; echo $?)"
manager stock adjust "$sku" 3 --reason "not mine" store="$store" >"$tmp/mgr.json" 2>&1
rc=$?
check "a head-office manager may not change S001's stock (exit 1)" "$([ "$rc" = 1 ]; echo $?)"
grep -q 'STORE_NOT_YOURS' "$tmp/mgr.json"
check "refused STORE_NOT_YOURS" $?
check "the refusals wrote nothing" "$([ "$(moves)" = "$before" ]; echo $?)"

summary
