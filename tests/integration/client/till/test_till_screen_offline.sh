#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_screen_offline: the screen through an outage, in a real tmux. The
# till talks to a kassad of its own (lib.sh start_kassad); that kassad stops
# mid-shift: the status bar turns [OFFLINE], a cash sale is still made (priced
# from the catalogue cache, journaled), and when kassad is back the screen says
# the offline sale was sent, and the sale is in PostgreSQL once with its
# receipt number. Every wait polls capture-pane with a deadline. Needs
# KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
port=$(free_port) || { echo "no free port"; exit 1; }
TILL_PORT=$port
# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"

# wait_listen: until kassad accepts connections on $port (bounded)
wait_listen() {
	local deadline=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$deadline" ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
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
keys SKU-TEA Enter SKU-TEA Enter
check "offline: the indicator says so" $(wait_re '\[OFFLINE\]$'; echo $?)
check "offline: the cached product still sells" $(wait_for '2 lines, 2 items' && wait_for 'Total 20.00'; echo $?)
keys F5
wait_for 'Still due' >/dev/null
keys 50 c Enter
check "offline: the sale is finished and journaled" $(wait_for 'rating 1-5' &&
	wait_for '(offline, to be sent)'; echo $?)
keys Enter
check "offline: change 30.00 on the sale screen" "$(shows 'Change 30.00')"
receipt=$(pane | sed -n 's/.*Last sale \(S001-T1-[0-9]*\).*/\1/p' | head -n 1)
check "a receipt number was given offline" $([ -n "$receipt" ]; echo $?)
check "the receipt file is written offline" $([ -s "$tmp/receipts/$receipt.txt" ]; echo $?)

start_kassad "$port"
wait_listen >/dev/null
check "back online: the indicator and what was sent" $(wait_re '\[ONLINE\]$' 30 &&
	wait_for 'Back online: 1 offline sales sent, 0 rejected, 0 waiting' 30; echo $?)
check "the offline sale is on the server once, with its receipt number" \
	$([ "$(sql "SELECT count(*) || ':' || min(total_minor) FROM transactions WHERE receipt_no = '$receipt'")" = "1:2000" ]; echo $?)
check "log out and quit: exit 0" $(stop_till 'Staff id:'; echo $?)
summary
