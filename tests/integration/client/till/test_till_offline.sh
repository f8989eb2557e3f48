#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_offline: selling through an outage. A till logs in and sells
# online, kassad stops mid-shift, the till goes on selling offline (cash,
# some sales to a member identified by phone, one product withdrawn on the
# server meanwhile), is killed with SIGKILL in the middle of a sale and
# restarted; kassad comes back and the till synchronises. Guards against:
# a finished offline sale lost or recorded twice (replayed twice to prove
# it), the killed half sale recorded, points awarded twice, a refused
# record dropped instead of kept with its reason, the journal keeping
# records that are done. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
OFFLINE_SALES=50	# finished offline sales of known products
KILL_AT=31		# the till is killed during this one (not finished)
STATE=$tmp/state
q() { psql "$KASSA_CONNINFO" -Atq -v ON_ERROR_STOP=1 -c "$1"; }

port=$(free_port) || { echo "no free port"; exit 1; }
tag=$$$(date +%s)
stale="SKU-OFFL-$tag"
phone="+86137$(printf '%08d' $(( ($$ * 7919 + $(date +%s)) % 100000000 )))"
q "INSERT INTO products (sku, barcode, name, price_minor) VALUES ('$stale', 'BC$tag', 'Offline stale', 500)"

# shellcheck source=test_till_script_lib.sh
. "$(dirname "$0")/test_till_script_lib.sh"

# sell N [phone]: one cash sale of SKU-APPLE, to the member by phone if
# given; a step that fails cancels the sale (so the next one can begin)
sell() {
	if ok sale begin && ok sale add SKU-APPLE "$1" &&
		{ [ -z "${2:-}" ] || ok sale member phone="$2"; } && ok sale pay cash 100.00; then
		send sale finish >>"$tmp/finishes"
		tail -1 "$tmp/finishes" | grep -q '"ok":true' && return 0
	fi
	send sale cancel >/dev/null
	return 1
}

# 1. online: log in, register the member, sell, fill the cache
start_kassad "$port"
check "kassad starts" $(wait_port; echo $?)
till_start a
check "online login" $(ok login 1001 1234; echo $?)
mid=$(send member register name=\"Offline Member\" phone="$phone" | sed -n 's/.*"member_id":\([0-9]*\).*/\1/p')
check "member registered" $([ -n "$mid" ]; echo $?)
check "online sale" $(sell 1; echo $?)
check "the stale product is looked up online (cached)" $(ok product "$stale"; echo $?)
check "sync online (catalogue into the cache)" $(ok sync; echo $?)
check "status online" $(send status | grep -q '"online":true'; echo $?)
: >"$tmp/finishes"

# 2. kassad stops mid-shift; the server withdraws a product meanwhile
pid=$kassad_pid
stop_kassad
check "kassad stops (exit $?)" $(! kill -0 "$pid" 2>/dev/null; echo $?)
q "UPDATE products SET active = false WHERE sku = '$stale'"
good=0
for i in $(seq 1 $((KILL_AT - 1))); do
	if [ $((i % 5)) = 0 ]; then sell 1 "$phone" && good=$((good + 1)); else sell 1 && good=$((good + 1)); fi
done
check "offline sales 1..$((KILL_AT - 1)) finish" $([ $good = $((KILL_AT - 1)) ]; echo $?)
check "they finished offline" $([ "$(grep -c '"offline":true' "$tmp/finishes")" = $good ]; echo $?)
check "status offline with $good pending" $(send status | grep '"online":false' |
	grep -q "\"journal_pending\":$good,"; echo $?)

# 3. kill -9 in the middle of sale KILL_AT (begun, a line added, not finished)
ok sale begin && ok sale add SKU-APPLE 3
kill -KILL "$till_pid"
wait "$till_pid" 2>/dev/null
exec 7>&-
till_start b
check "offline login after the restart (PIN verifier)" $(ok login 1001 1234; echo $?)
check "status after restart: $good pending" $(send status | grep -q "\"journal_pending\":$good,"; echo $?)
for i in $(seq $((KILL_AT + 1)) $((OFFLINE_SALES + 1))); do
	if [ $((i % 5)) = 0 ]; then sell 1 "$phone" && good=$((good + 1)); else sell 1 && good=$((good + 1)); fi
done
check "$OFFLINE_SALES offline sales finished" $([ $good = $OFFLINE_SALES ]; echo $?)
# a sale of the withdrawn product, from the (now stale) cache
ok sale begin && ok sale add "$stale" 1 && ok sale pay cash 5.00
send sale finish >>"$tmp/finishes"
check "a stale-cache sale finishes offline" $(tail -1 "$tmp/finishes" | grep -q '"ok":true'; echo $?)
receipts=$(grep -o '"receipt_no":"[^"]*"' "$tmp/finishes" | sort -u | wc -l)
check "every offline receipt number distinct" $([ "$receipts" = $((OFFLINE_SALES + 1)) ]; echo $?)

# 4. kassad is back: sync replays the journal
start_kassad "$port"
check "kassad starts again" $(wait_port; echo $?)
cp "$STATE/journal" "$tmp/journal.before"	# replayed a second time below
first=$(send sync)
echo "# $first"
check "sync: $OFFLINE_SALES replayed, 1 rejected, none pending" $(echo "$first" |
	grep "\"replayed\":$OFFLINE_SALES," | grep '"rejected":1,' | grep -q '"pending":0,'; echo $?)
st=$(send status)
echo "# $st"
check "status: online, journal empty, 1 rejected" $(echo "$st" | grep '"online":true' |
	grep '"journal_pending":0,' | grep -q '"journal_rejected":1,'; echo $?)
list=$(grep -o '"receipt_no":"[^"]*"' "$tmp/finishes" | cut -d'"' -f4 | sed "s/.*/'&'/" | paste -sd,)
count_sold() { q "SELECT count(*) FROM transactions WHERE offline AND receipt_no IN (${list:-''})"; }
n=$(count_sold)
check "exactly the $OFFLINE_SALES finished sales are on the server (got $n)" $(
	[ "$n" = $OFFLINE_SALES ]; echo $?)
dup=$(q "SELECT count(*) - count(DISTINCT receipt_no) FROM transactions WHERE receipt_no <> ''")
check "each once" $([ "$dup" = 0 ]; echo $?)
# replay the very same records again (as after a crash between sending and
# compacting): every sale is answered as recorded, none is recorded twice
ok quit
exec 7>&-
wait "$till_pid"
cp "$tmp/journal.before" "$STATE/journal"
till_start c
check "login after restoring the journal" $(ok login 1001 1234; echo $?)
again=$(send status)	# the login replayed the journal (till_auto_sync)
echo "# $again"
check "the second replay: all $OFFLINE_SALES answered again, the stale one refused again" $(
	echo "$again" | grep "\"auto_sync\":{\"replayed\":$OFFLINE_SALES," |
	grep '"rejected":1,' | grep -q '"journal_pending":0,'; echo $?)
check "the second replay recorded nothing" $([ "$(count_sold)" = "$n" ]; echo $?)
again=$(send sync)
check "sync again: nothing more" $(echo "$again" | grep '"replayed":0,' | grep -q '"rejected":0,'; echo $?)
member_sales=$(q "SELECT count(*) FROM transactions WHERE member_id = ${mid:-0} AND offline")
check "the phone-identified sales belong to the member ($member_sales)" $(
	[ "$member_sales" = $((OFFLINE_SALES / 5)) ]; echo $?)
check "points balance = ledger" $([ "$(q "SELECT m.points_balance = coalesce(sum(l.points), 0)
	FROM members m LEFT JOIN points_ledger l USING (member_id)
	WHERE m.member_id = ${mid:-0} GROUP BY m.points_balance")" = t ]; echo $?)
check "each member sale earned points" $([ "$(q "SELECT count(*) FROM points_ledger
	WHERE member_id = ${mid:-0} AND kind = 'earn'")" = "$member_sales" ]; echo $?)
check "points earned once per sale" $([ "$(q "SELECT count(*) FROM points_ledger
	WHERE member_id = ${mid:-0} AND kind = 'earn' GROUP BY txn_id HAVING count(*) > 1" | wc -l)" = 0 ]; echo $?)
check "the killed sale is nowhere (3 apples never sold)" $([ "$(q "SELECT count(*) FROM transaction_lines tl
	JOIN transactions t USING (txn_id) WHERE t.offline AND tl.quantity = 3
	AND t.created_at > now() - interval '1 hour'")" = 0 ]; echo $?)
rej=$STATE/rejected
check "the refused record is kept with the server's reason (once per replay)" $([ -f "$rej" ] &&
	[ "$(wc -l <"$rej")" = 2 ] && [ "$(grep -c '"detail":"UNKNOWN_PRODUCT"' "$rej")" = 2 ]; echo $?)
check "the journal holds nothing" $([ "$(stat -c %s "$STATE/journal")" = 0 ]; echo $?)

# 5. the session syncs by itself when it comes back: two more offline sales,
# kassad back, and status (polled) shows the automatic sync
pid=$kassad_pid
stop_kassad
sell 1 && sell 1 "$phone"
check "two more offline sales" $([ "$(send status | grep -o '"journal_pending":[0-9]*')" = '"journal_pending":2' ]; echo $?)
start_kassad "$port"
wait_port
auto=
deadline=$((SECONDS + 30))
while [ $SECONDS -lt $deadline ]; do
	auto=$(send status)
	echo "$auto" | grep -q '"auto_sync"' && break
	sleep 0.5
done
echo "# $auto"
check "the automatic sync replayed both" $(echo "$auto" | grep -q '"auto_sync":{"replayed":2,'; echo $?)
check "and the journal is empty again" $(echo "$auto" | grep -q '"journal_pending":0,'; echo $?)
ok quit
exec 7>&-
wait "$till_pid"
if [ "$fail" != 0 ]; then
	for f in "$tmp"/out.* "$tmp"/err.* "$tmp/kassad.log"; do
		echo "# --- $f"; tail -n 40 "$f" | sed 's/^/# /'
	done
fi
echo "# counts: offline sales finished $good (+1 stale), on the server $n, rejected $(wc -l <"$rej" 2>/dev/null)"
summary
