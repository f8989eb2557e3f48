#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_screen_clock: clocking in and out on the till's screen, in a
# real tmux: on the shift screen (F9) F5 clocks the logged-in cashier in
# (the time shown), F5 again is refused with the reason in words, F6
# clocks out (the hours shown) and the database holds one closed record.
# Chinese help labels in zh_CN. A fresh cashier of S001 (the PIN hash of
# 1001). Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"

mkdir -p "$tmp/receipts" "$tmp/state"
id=$(sql "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)
	  SELECT greatest(max(staff_id), 890000000) + 1, (SELECT store_id FROM stores WHERE code = 'S001'),
	         'Screen Clock', 'cashier', (SELECT pin_hash FROM staff WHERE staff_id = 1001)
	  FROM staff RETURNING staff_id" | head -n 1)
check "a fresh cashier ($id)" $([ -n "$id" ]; echo $?)

start_till C.UTF-8 --lang en
wait_for 'Staff id:' >/dev/null
keys "$id" Enter
wait_for 'PIN:' >/dev/null
keys 1234 Enter
wait_for 'Code:' >/dev/null
keys F9
check "the shift screen offers clock in and out" $(wait_for 'Clock in' && wait_for 'Clock out'; echo $?)
keys F5
check "F5: clocked in, the time shown" $(wait_for 'Clocked in at 20'; echo $?)
keys F5
check "F5 again: refused in words" $(wait_for 'clocked in already'; echo $?)
keys F6
check "F6: clocked out, the hours shown" $(wait_for 'Clocked out: 0 h 00 min'; echo $?)
check "one closed record" \
	$([ "$(sql "SELECT count(*) FROM clock_records WHERE staff_id = $id AND out_at IS NOT NULL")" = 1 ]; echo $?)
keys Escape
wait_for 'Code:' >/dev/null
check "log out and quit: exit 0" $(stop_till 'Staff id:'; echo $?)

start_till zh_CN.UTF-8 --lang zh_CN
wait_for '工号' >/dev/null
keys "$id" Enter
wait_for '密码' >/dev/null
keys 1234 Enter
wait_for "Screen Clock ($id)" >/dev/null
keys F9
check "zh_CN: 上班打卡 / 下班打卡 on the shift screen" $(wait_for '上班打卡' && wait_for '下班打卡'; echo $?)
"${T[@]}" kill-session -t till 2>/dev/null

summary
