#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_screen_ops: the rest of the cashier's day on the screen, in a real
# tmux: a terminal resized larger and back (KEY_RESIZE), a shift opened with a
# float, a line's quantity changed and a line voided, a sale suspended and
# resumed, a tender voided, the screen locked and unlocked with the PIN, a
# refund by the receipt number printed on the receipt, and the Z report with
# the cash count and over/short. Every wait polls capture-pane with a
# deadline. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"

mkdir -p "$tmp/receipts" "$tmp/state"
# close a shift another test may have left open on this till (the answer does not matter)
printf 'login 1001 1234\nshift z counted=0\n' | "$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" \
	--cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost \
	--script >/dev/null 2>&1

start_till C.UTF-8 --lang en
wait_for 'Staff id:' >/dev/null
keys 1001 Enter
wait_for 'PIN:' >/dev/null
keys 1234 Enter
wait_for 'Code:' >/dev/null

# a larger terminal, then 80x24 again
"${T[@]}" resize-window -t till -x 120 -y 40
check "resized to 120x40: the indicator moves to the right edge" $(wait_re '^.{110,}\[ONLINE\]$'; echo $?)
check "resized: the help uses the wider rows" $(wait_re '^F1/\^K Help.*F9/\^T Shift$'; echo $?)
"${T[@]}" resize-window -t till -x 80 -y 24
check "back to 80x24" $(wait_re '^.{60,79}\[ONLINE\]$'; echo $?)

# the shift: open with a float of 200.00
keys F9
wait_for 'Open shift' >/dev/null
keys F2
wait_for 'Float in the drawer:' >/dev/null
keys 200 Enter
check "shift opened: the report shows the float" $(wait_for 'Shift opened' && wait_re 'Float +200.00'; echo $?)
keys Escape
wait_for 'X report' >/dev/null
keys Escape
wait_for 'Code:' >/dev/null

# quantity, void line
keys SKU-WATER Enter SKU-RICE Enter SKU-APPLE Enter
wait_for '3 lines, 3 items' >/dev/null
keys Up Up F3
wait_for 'Quantity for line 1:' >/dev/null
keys 3 Enter
check "quantity 3 on line 1: 6.00 more" $(wait_for 'Line 1: quantity 3' && wait_for 'Total 93.50'; echo $?)
keys Down F4
check "line 2 voided" $(wait_for 'Voided line 2: 东北大米 5kg' && wait_for '2 lines, 4 items' &&
	wait_for 'Total 18.50'; echo $?)

# suspend and resume
keys F6
check "suspended" "$(shows 'Sale suspended as number 1')"
check "the screen is free for the next customer" $(! pane | grep -q 'Total 18.50'; echo $?)
keys F7
wait_for 'Resume number:' >/dev/null
check "the suspended sale is listed" $(wait_re '^ +1 +[0-9:]+ +2 lines +18.50'; echo $?)
keys 1 Enter
check "resumed with its lines" $(wait_for 'Sale 1 resumed' && wait_for '2 lines, 4 items' &&
	wait_for 'Total 18.50'; echo $?)

# a tender voided, then cash 20.00: change 1.50
keys F5
wait_for 'Still due' >/dev/null
keys 5 k
wait_for 'Terminal reference:' >/dev/null
keys WRONG-1 Enter
wait_for 'WRONG-1' >/dev/null
keys v
check "the card tender voided" $(wait_for 'Tender 1 voided' && ! pane | grep -q 'WRONG-1'; echo $?)
keys 20 c Enter
wait_for 'rating 1-5' >/dev/null
keys Enter
check "paid: change 1.50" "$(shows 'Change 1.50')"
receipt=$(pane | sed -n 's/.*Last sale \(S001-T1-[0-9]*\).*/\1/p' | head -n 1)

# lock: the sale screen is hidden until the PIN is typed again
keys F10
check "locked" "$(shows 'Locked by 李娜 Li Na (1001)')"
keys 1234 Enter
check "unlocked with the PIN" $(wait_for 'Code:' && pane | grep -q 'Change 1.50'; echo $?)

# refund line 1 (3 x water, 6.00) by the receipt number
keys F8
wait_for 'Receipt number:' >/dev/null
keys "$receipt" Enter
check "the sale found by its receipt number" $(wait_for 'Lines to refund' && wait_for '矿泉水 Mineral Water 550ml'; echo $?)
keys 1 Enter
wait_for 'Reason:' >/dev/null
keys 'wrong size' Enter
check "refunded 6.00 in cash" $(wait_re 'Money back: 6.00' && wait_re 'Cash 6.00'; echo $?)
keys Escape
txn=$(sql "SELECT txn_id FROM transactions WHERE receipt_no = '$receipt'")
check "the refund is in PostgreSQL" $([ "$(sql "SELECT amount_minor FROM refunds WHERE txn_id = ${txn:-0}")" = 600 ]; echo $?)

# Z report: float 200 + cash 20 - change 1.50 - refund 6.00 = 212.50 expected; 210.00 counted
keys F9
wait_for 'Open shift' >/dev/null
keys F4
wait_for 'Cash counted in the drawer:' >/dev/null
keys 210 Enter
check "Z report: expected 212.50, counted 210.00, short 2.50" $(wait_for 'Z report: shift closed' &&
	wait_re 'Cash expected +212.50' && wait_re 'Cash counted +210.00' && wait_re 'Short +-2.50'; echo $?)
keys Escape Escape
check "log out and quit: exit 0" $(stop_till 'Staff id:'; echo $?)

summary
