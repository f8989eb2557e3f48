#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_members: kassa-office's head-office member commands as an
# analyst uses them: `member 360` (the profile and its ledgers, limit=, an
# unknown member), `member find` by filter words (each narrows, paging with
# limit= and after= returns every member once, count), the member's class
# and portrait in the output, `segment save` twice (versions 1 and 2),
# `segment show` (latest and version=), `segment list`, `member find
# segment=`, and refusals: a bad value the server refuses is exit 1 with
# its code, a filter word kassa-office cannot read or an unknown word exit
# 2; in Chinese with --lang zh_CN. Needs KASSA_TEST_ENV and KASSA_TILL (as
# test_office.sh).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

sql() {
	psql "$KASSA_CONNINFO" -qAtc "$1"
}

# py EXPR: evaluate a Python expression over the JSON object on stdin (as o); exit 0 if true
py() {
	python3 -c "import json,sys; o=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}

run=$$-$(date +%s)
prefix="OM$run "
tag="om$run"

# three members straight into the database: A (vip, consent, 80.00 spent, active at
# S001), B (consent, 20.00), C (no consent, nothing spent, no stats row)
s1=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
ids=$(sql "INSERT INTO members (phone, card_no, name, tags, marketing_consent,
		cumulative_spend_minor, points_balance)
	SELECT '+86136' || lpad(((extract(epoch FROM now())::bigint * 7 + $$ * 13 + n)
		% 100000000)::text, 8, '0'), 'OM' || $$ || '-' || n, '$prefix' || chr(64 + n),
		CASE n WHEN 1 THEN ARRAY['$tag', 'vip'] ELSE ARRAY['$tag'] END, n < 3,
		CASE n WHEN 1 THEN 8000 WHEN 2 THEN 2000 ELSE 0 END, 0
	FROM generate_series(1, 3) n ORDER BY n RETURNING member_id" | tr '\n' ' ')
read -r A B Cm <<<"$ids"
# their spend is a sale of that much each, as the ledgers are everywhere
sql "INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency, total_minor,
	tendered_minor, change_minor, gross_minor)
	SELECT t.store_id, t.till_id, 1001, m.member_id, 'CNY', m.cumulative_spend_minor,
		m.cumulative_spend_minor, 0, m.cumulative_spend_minor
	FROM members m, tills t WHERE t.code = 'S001-T1' AND m.member_id IN ($A, $B)" >/dev/null
echo "# members A=$A B=$B C=$Cm"
sql "INSERT INTO points_ledger (member_id, kind, points) VALUES ($A, 'adjust', 70), ($A, 'adjust', -20);
     UPDATE members SET points_balance = 50 WHERE member_id = $A;
     INSERT INTO points_lots (member_id, source, points, remaining, expires_on)
	VALUES ($A, 'adjust', 50, 50, current_date + 365);
     INSERT INTO member_stats (member_id, visits, class, usual_store_id, usual_hour, last_visit,
	avg_basket_minor, fav_categories, visit_interval_days)
	VALUES ($A, 5, 'active', $s1, 10, now() - interval '3 days', 1600, ARRAY['tea'], 6),
	       ($B, 1, 'new', $s1, 19, now() - interval '40 days', 2000, '{}', 0)" >/dev/null

# ---- member 360 ----------------------------------------------------------------

out=$(analyst member 360 "$A")
rc=$?
echo "$out" | cut -c1-300 | sed 's/^/# /'
check "member 360 exits 0 for an analyst" $([ $rc = 0 ]; echo $?)
check "member 360: the member, its points ledger newest first with balances, the sum" $(
	echo "$out" | py "o['cmd'] == 'member 360' and o['member']['member_id'] == $A and
		[(e['amount'], e['balance_after']) for e in o['points']] == [(-20, 50), (70, 70)] and
		o['points_ledger_sum'] == 50 and o['member']['points_balance'] == 50 and
		o['stored_value'] == [] and o['purchases'] == 1 and o['erased'] is False"
	echo $?)
check "member 360: the class and portrait" $(echo "$out" | py "o['member']['rfm']['class'] ==
	'active' and o['member']['portrait']['usual_hour'] == 10 and
	o['member']['portrait']['favourite_categories'] == ['tea'] and
	o['member']['portrait']['avg_basket_minor'] == 1600"; echo $?)
out=$(analyst member 360 "$A" limit=1)
check "member 360 limit=1: only the newest entry" $(echo "$out" |
	py "len(o['points']) == 1 and o['points'][0]['balance_after'] == 50"; echo $?)
analyst member 360 999999999999 >"$tmp/out"
rc=$?
check "member 360 of an unknown member: exit 1, MEMBER_NOT_FOUND" $([ $rc = 1 ] &&
	grep -q '"code":"NOT_FOUND","detail":"MEMBER_NOT_FOUND"' "$tmp/out"; echo $?)
analyst member 360 abc >"$tmp/out"
check "member 360 abc: a usage error (exit 2)" $([ $? = 2 ] &&
	grep -q '"detail":"USAGE"' "$tmp/out"; echo $?)

# ---- member find -----------------------------------------------------------------

out=$(analyst member find name="$prefix")
check "member find name=: the three, ascending, no next" $(echo "$out" |
	py "o['cmd'] == 'member find' and [m['member_id'] for m in o['members']] ==
	    [$A, $B, $Cm] and o['next'] == ''"; echo $?)
out=$(analyst member find name="$prefix" limit=2)
next=$(echo "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)['next'])")
check "member find limit=2: two and a cursor" $(echo "$out" |
	py "[m['member_id'] for m in o['members']] == [$A, $B] and o['next'] != ''"; echo $?)
out=$(analyst member find name="$prefix" limit=2 after="$next")
check "member find after=: the third, then no more" $(echo "$out" |
	py "[m['member_id'] for m in o['members']] == [$Cm] and o['next'] == ''"; echo $?)
out=$(analyst member find tag="$tag" count)
check "member find tag= count: 3" $(echo "$out" | py "o['count'] == 3 and 'members' not in o"
	echo $?)
out=$(analyst member find tag="$tag" consent=yes spend_min=20.00)
check "member find consent=yes spend_min=20.00: A and B" $(echo "$out" |
	py "[m['member_id'] for m in o['members']] == [$A, $B]"; echo $?)
out=$(analyst member find tag="$tag" spend_max=20.00 consent=no)
check "member find spend_max=20.00 consent=no: C" $(echo "$out" |
	py "[m['member_id'] for m in o['members']] == [$Cm]"; echo $?)
out=$(analyst member find tag="$tag" class=none)
check "member find class=none: C (no stats row)" $(echo "$out" |
	py "[m['member_id'] for m in o['members']] == [$Cm]"; echo $?)
day=$(sql "SELECT to_char(current_date - 3, 'YYYY-MM-DD')")
out=$(analyst member find tag="$tag" store="$s1" visit_from="$day" visit_to="$day")
check "member find store= visit_from= visit_to=: A" $(echo "$out" |
	py "[m['member_id'] for m in o['members']] == [$A] and
	    o['members'][0]['rfm']['class'] == 'active'"; echo $?)

# ---- segments ----------------------------------------------------------------------

seg="om-seg-$run"
out=$(analyst segment save "$seg" description="同意营销的会员" tag="$tag" consent=yes)
rc=$?
echo "$out" | sed 's/^/# /'
check "segment save: version 1 with its filter and description" $([ $rc = 0 ] && echo "$out" |
	py "o['segment']['version'] == 1 and o['segment']['filter'] ==
	    {'tag': '$tag', 'consent': 'yes'} and o['segment']['description'] ==
	    '同意营销的会员' and o['idempotency_key'] != ''"; echo $?)
out=$(analyst segment save "$seg" tag="$tag" consent=no)
check "segment save again: version 2" $(echo "$out" | py "o['segment']['version'] == 2"
	echo $?)
out=$(analyst segment show "$seg")
check "segment show: the latest, version 2" $(echo "$out" |
	py "o['segment']['version'] == 2 and o['segment']['filter']['consent'] == 'no'"; echo $?)
out=$(analyst segment show "$seg" version=1)
check "segment show version=1" $(echo "$out" |
	py "o['segment']['version'] == 1 and o['segment']['filter']['consent'] == 'yes'"; echo $?)
out=$(analyst segment list)
check "segment list: the segment once, at version 2" $(echo "$out" |
	py "[s['version'] for s in o['segments'] if s['name'] == '$seg'] == [2]"; echo $?)
out=$(analyst member find segment="$seg" version=1)
check "member find segment= version=1: A and B" $(echo "$out" |
	py "[m['member_id'] for m in o['members']] == [$A, $B] and o['segment_version'] == 1"
	echo $?)
out=$(analyst member find segment="$seg" count)
check "member find segment= count: the latest (2) has C" $(echo "$out" |
	py "o['count'] == 1 and o['segment_version'] == 2"; echo $?)

# ---- refusals ------------------------------------------------------------------------

analyst member find birthday_month=13 >"$tmp/out"
check "birthday_month=13: exit 1, BAD_BIRTHDAY_MONTH from the server" $([ $? = 1 ] &&
	grep -q '"code":"INVALID_ARGUMENT","detail":"BAD_BIRTHDAY_MONTH"' "$tmp/out"; echo $?)
analyst member find visit_from=2026-02-30 >"$tmp/out"
check "visit_from=2026-02-30: exit 1, BAD_DATE" $([ $? = 1 ] &&
	grep -q '"detail":"BAD_DATE"' "$tmp/out"; echo $?)
analyst member find spend_min=20 spend_max=10 >"$tmp/out"
check "spend_min above spend_max: exit 1, BAD_RANGE" $([ $? = 1 ] &&
	grep -q '"detail":"BAD_RANGE"' "$tmp/out"; echo $?)
analyst member find consent=maybe >"$tmp/out"
check "consent=maybe: exit 2, BAD_FILTER" $([ $? = 2 ] &&
	grep -q '"detail":"BAD_FILTER","message":"consent: consent is yes or no"' "$tmp/out"
	echo $?)
analyst member find colour=red >"$tmp/out"
check "an unknown word: exit 2, USAGE" $([ $? = 2 ] && grep -q '"detail":"USAGE"' "$tmp/out"
	echo $?)
analyst member find after=bogus >"$tmp/out"
check "a made-up cursor: exit 1, BAD_CURSOR" $([ $? = 1 ] &&
	grep -q '"detail":"BAD_CURSOR"' "$tmp/out"; echo $?)
analyst segment show "no-such-$run" >"$tmp/out"
check "segment show of an unknown name: exit 1, SEGMENT_NOT_FOUND" $([ $? = 1 ] &&
	grep -q '"code":"NOT_FOUND","detail":"SEGMENT_NOT_FOUND"' "$tmp/out"; echo $?)
analyst --lang zh_CN member find consent=maybe >"$tmp/out"
check "--lang zh_CN: kassa-office's own message in Chinese" $([ $? = 2 ] &&
	grep -q '"detail":"BAD_FILTER","message":"consent: consent 须为 yes 或 no"' "$tmp/out"
	echo $?)
analyst --lang zh_CN member find birthday_month=13 >"$tmp/out"
check "--lang zh_CN: the server's message in Chinese, the same detail" $([ $? = 1 ] &&
	grep -q '"detail":"BAD_BIRTHDAY_MONTH","message":"生日月份须为 1 到 12"' "$tmp/out"
	echo $?)

# ---- a store manager: their store's members only, phones masked ------------------

# the manager at their store's back office (a session's store is its certificate's)
store_manager() {
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff 2001 --pin 9999 "$@"
}
out=$(store_manager member find tag="$tag")
check "a manager at S001 finds A and B, whose usual store is S001, and not C (no store)" $(
	echo "$out" | py "[m['member_id'] for m in o['members']] == [$A, $B]"; echo $?)
check "... with the phones masked, as a till shows them" $(
	echo "$out" | py "all(m.get('phone', '') == '' and '****' in m['phone_masked']
			  for m in o['members'])"; echo $?)
out=$(store_manager member find tag="$tag" store=$((s1 + 1000)))
check "a manager asking for another store: exit 1, STORE_NOT_YOURS" $([ $? = 1 ] &&
	echo "$out" | py "o['detail'] == 'STORE_NOT_YOURS'"; echo $?)
out=$(analyst member find tag="$tag")
check "an analyst finds all three, with the full phones" $(
	echo "$out" | py "[m['member_id'] for m in o['members']] == [$A, $B, $Cm] and
			  all(m['phone'].startswith('+86136') for m in o['members'])"; echo $?)

summary
