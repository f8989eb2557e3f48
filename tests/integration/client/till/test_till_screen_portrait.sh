#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_screen_portrait: the member's portrait on the till's member
# panel, in a real tmux at 80x24 against the real kassad. A member whom the
# analytics job has classed (a member_stats row, written here in SQL as the
# job writes it) shows two lines: class, average basket and favourite
# categories; usual store and hour, visit interval; in English and in
# Chinese. A member the job has not seen buy shows neither line. Every wait
# polls capture-pane with a deadline. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
# shellcheck source=test_till_screen_lib.sh
. "$(dirname "$0")/test_till_screen_lib.sh"

mkdir -p "$tmp/receipts" "$tmp/state"
base=$(( ($$ * 7919 + $(date +%s)) % 100000000 ))
phone="135$(printf '%08d' "$base")"
plain="135$(printf '%08d' $(( (base + 1) % 100000000 )))"
store=$(sql "SELECT name FROM stores WHERE code = 'S001'")
mid=$(sql "INSERT INTO members (phone, card_no, name) VALUES
	('+86$phone', 'PT$$-1', 'Portrait Member'), ('+86$plain', 'PT$$-2', 'Plain Member')
	RETURNING member_id" | head -n 1)
sql "INSERT INTO member_stats (member_id, visits, class, avg_basket_minor, fav_categories,
	usual_store_id, usual_hour, visit_interval_days, last_visit)
     SELECT $mid, 3, 'active', 4167, ARRAY['tea', 'cake'], store_id, 15, 9,
	now() - interval '2 days' FROM stores WHERE code = 'S001'" >/dev/null
check "set-up: a member with a portrait, one without" $([ -n "$mid" ] &&
	[ "$(sql "SELECT class FROM member_stats WHERE member_id = $mid")" = active ]; echo $?)

# look_up PHONE PROMPT: the member screen (once PROMPT shows), find by phone
look_up() {
	keys F2
	wait_for "$2" >/dev/null
	keys "$1" Enter
}

start_till C.UTF-8 --lang en
wait_for 'Staff id:' >/dev/null
keys 1001 Enter
wait_for 'PIN:' >/dev/null
keys 1234 Enter
wait_for 'Code:' >/dev/null
look_up "$phone" 'Phone, card or QR:'
check "the member is found" "$(shows 'Member found: Enter or F5 attaches')"
save portrait_en
check "portrait: class, average basket, favourite categories" $(
	wait_for 'Class: active   Avg basket 41.67   Likes: tea, cake' >/dev/null; echo $?)
check "portrait: usual store and hour, visit interval" $(
	wait_for "Usually at $store around 15:00   visits every 9 days" >/dev/null; echo $?)
keys "$plain" Enter
check "a member without a portrait: found" "$(shows 'Plain Member')"
check "a member without a portrait: no portrait lines" $(! pane | grep -q 'Class:' &&
	! pane | grep -q 'Usually at'; echo $?)
keys Escape
wait_for 'Code:' >/dev/null
check "log out and quit: exit 0" $(stop_till 'Staff id:'; echo $?)

start_till zh_CN.UTF-8 --lang zh_CN
wait_for '工号' >/dev/null
keys 1001 Enter
wait_for '密码' >/dev/null
keys 1234 Enter
wait_for '商品码：' >/dev/null
look_up "$phone" '手机号、卡号或二维码：'
save portrait_zh
check "zh_CN: the class and basket in Chinese" $(wait_for '类别： 活跃' >/dev/null &&
	wait_for '偏好： tea, cake' >/dev/null; echo $?)
check "zh_CN: usual store and visit interval in Chinese" $(
	wait_for "常去 $store，约 15:00" >/dev/null && wait_for '约每 9 天光顾一次' >/dev/null; echo $?)
keys Escape
wait_for '商品码：' >/dev/null
check "zh: log out and quit: exit 0" $(stop_till '工号'; echo $?)

summary
