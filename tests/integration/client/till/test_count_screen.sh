#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_count_screen: the till's count mode on the screen, in a real tmux:
# Ctrl+N from the sale screen, F2 opens a count of every product, scanning
# a barcode counts 1 more each time, "N*CODE" counts N, F3 corrects a
# product's quantity, the variance lines are aligned by display width (a
# Chinese name takes two cells a character), F4 posts and the levels are
# the counted ones. Needs KASSA_TEST_ENV and KASSA_TILL (a kassa-till whose
# sale screen enters count_screen_run() on Ctrl+N).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"

mkdir -p "$tmp/receipts" "$tmp/state"
tag="SC$$$(date +%s)"
s1=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
# a full count another run left open at S001 would be the one shown
sql "UPDATE count_sessions SET state = 'cancelled', closed_at = now()
	WHERE store_id = $s1 AND scope = 'all' AND state = 'open'" >/dev/null
sql "INSERT INTO products (sku, barcode, name, category, price_minor) VALUES
	('$tag-A', '$tag-BC', '红富士苹果测试 Apple', '$tag', 500),
	('$tag-B', NULL, 'Plain Bread Test', '$tag', 300)" >/dev/null
pa=$(sql "SELECT product_id FROM products WHERE sku = '$tag-A'")
pb=$(sql "SELECT product_id FROM products WHERE sku = '$tag-B'")
sql "SELECT kassa_stock_moves($s1, 'adjust', 0, 0, ARRAY[$pa, $pb]::bigint[], ARRAY[10, 4]::bigint[])" >/dev/null
level() { sql "SELECT on_hand FROM kassa_stock_on_hand WHERE store_id = $s1 AND product_id = $1"; }

start_till C.UTF-8 --lang en
wait_for 'Staff id:' >/dev/null
keys 2001 Enter
wait_for 'PIN:' >/dev/null
keys 9999 Enter
wait_for 'Code:' >/dev/null

keys C-n
check "Ctrl+N enters the count mode" $(wait_for 'Stock count' && wait_for 'F2 opens one'; echo $?)
keys F2
check "F2 opens a count" $(wait_for 'Count opened'; echo $?)
keys "$tag-BC" Enter
wait_for "Counted $tag-BC +1" >/dev/null
keys "$tag-BC" Enter
check "scanning the barcode twice counts 2" $(wait_re '红富士苹果测试 Apple +2 +10 +-8$'; echo $?)
keys "3*$tag-B" Enter
check "3*CODE counts 3" $(wait_re 'Plain Bread Test +3 +4 +-1$'; echo $?)
keys F3
wait_for 'Product code:' >/dev/null
keys "$tag-B" Enter
wait_for 'Counted quantity:' >/dev/null
keys 6 Enter
check "F3 corrects: 6 counted, variance +2" $(wait_re 'Plain Bread Test +6 +4 +\+2$'; echo $?)
# both rows end in the same cell: names padded by display width
width() { python3 -c 'import sys, unicodedata as u
s = sys.stdin.read().rstrip("\n")
print(sum(2 if u.east_asian_width(c) in "WF" else 1 for c in s))'; }
wa=$(pane | grep '红富士苹果测试 Apple' | width)
wb=$(pane | grep 'Plain Bread Test' | width)
check "the columns line up by display width ($wa = $wb)" $([ -n "$wa" ] && [ "$wa" = "$wb" ]; echo $?)
save count-lines
keys F4
wait_for 'Post the variances?' >/dev/null
keys y
check "F4 posts: 2 moves" $(wait_for 'Count posted: 2 moves'; echo $?)
check "the levels are the counted ones" $([ "$(level "$pa")" = 2 ] && [ "$(level "$pb")" = 6 ]; echo $?)
keys Escape
wait_for 'Code:' >/dev/null
check "kassa-till exits 0" $(stop_till 'Staff id:'; echo $?)

summary
