#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_screen: the cashier's screen (kassa-till without --script) driven
# in a real tmux at 80x24, as a cashier uses it: log in (the PIN is not
# echoed), scan three items in one fast burst, refuse bad input with a clear
# message and the sale intact (unknown barcode, quantity 0 and 100000, an
# invalid phone, a tender that does not fit), register a member by phone and
# attach them, pay split card + cash with the change shown, rate the sale, and
# find the totals on the screen, in PostgreSQL and in the receipt file. Then
# the same in Chinese (LANG=zh_CN.UTF-8 --lang zh_CN), the member found by
# phone this time, with Chinese texts checked on the screen. Every wait polls
# capture-pane with a deadline. Needs KASSA_TEST_ENV and KASSA_TILL.
# Set KASSA_SCREEN_CAPTURE=DIR to keep the captured panes (docs/till-screen.md).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS

# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"

mkdir -p "$tmp/receipts" "$tmp/state"
phone="136$(printf '%08d' $(( ($$ * 7907 + $(date +%s)) % 100000000 )))"

# ---- English ----
start_till C.UTF-8 --lang en
check "the login screen asks for the staff id" "$(shows 'Staff id:')"
check "the status bar shows store, till and ONLINE" $(pane | head -n 1 |
	grep 'S001' | grep 'S001-T1' | grep -q 'ONLINE'; echo $?)
keys 1001 Enter
wait_for 'PIN:' >/dev/null
keys 1234
check "the PIN is not echoed" $(wait_for 'PIN: ****' >/dev/null && ! pane | grep -q 1234; echo $?)
keys Enter
check "logged in: the sale screen with the cashier's name" "$(shows '李娜 Li Na (1001)')"
check "the help line shows the function keys" $(pane | tail -n 2 | grep -q 'F5/^P Pay'; echo $?)

# three items in one burst, as a scanner types them
keys 6901234567892 Enter SKU-RICE Enter SKU-MILK Enter
check "three scanned lines, total 100.00" $(wait_for '3 lines, 3 items' >/dev/null &&
	pane | grep -q 'Total 100.00'; echo $?)
check "Chinese names are on the lines" $(pane | grep -q '红富士苹果 Apple'; echo $?)
save sale_en

# bad input: a clear message, the sale as it was
keys 9999999999999 Enter
check "unknown barcode: a clear message" "$(shows 'Unknown product code: 9999999999999')"
check "unknown barcode: the sale is intact" $(pane | grep '3 lines, 3 items' | grep -q 'Total 100.00'; echo $?)
keys F3
wait_for 'Quantity for line 3:' >/dev/null
keys 0 Enter
check "quantity 0 refused" "$(shows 'quantity must be a whole number from 1 to 99999')"
keys F3
wait_for 'Quantity for line 3:' >/dev/null
keys 100000 Enter
check "quantity 100000 refused, the sale intact" $(wait_for 'quantity must be a whole number' >/dev/null &&
	pane | grep '3 lines, 3 items' | grep -q 'Total 100.00'; echo $?)
keys F2
wait_for 'Phone, card or QR:' >/dev/null
keys 12345 Enter
check "an invalid phone: a clear message" "$(shows 'Not a valid phone number: 12345')"

# register the member by phone, attach
keys "$phone" Enter
check "an unknown phone offers registration" "$(shows "No member with phone $phone: F3 registers one")"
keys F3
wait_for "New member's phone:" >/dev/null
keys Enter
wait_for 'Name:' >/dev/null
keys 'Screen Member' Enter
check "registered" "$(shows 'Registered Screen Member')"
keys Enter
check "the member is on the sale" $(wait_for 'Member Screen Member attached' >/dev/null &&
	pane | grep -q "Member: Screen Member ${phone:0:3}\*\*\*\*${phone:7:4}"; echo $?)
save member_en

# pay: a card tender bigger than the total is refused, then card 40 + cash 100
keys F5
check "the payment screen shows the total" $(wait_for 'Still due' &&
	pane | grep -q 'Total *100.00'; echo $?)
keys 500 k
check "an overflowing card tender is refused" "$(shows 'Only cash can be more than what is due (100.00)')"
keys 99999999999999999999 c
check "an amount too large to be money is refused" "$(shows 'Not an amount: 99999999999999999999')"
keys 40 k
wait_for 'Terminal reference:' >/dev/null
keys T-778899 Enter
keys 100 c
check "split card + cash: change 40.00" $(wait_re 'Tendered +140.00' &&
	pane | grep -q 'Change *40.00'; echo $?)
save pay_en
keys Enter
check "finished: the rating is asked, the change shown" $(wait_for 'rating 1-5' >/dev/null &&
	pane | grep -q 'Change *40.00'; echo $?)
keys 5 Enter
wait_for 'Comment (optional):' >/dev/null
keys 'quick and friendly' Enter
check "the rating is recorded" "$(shows 'Thank you: rating 5 recorded')"
check "the sale screen shows the last sale's change" $(pane | grep -q 'Change 40.00'; echo $?)
save done_en

mid=$(sql "SELECT member_id FROM members WHERE phone = '+86$phone'")
row=$(sql "SELECT txn_id, total_minor, tendered_minor, change_minor, receipt_no FROM transactions
	WHERE member_id = ${mid:-0} ORDER BY txn_id DESC LIMIT 1")
IFS='|' read -r txn total tendered change receipt <<<"$row"
check "the sale is in PostgreSQL: 100.00, 140.00 tendered, 40.00 change" \
	$([ "$total|$tendered|$change" = "10000|14000|4000" ]; echo $?)
check "card (with its reference) and cash tenders recorded" $([ "$(sql "SELECT string_agg(kind || ':' || amount_minor || ':' || reference, ',' ORDER BY tender_no)
	FROM tenders WHERE txn_id = ${txn:-0}")" = "2:4000:T-778899,1:10000:" ]; echo $?)
check "the rating is stored against the sale" $([ "$(sql "SELECT rating FROM feedback WHERE txn_id = ${txn:-0}")" = 5 ]; echo $?)
rfile="$tmp/receipts/$receipt.txt"
check "the receipt file is written" $([ -n "$receipt" ] && [ -s "$rfile" ]; echo $?)
check "the receipt shows total, change and the receipt number" $(grep -q '100.00' "$rfile" &&
	grep -q '40.00' "$rfile" && grep -qF "$receipt" "$rfile"; echo $?)
check "the receipt never shows the full phone" $(! grep -q "$phone" "$rfile"; echo $?)
[ -n "$cap" ] && cp "$rfile" "$cap/receipt_en.txt"
check "log out and quit: exit 0" $(stop_till 'Staff id:'; echo $?)

# ---- Chinese ----
start_till zh_CN.UTF-8 --lang zh_CN
check "zh: the login screen is in Chinese" "$(shows '工号')"
keys 1001 Enter
wait_for '密码' >/dev/null
keys 1234 Enter
check "zh: the sale screen" "$(shows '李娜 Li Na (1001)')"
check "zh: the online indicator" $(pane | head -n 1 | grep -q '在线'; echo $?)
keys SKU-TEA Enter SKU-WATER Enter 6901234567892 Enter
check "zh: three lines, 合计 24.50" $(wait_for '合计 24.50' >/dev/null; echo $?)
save sale_zh
keys F2
wait_for '会员' >/dev/null
keys "$phone" Enter
check "zh: the member found by phone" "$(shows 'Screen Member')"
keys Enter
check "zh: 会员 on the sale" $(wait_for "会员: Screen Member" >/dev/null; echo $?)
save member_zh
keys F5
wait_for '待付' >/dev/null
keys 10 k
wait_for '参考' >/dev/null
keys POS-1 Enter
keys 20 c
check "zh: 找零 5.50 on the payment screen" $(wait_re '找零 +5.50' &&
	pane | grep -q '找零 *5.50'; echo $?)
save pay_zh
keys Enter
wait_for '1-5' >/dev/null
keys Enter
check "zh: rating skipped, the change stays on the sale screen" "$(shows '找零 5.50')"
save done_zh
check "zh: the second sale is in PostgreSQL" $([ "$(sql "SELECT count(*) FROM transactions WHERE member_id = ${mid:-0} AND total_minor = 2450")" = 1 ]; echo $?)
check "zh: log out and quit: exit 0" $(stop_till '工号'; echo $?)

summary
