#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_offline_screen: the screen's side of a damaged offline journal
# and of ratings given offline, in a real tmux. With kassad stopped the
# cashier sells two cash sales on the screen and the customer rates the
# second; the till quits; one byte of the first sale's journal record is
# flipped; the till comes up again in Chinese. Guards against: the rating
# dropped offline (the screen must say it is kept), the cashier not told
# of the damaged record when the screen comes up (the Chinese notice on
# the login screen), the rating not arriving, or arriving on the wrong
# sale, once kassad is back. Every wait polls capture-pane with a deadline.
# Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
port=$(free_port) || { echo "no free port"; exit 1; }
TILL_PORT=$port
# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"
J=$tmp/state/journal

# wait_listen: until kassad accepts connections on $port (bounded)
wait_listen() {
	local deadline=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$deadline" ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# sell_tea: one cash sale of a tea on the sale screen, up to the rating prompt
sell_tea() {
	keys SKU-TEA Enter
	wait_for 'Total 10.00' >/dev/null
	keys F5
	wait_for 'Still due' >/dev/null
	keys 10 c Enter
	wait_for 'rating 1-5' && wait_for '(offline, to be sent)'
}

# last_receipt: the receipt number the sale screen shows for the last sale
last_receipt() {
	pane | sed -n 's/.*Last sale \(S001-T1-[0-9]*\).*/\1/p' | head -n 1
}

mkdir -p "$tmp/receipts" "$tmp/state"
start_kassad "$port"
check "our kassad listens" $(wait_listen; echo $?)
start_till C.UTF-8 --lang en
wait_for 'Staff id:' >/dev/null
keys 1001 Enter
wait_for 'PIN:' >/dev/null
keys 1234 Enter
check "online at first" $(wait_for 'Code:' && pane | head -n 1 | grep -q '\[ONLINE\]'; echo $?)
keys SKU-TEA Enter
wait_for 'Total 10.00' >/dev/null
keys F4
wait_for 'Voided line 1' >/dev/null
stop_kassad
check "kassad stops cleanly" $?

# two offline sales; the customer skips the first rating and rates the second
check "offline sale 1 finished" $(sell_tea; echo $?)
keys Enter
wait_for 'Change 0.00' >/dev/null
r1=$(last_receipt)
check "offline sale 2 finished" $(sell_tea; echo $?)
keys 4 Enter
wait_for 'Comment' >/dev/null
keys 'quick' Enter
check "the rating is kept offline, and the screen says so" \
	"$(shows 'Thank you: rating 4 kept, sent with the offline sales')"
r2=$(last_receipt)
check "two receipt numbers ($r1 $r2)" $([ -n "$r1" ] && [ -n "$r2" ] && [ "$r1" != "$r2" ]; echo $?)
check "log out and quit: exit 0" $(stop_till 'Staff id:'; echo $?)

# one byte inside the first record's payload flips
len1=$(od -An -tu1 -j4 -N4 "$J" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
pos=$((40 + len1 / 2))
b=$(od -An -tu1 -j"$pos" -N1 "$J" | tr -d ' ')
# shellcheck disable=SC2059
printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$J" bs=1 seek="$pos" conv=notrunc status=none

# the screen comes up in Chinese and says at once what was set aside
start_till C.UTF-8 --lang zh_CN
check "the Chinese notice on the screen as it comes up" "$(shows '1 笔损坏的离线销售记录已另存：请联系总部；其他数据均未丢失')"
save offline_journal_notice_zh
keys 1001 Enter
wait_for '密码' >/dev/null
keys 1234 Enter
wait_for '离线' >/dev/null
start_kassad "$port"
wait_listen >/dev/null
rated() {
	sql "SELECT f.rating || ':' || f.comment FROM feedback f JOIN transactions t USING (txn_id)
		WHERE t.receipt_no = '$1'"
}
deadline=$((SECONDS + 30))
while [ $SECONDS -lt $deadline ] && [ -z "$(rated "$r2")" ]; do sleep 0.2; done
check "back online, the rating is on sale 2 ($(rated "$r2"))" $([ "$(rated "$r2")" = "4:quick" ]; echo $?)
check "sale 2 is on the server once, the damaged sale 1 not" $(
	[ "$(sql "SELECT count(*) FROM transactions WHERE receipt_no = '$r2'")" = 1 ] &&
	[ "$(sql "SELECT count(*) FROM transactions WHERE receipt_no = '$r1'")" = 0 ]; echo $?)
check "the damaged record is kept in the rejected file" $(
	grep -q '"detail":"JOURNAL_CHECKSUM_MISMATCH"' "$tmp/state/rejected"; echo $?)
summary
