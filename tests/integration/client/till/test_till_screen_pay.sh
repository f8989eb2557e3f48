#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_screen_pay: the screen's member and money features, in a real tmux
# at 80x24 against the real kassad. A member with history (a sale of 1050.00,
# a top-up of 200.00, an issued coupon) is found by phone and the member panel
# shows tier, points (and how many are usable), stored value, the usable
# coupon, the last purchase and the server's suggestion. That member then pays
# a sale on the payment screen with a claim code typed there (claimed and used
# once), points and stored value as tenders, and US dollars in cash at the
# rate head office set with kassa-office rates set USD=7.2345 (the till takes
# the rate from the server; change in yuan to the fen, the rate on the tender
# row in PostgreSQL and on the receipt file). Last, a refund above the approval
# limit (500.00) asks for a manager's id and PIN: refused with a wrong PIN
# (nothing refunded), done with the right one. Every wait polls capture-pane
# with a deadline. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS
# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"

run="$$-$(date +%s)"
phone="135$(printf '%08d' $(( ($$ * 7919 + $(date +%s)) % 100000000 )))"
claim="SCREEN-CLAIM-$run"
mkdir -p "$tmp/receipts" "$tmp/state" "$tmp/setup"

# office CERT STAFF PIN ARGS...: kassa-office at head office
office() {
	local staff=$1 pin=$2
	shift 2
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff "$staff" --pin "$pin" "$@"
}
# the script-mode till of the set-up: till 2 of the store, its own state
setup_till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T2.crt" \
		--key "$C/S001-T2.key" --ca "$C/ca.crt" --server-name localhost \
		--state-dir "$tmp/setup" --script "$@"
}
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }

# ---- set-up: rates, coupons, a member with history ----------------------------

# the amounts below assume the shipped rules (the tests that change them put them back)
check "the rules in force: 1 point per 10.00, 100 points = 10.00, Silver at 2000.00, approval above 500.00" $(
	[ "$(sql "SELECT concat_ws(' ', config#>>'{earn,minor_per_point}', config#>>'{redeem,points_step}',
		  config#>>'{redeem,step_value_minor}', config#>>'{tiers,1,threshold}',
		  config->>'refund_approval_minor')
		  FROM rule_versions ORDER BY version DESC LIMIT 1")" = "1000 100 1000 200000 50000" ]; echo $?)

# the rates in force now, without USD (put back at the end), and USD=7.2345 on top
shown=$(office 3001 3333 rates show)
orig=$(echo "$shown" | grep -o '"currency":"[A-Z]*","rate":"[0-9.]*"' |
	sed 's/"currency":"\([A-Z]*\)","rate":"\([0-9.]*\)"/\1=\2/' | tr '\n' ' ')
others=$(echo "$orig" | tr ' ' '\n' | grep -v '^USD=' | tr '\n' ' ')
# shellcheck disable=SC2086
out=$(office 2001 9999 rates set $others USD=7.2345 note="screen pay $run")
echo "$out" | sed 's/^/# /'
rv=$(echo "$out" | json_field version)
check "head office set USD=7.2345 (version ${rv:-none})" $([ -n "$rv" ] &&
	echo "$out" | grep -q '"currency":"USD","rate":"7.2345","rate_micro":7234500'; echo $?)

office 9001 0000 coupon define name="Screen claim $run" kind=fixed value=5.00 claim="$claim" >"$tmp/def1" 2>&1
office 9001 0000 coupon define name="Panel coupon $run" kind=fixed value=3.00 >"$tmp/def2" 2>&1
claim_def=$(json_field def_id <"$tmp/def1")
panel_def=$(json_field def_id <"$tmp/def2")
check "a claim-code coupon and a manual coupon are defined" $(grep -q '"issue_on":"code"' "$tmp/def1" &&
	[ -n "$panel_def" ]; echo $?)

out=$(setup_till <<SCRIPT
login 1001 1234
member register name="Panel Member" phone=+86$phone
sale begin
sale add SKU-RICE 14
sale member phone=+86$phone
sale pay cash 1050.00
sale finish
SCRIPT
)
echo "$out" | sed 's/^/# /'
mid=$(echo "$out" | grep '"cmd":"member register"' | json_field member_id)
hist=$(echo "$out" | grep '"cmd":"sale finish"' | json_field receipt_no)
out=$(printf 'login 1001 1234\ntopup %s 200.00\n' "${mid:-0}" | setup_till)
echo "$out" | sed 's/^/# /'
office 2001 9999 coupon issue "${mid:-0}" "${panel_def:-0}" >"$tmp/issue" 2>&1
sed 's/^/# /' "$tmp/issue"
pcode=$(json_field code <"$tmp/issue")
check "the member has a sale of 1050.00, 200.00 stored value and a coupon" $([ -n "$mid" ] &&
	[ -n "$hist" ] && [ -n "$pcode" ] &&
	[ "$(sql "SELECT balance_minor FROM wallets WHERE member_id = ${mid:-0}")" = 20000 ] &&
	[ "$(sql "SELECT points_balance FROM members WHERE member_id = ${mid:-0}")" = 105 ]; echo $?)

# ---- the member panel ------------------------------------------------------------

start_till C.UTF-8 --lang en
wait_for 'Staff id:' >/dev/null
keys 1001 Enter
wait_for 'PIN:' >/dev/null
keys 1234 Enter
wait_for 'Code:' >/dev/null
keys F2
wait_for 'Phone, card or QR:' >/dev/null
keys "$phone" Enter
check "the member is found by phone" "$(shows 'Member found: Enter or F5 attaches')"
save member_panel_en
check "panel: name and tier" $(pane | grep -q "Panel Member  ${phone:0:3}\*\*\*\*${phone:7:4}" &&
	pane | grep -q 'Tier Regular (0.0% off)'; echo $?)
check "panel: points 105 (100 usable) and stored value 200.00" $(pane |
	grep -q 'Points 105 (usable now 100)   Stored value 200.00'; echo $?)
check "panel: the issued coupon is usable today (no end date: no 'until')" $(pane |
	grep -A1 'Coupons usable today:' | grep -Eq "^ +$pcode  Panel coupon $run\$"; echo $?)
check "panel: the last purchase, 1050.00 for 14 items" $(pane | grep -A1 'Last purchases:' |
	grep -Eq "[0-9]{4}-[0-9]{2}-[0-9]{2}  $hist  1050.00  items 14"; echo $?)
check "panel: the server's suggestion (the next tier)" $(pane |
	grep -q 'Suggestion: ¥950.00 more to reach Silver'; echo $?)
keys Enter
wait_for 'Member Panel Member attached' >/dev/null

# ---- pay: claim code, points, stored value, US dollars ---------------------------

keys '2*SKU-RICE' Enter
wait_for 'Total 150.00' >/dev/null
keys F5
wait_for 'Still due' >/dev/null
keys o
wait_for 'Coupon or claim code:' >/dev/null
keys "$claim" Enter
check "the claim code is applied: 5.00 off, total 145.00" $(wait_for "Code $claim applied" &&
	wait_re 'Coupons +-5.00' && wait_re 'Total +145.00'; echo $?)
keys 100 p
check "100 points spent: 10.00 off, total 135.00" $(wait_for '100 points spent' &&
	wait_re 'Points +-10.00' && wait_re 'Total +135.00'; echo $?)
keys 50 s
check "stored value 50.00 taken, 85.00 still due" $(wait_re '1 Stored value +50.00' &&
	wait_re 'Still due +85.00'; echo $?)
keys f
wait_for 'Currency:' >/dev/null
keys BSpace BSpace BSpace USD Enter
wait_for 'Amount in USD:' >/dev/null
keys 20 Enter
check "USD 20.00 at 7.2345 is 144.69 yuan" $(wait_for 'USD 20 = 144.69' &&
	wait_re '2 Cash USD 20.00 @ 7.2345 +144.69'; echo $?)
check "change in yuan to the fen: 59.69" "$(wait_re 'Change +59.69' >/dev/null; echo $?)"
save pay_foreign_en
keys Enter
wait_for 'rating 1-5' >/dev/null
keys Enter
check "paid: the change on the sale screen" "$(shows 'Change 59.69')"
rno=$(pane | sed -n 's/.*Last sale \(S001-T1-[0-9]*\).*/\1/p' | head -n 1)
txn=$(sql "SELECT txn_id FROM transactions WHERE receipt_no = '${rno:-none}'")
echo "# sale $rno: $(sql "SELECT total_minor, change_minor, coupon_off_minor, points_redeemed, wallet_paid_minor FROM transactions WHERE txn_id = ${txn:-0}")"
check "PostgreSQL: total 135.00, change 59.69, coupon 5.00, 100 points, stored value 50.00" $(
	[ "$(sql "SELECT total_minor, change_minor, coupon_off_minor, points_redeemed, wallet_paid_minor
		  FROM transactions WHERE txn_id = ${txn:-0}")" = "13500|5969|500|100|5000" ]; echo $?)
check "PostgreSQL: the USD tender row has currency, foreign amount, rate and its version" $(
	[ "$(sql "SELECT currency, foreign_minor, amount_minor, rate_micro, rate_version FROM tenders
		  WHERE txn_id = ${txn:-0} AND kind = 1")" = "USD|2000|14469|7234500|${rv:-x}" ] &&
	[ "$(sql "SELECT amount_minor FROM tenders WHERE txn_id = ${txn:-0} AND kind = 4")" = 5000 ]; echo $?)
check "the claim code made exactly one coupon for the member, used by this sale" $(
	[ "$(sql "SELECT count(*), min(state), min(used_txn) FROM coupons
		  WHERE def_id = ${claim_def:-0} AND member_id = ${mid:-0}")" = "1|used|${txn:-x}" ]; echo $?)
check "the balances: 200.00 - 50.00 stored value, 105 - 100 points + earned" $(
	[ "$(sql "SELECT balance_minor FROM wallets WHERE member_id = ${mid:-0}")" = 15000 ] &&
	[ "$(sql "SELECT points_balance - 5 = (SELECT points_earned FROM transactions WHERE txn_id = ${txn:-0})
		  FROM members WHERE member_id = ${mid:-0}")" = t ]; echo $?)
check "the receipt file shows the dollars and the rate" $(grep -q 'USD' "$tmp/receipts/${rno:-none}.txt" &&
	grep -q '7.2345' "$tmp/receipts/${rno:-none}.txt" && [ -s "$tmp/receipts/${rno:-none}.escpos" ]; echo $?)

# ---- a refund above the approval limit --------------------------------------------

keys '7*SKU-RICE' Enter
wait_for 'Total 525.00' >/dev/null
keys F5
wait_for 'Still due' >/dev/null
keys c
wait_re 'Change +0.00' >/dev/null
keys Enter
wait_for 'rating 1-5' >/dev/null
keys Enter
wait_for 'Total 525.00   Paid 525.00' >/dev/null
big=$(pane | sed -n 's/.*Last sale \(S001-T1-[0-9]*\).*/\1/p' | head -n 1)
btxn=$(sql "SELECT txn_id FROM transactions WHERE receipt_no = '${big:-none}'")

# refund BIG MANAGER PIN: F8, every line, a reason, the manager's id and PIN
refund() {
	keys F8
	wait_for 'Receipt number:' >/dev/null
	keys "$big" Enter
	wait_for 'Lines to refund' >/dev/null
	keys Enter
	wait_for 'Reason:' >/dev/null
	keys 'above the limit' Enter
	wait_for "Manager's staff id:" >/dev/null || return 1
	pane | grep -q 'A manager must approve this refund' || return 1
	keys "$1" Enter
	wait_for "Manager's PIN:" >/dev/null || return 1
	keys "$2" Enter
}
check "525.00 is above the limit: the manager's id is asked" $(refund 2001 0000; echo $?)
check "a wrong manager PIN is refused, nothing refunded" $(wait_for 'approval refused' >/dev/null &&
	[ "$(sql "SELECT count(*) FROM refunds WHERE txn_id = ${btxn:-0}")" = 0 ]; echo $?)
check "with the manager's PIN the refund is asked again" $(refund 2001 9999; echo $?)
check "the right PIN: 525.00 back in cash" $(wait_re 'Money back: 525.00' && wait_re 'Cash 525.00'; echo $?)
keys Escape
check "PostgreSQL: one refund of 525.00 approved by manager 2001" $(
	[ "$(sql "SELECT count(*), sum(amount_minor), min(approved_by) FROM refunds WHERE txn_id = ${btxn:-0}")" = "1|52500|2001" ]; echo $?)
check "log out and quit: exit 0" $(stop_till 'Staff id:'; echo $?)

# ---- put the rates back ------------------------------------------------------------

if [ -n "${orig// /}" ]; then
	# shellcheck disable=SC2086
	office 2001 9999 rates set $orig note="screen pay $run: put back" >/dev/null 2>&1
	check "the rates found at the start are put back" $?
fi

summary
