#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_catalog: the catalogue commands of kassa-office as head
# office uses them (docs/store/catalog.md). The admin creates a category
# and a product in it with an EAN-13 (product put); a wrong check digit is
# refused with BAD_BARCODE and nothing changes; product list finds it by
# name prefix; a price list for S001 given on the command line and another
# from a CSV file (pricelist put) are listed (pricelist list) and the till
# of S001 sells at the list price (kassa-till --script); the gift
# catalogue takes the product (gift put, gift list); bad words are usage
# errors (exit 2); product import stores the good rows of a CSV file and
# reports each bad one with its line. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script "$@"
}

trap 'on_exit' EXIT
tag="$$-$RANDOM"
sku="CAT-SH-$tag"
cat_code="drinks-$tag"
cat_name="饮料 Drinks $tag"
store=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")

out=$(admin category put "$cat_code" name="$cat_name")
echo "$out" | sed 's/^/# /'
check "category put" $(echo "$out" | grep -q '"ok":true'; echo $?)
out=$(admin category list)
check "category list shows it" $(echo "$out" | grep -q "\"code\":\"$cat_code\""; echo $?)

before=$(sql "SELECT count(*) FROM products")
out=$(admin product put "$sku" name="Shell 茶 $tag" price=12.34 barcode=4006381333932 category="$cat_name")
rc=$?
echo "$out" | sed 's/^/# /'
check "a wrong check digit is refused" $([ $rc -ne 0 ] && echo "$out" | grep -q BAD_BARCODE; echo $?)
check "and nothing was written" $([ "$(sql "SELECT count(*) FROM products")" = "$before" ]; echo $?)

out=$(admin product put "$sku" name="Shell 茶 $tag" price=12.34 category="$cat_name" stocked=no)
echo "$out" | sed 's/^/# /'
check "product put" $(echo "$out" | grep -q '"ok":true' && echo "$out" | grep -q '"stocked":false'; echo $?)
out=$(admin product list name="Shell 茶 $tag")
check "product list by name prefix" $(echo "$out" | grep -q "\"sku\":\"$sku\""; echo $?)

out=$(admin pricelist put "Shell week $tag" store="$store" from=2000-01-01 priority=1 "$sku=9.90")
echo "$out" | sed 's/^/# /'
check "pricelist put" $(echo "$out" | grep -q '"ok":true' && echo "$out" | grep -q '"items":1'; echo $?)
csv="${TMPDIR:-/tmp}/pricelist-$tag.csv"
printf 'sku,price\n%s,8.80\n' "$sku" >"$csv"
out=$(admin pricelist put "Shell file $tag" store="$store" from=2000-01-01 priority=2 file="$csv")
echo "$out" | sed 's/^/# /'
check "pricelist put file=CSV" $(echo "$out" | grep -q '"ok":true'; echo $?)
printf 'sku,price\n%s\n' "$sku" >"$csv"
out=$(admin pricelist put "Shell bad $tag" store="$store" from=2000-01-01 file="$csv")
check "a bad CSV line is named" $(echo "$out" | grep -q 'BAD_FILE'; echo $?)
rm -f "$csv"
out=$(admin pricelist list store="$store")
check "pricelist list" $(echo "$out" | grep -q "Shell file $tag"; echo $?)

out=$(till <<SCRIPT
login 1001 1234
sale begin
sale add $sku
sale pay cash 8.80
sale finish
SCRIPT
)
echo "$out" | sed 's/^/# /'
check "the till sells at the list price of highest priority" $(echo "$out" |
	grep '"cmd":"sale finish"' | grep -q '"ok":true'; echo $?)
check "the line's price is 8.80" $([ "$(sql "SELECT unit_price_minor FROM transaction_lines l
	JOIN products p USING (product_id) WHERE p.sku = '$sku' ORDER BY txn_id DESC LIMIT 1")" = 880 ]; echo $?)

out=$(admin gift put "$sku" points=300 stock=4)
check "gift put" $(echo "$out" | grep -q '"points_cost":300'; echo $?)
out=$(admin gift list)
check "gift list" $(echo "$out" | grep -q "\"sku\":\"$sku\""; echo $?)

admin product put "$sku" price=abc >/dev/null
check "a bad price is a usage error" $([ $? -eq 2 ]; echo $?)
admin gift put "$sku" points=0 stock=1 >/dev/null
check "points=0 is a usage error" $([ $? -eq 2 ]; echo $?)
check "every change audited" $([ "$(sql "SELECT count(*) FROM audit_log WHERE
	(action = 'product.put' AND detail->>'sku' = '$sku') OR (action = 'gift.put' AND detail->>'sku' = '$sku')
	OR (action = 'category.put' AND detail->>'code' = '$cat_code')")" = 3 ]; echo $?)

imp="${TMPDIR:-/tmp}/products-$tag.csv"
cat >"$imp" <<CSV
sku,name,price,barcode,category,stocked
IMP1-$tag,"Tea, green 绿茶",15.00,,$cat_name,yes

IMP2-$tag,Bad barcode,3.00,4006381333932,,
IMP3-$tag,Bad price,abc,,,
IMP4-$tag,Service,20.00,,,no
CSV
out=$(admin product import "$imp")
rc=$?
echo "$out" | sed 's/^/# /'
rm -f "$imp"
check "product import stores the good rows and reports the bad ones" $([ $rc = 1 ] &&
	echo "$out" | grep -q '"rows":4,"imported":2' &&
	echo "$out" | grep -q '"line":4,"sku":"IMP2-'"$tag"'","detail":"BAD_BARCODE"' &&
	echo "$out" | grep -q '"line":5,"sku":"IMP3-'"$tag"'","detail":"BAD_PRICE"'; echo $?)
check "the quoted name is whole" $([ "$(sql "SELECT name FROM products WHERE sku = 'IMP1-$tag'")" = "Tea, green 绿茶" ]; echo $?)
check "the refused rows are not there" $([ "$(sql "SELECT count(*) FROM products WHERE sku IN ('IMP2-$tag', 'IMP3-$tag')")" = 0 ]; echo $?)

summary
