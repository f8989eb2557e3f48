#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_offline_journal: a corrupt offline journal record and ratings
# given after offline sales, at a till in Chinese (--lang zh_CN). With
# kassad stopped the till sells 3 sales offline, the customer rates two of
# them, a fourth sale is left open in a suspended file and the till stops;
# one byte inside the second sale's journal record is flipped; the till
# starts again. Guards against: the cashier not told (status must carry
# journal_damaged 1 and the Chinese notice naming the rejected file), the
# suspended sale harmed, the damaged record dropped instead of kept with
# its reason and raw bytes, the good sales lost or recorded twice (synced
# twice), a rating given offline lost, recorded twice or attached to the
# wrong sale, the journal keeping anything once done. Needs KASSA_TEST_ENV
# and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
STATE=$tmp/state
J=$STATE/journal
q() { psql "$KASSA_CONNINFO" -Atq -v ON_ERROR_STOP=1 -c "$1"; }

port=$(free_port) || { echo "no free port"; exit 1; }

# shellcheck source=test_till_script_lib.sh
. "$(dirname "$0")/test_till_script_lib.sh"

# sell N: one offline cash sale of N apples; prints its receipt number
sell() {
	local fin
	ok sale begin && ok sale add SKU-APPLE "$1" && ok sale pay cash 100.00 || return 1
	fin=$(send sale finish)
	echo "$fin" | grep -q '"offline":true' || return 1
	echo "$fin" | sed -n 's/.*"receipt_no":"\([^"]*\)".*/\1/p'
}

# be32 OFFSET: the big-endian 32-bit number at OFFSET of the journal file
be32() { od -An -tu1 -j"$1" -N4 "$J" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}'; }

# 1. online once (PIN verifier, till identity, catalogue), then kassad stops
start_kassad "$port"
check "kassad starts" $(wait_port; echo $?)
till_start a --lang zh_CN
check "online login" $(ok login 1001 1234; echo $?)
check "sync online (catalogue into the cache)" $(ok sync; echo $?)
pid=$kassad_pid
stop_kassad
check "kassad stops" $(! kill -0 "$pid" 2>/dev/null; echo $?)

# 2. three offline sales; the customer rates the third and the first
r1=$(sell 1)
r2=$(sell 2)
r3=$(sell 4)
check "3 offline sales ($r1 $r2 $r3)" $([ -n "$r1" ] && [ -n "$r2" ] && [ -n "$r3" ]; echo $?)
fb3=$(send feedback rating=4 comment=\"friendly cashier\")
echo "# $fb3"
check "a rating of the last offline sale is kept offline" $(echo "$fb3" | grep '"ok":true' |
	grep -q '"offline":true'; echo $?)
fb1=$(send feedback rating=2 receipt="$r1")
check "a rating of the first, by receipt number, too" $(echo "$fb1" | grep '"ok":true' |
	grep -q '"offline":true'; echo $?)
check "5 records wait (3 sales, 2 ratings)" $(send status | grep -q '"journal_pending":5,'; echo $?)
check "a bad rating is refused in Chinese, nothing journaled" $(send feedback rating=9 |
	grep -q '评分必须是 1 到 5 之间的整数' && send status | grep -q '"journal_pending":5,'; echo $?)
# an open sale, suspended: 3 apples
ok sale begin && ok sale add SKU-APPLE 3
check "an open sale suspended" $(ok sale suspend; echo $?)
check "status before the damage: nothing set aside" $(send status |
	grep '"journal_damaged":0' | grep -qv journal_notice; echo $?)
till_stop

# 3. one byte inside the second record's payload flips
len1=$(be32 4)
off2=$((40 + len1))
len2=$(be32 $((off2 + 4)))
pos=$((off2 + 40 + len2 / 2))
b=$(od -An -tu1 -j"$pos" -N1 "$J" | tr -d ' ')
# shellcheck disable=SC2059
printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$J" bs=1 seek="$pos" conv=notrunc status=none
dd if="$J" of="$tmp/damaged" bs=1 skip="$off2" count=$((40 + len2)) status=none
size_before=$(stat -c %s "$J")

# 4. the till starts again (still offline): the cashier is told, in Chinese
till_start b --lang zh_CN
st=$(send status)
echo "# $st"
check "status: journal_damaged 1" $(echo "$st" | grep -q '"journal_damaged":1'; echo $?)
check "status: the Chinese notice naming the rejected file" $(echo "$st" |
	grep -q "\"journal_notice\":\"1 笔损坏的离线销售记录已另存：请联系总部；其他数据均未丢失（$STATE/rejected）\""; echo $?)
check "status: the 4 good records wait, 1 rejected, 1 suspended" $(echo "$st" |
	grep '"journal_pending":4,' | grep '"journal_rejected":1,' | grep -q '"suspended":1,'; echo $?)
check "the journal was rewritten without the damaged record" $(
	[ "$(stat -c %s "$J")" = $((size_before - 40 - len2)) ]; echo $?)
rej=$STATE/rejected
check "the damaged record is in the rejected file with its reason" $([ "$(wc -l <"$rej")" = 1 ] &&
	grep -q '"detail":"JOURNAL_CHECKSUM_MISMATCH"' "$rej" &&
	grep -q "\"bytes\":$((40 + len2))," "$rej"; echo $?)
check "... and its raw bytes" $([ "$(sed -n 's/.*"record":"\([^"]*\)".*/\1/p' "$rej")" = \
	"$(base64 -w0 "$tmp/damaged")" ]; echo $?)
check "offline login" $(ok login 1001 1234; echo $?)
res=$(send sale resume)
echo "# $res"
check "the suspended sale is intact (1 line)" $(echo "$res" | grep -q '"lines":1,'; echo $?)
check "... of 3 apples" $(send sale show | grep -q '"quantity":3'; echo $?)
ok sale cancel

# 5. kassad is back: sync sends the 2 good sales and then both ratings
start_kassad "$port"
check "kassad starts again" $(wait_port; echo $?)
first=$(send sync)
echo "# $first"
check "sync: 2 sales, 2 ratings, nothing rejected or pending" $(echo "$first" | grep '"ok":true' |
	grep '"replayed":2,' | grep '"rejected":0,' | grep '"pending":0,' |
	grep -q '"feedback":2'; echo $?)
count_sold() { q "SELECT count(*) FROM transactions WHERE receipt_no = '$1'"; }
check "sales 1 and 3 on the server once each, the damaged one not" $(
	[ "$(count_sold "$r1")" = 1 ] && [ "$(count_sold "$r3")" = 1 ] &&
	[ "$(count_sold "$r2")" = 0 ]; echo $?)
rated() {
	q "SELECT f.rating || ':' || f.comment || ':' || f.staff_id FROM feedback f
		JOIN transactions t USING (txn_id) WHERE t.receipt_no = '$1'"
}
check "the rating 4 is on sale 3, with its comment ($(rated "$r3"))" $(
	[ "$(rated "$r3")" = "4:friendly cashier:1001" ]; echo $?)
check "the rating 2 is on sale 1 ($(rated "$r1"))" $([ "$(rated "$r1")" = "2::1001" ]; echo $?)
again=$(send sync)
echo "# $again"
check "sync again: nothing more" $(echo "$again" | grep '"ok":true' | grep '"replayed":0,' |
	grep -q '"feedback":0'; echo $?)
nfb=$(q "SELECT count(*) FROM feedback f JOIN transactions t USING (txn_id)
	WHERE t.receipt_no IN ('$r1', '$r2', '$r3')")
check "two ratings in the feedback table, once each (got $nfb)" $([ "$nfb" = 2 ]; echo $?)
check "the sales still once each" $([ "$(count_sold "$r1")" = 1 ] && [ "$(count_sold "$r3")" = 1 ]; echo $?)
check "the journal holds nothing" $([ "$(stat -c %s "$J")" = 0 ]; echo $?)
check "the rejected file holds only the damaged record" $([ "$(wc -l <"$rej")" = 1 ]; echo $?)
# online now: a rating goes straight to the server
ok sale begin && ok sale add SKU-APPLE 1 && ok sale pay cash 100.00
on=$(send sale finish)
check "an online sale" $(echo "$on" | grep -q '"offline":false'; echo $?)
fbo=$(send feedback rating=5)
check "its rating is recorded online" $(echo "$fbo" | grep '"offline":false' |
	grep -q '"feedback_id":[1-9]'; echo $?)
till_stop
if [ "$fail" != 0 ]; then
	for f in "$tmp"/out.* "$tmp"/err.* "$tmp/kassad.log"; do
		echo "# --- $f"; tail -n 40 "$f" | sed 's/^/# /'
	done
fi
summary
