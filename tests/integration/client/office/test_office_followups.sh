#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_followups: the follow-up, points and coupon commands of
# kassa-office and kassa-till's script mode. The admin saves a rule set from
# a JSON file (an empty one is refused NO_RULES) and reads it back; a
# follow-up of a new member (made here in SQL: the job itself is
# integration_followups') is on S001's due list at the till, recorded there
# reached with a note, and listed done at head office as a table with
# Chinese labels and as CSV with the machine keys; a manager adjusts points
# at the till and at head office (negative too, never below zero: the
# balance equals the ledger); an admin edits a coupon definition (a new one
# replaces it) and deactivates the new one; bad words are usage errors
# (exit 2). Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script "$@"
}

work=$(mktemp -d)
trap 'rm -rf "$work"; on_exit' EXIT
n="$$-$RANDOM"
phone="+86138$(printf '%08d' $(( (RANDOM * 32768 + RANDOM + $$) % 100000000 )))"
mid=$(printf 'login 1001 1234\nmember register name="回访 Shell" phone=%s\n' "$phone" | till |
	grep '"cmd":"member register"' | json_field member_id)
check "a member registered at the till" $([ -n "$mid" ]; echo $?)

# ---- the rules ----
printf '{"rules":[{"name":"shell-%s","kind":"after_sale","days":7,"min_total_minor":99999999,"active":false,"due_days":2}]}\n' "$n" >"$work/rules.json"
out=$(admin followup set-rules "$work/rules.json")
echo "$out" | sed 's/^/# /'
check "the admin saves a rule set from a file" $(echo "$out" | grep -q '"ok":true' &&
	echo "$out" | grep -q "\"name\":\"shell-$n\""; echo $?)
out=$(analyst followup rules)
check "head office reads it back" $(echo "$out" | grep -q "\"name\":\"shell-$n\"" &&
	echo "$out" | grep -q '"due_days":2' && echo "$out" | grep -q '"active":false'; echo $?)
echo '{"rules":[]}' >"$work/empty.json"
out=$(admin followup set-rules "$work/empty.json")
check "an empty rule set is NO_RULES" $(echo "$out" | grep -q '"detail":"NO_RULES"'; echo $?)

# ---- a follow-up due yesterday at S001 ----
fid=$(sql "INSERT INTO followups (member_id, store_id, staff_id, rule, kind, source, due_on)
	SELECT $mid, store_id, 1001, 'shell-$n', 'after_sale', 'shell:$n', current_date - 1
	FROM stores WHERE code = 'S001' RETURNING followup_id" | head -n 1)
check "a follow-up made" $([ -n "$fid" ]; echo $?)
out=$(printf 'login 1001 1234\nfollowup list staff=1001 limit=500\nfollowup record %s outcome=reached note="回访成功 thanks"\nfollowup record %s outcome=maybe\n' "$fid" "$fid" | till)
echo "$out" | sed 's/^/# /'
check "the till's due list has it, with the member's phone" $(echo "$out" |
	grep '"cmd":"followup"' | head -n 1 | grep -q "\"$fid\",\"[0-9-]*\",\"due\".*\"$phone\""; echo $?)
check "recorded reached at the till: done" $(echo "$out" | grep '"followup":' |
	grep -q '"state":"done".*"outcome":"reached"' ; echo $?)
check "an unknown outcome is a usage error" $(echo "$out" | tail -n 1 | grep -q '"ok":false'; echo $?)
out=$(analyst --lang zh_CN followup list state=done staff=1001 limit=500)
check "head office: done, a table with Chinese labels" $(echo "$out" | head -n 1 | grep -qx '回访' &&
	echo "$out" | grep -q '应回访日' && echo "$out" | grep -q "回访成功 thanks"; echo $?)
out=$(analyst --format csv followup list state=done staff=1001 limit=500)
check "CSV keeps the machine keys" $(echo "$out" | head -n 1 |
	grep -q '^followup_id,due_on,status,kind,rule,store,staff_id,member_id'; echo $?)
out=$(analyst followup list state=late 2>&1)
check "a bad state is BAD_STATE" $(echo "$out" | grep -q 'BAD_STATE'; echo $?)

# ---- points ----
out=$(printf 'login 2001 9999\npoints adjust %s 300 reason="补偿 goodwill"\npoints adjust %s -500 reason=too_much\n' "$mid" "$mid" | till)
echo "$out" | sed 's/^/# /'
check "a manager adds 300 at the till" $(echo "$out" | grep '"adjusted"' |
	grep -q '"points":300,"points_balance":300'; echo $?)
check "taking 500 is INSUFFICIENT_POINTS" $(echo "$out" | grep -q 'INSUFFICIENT_POINTS'; echo $?)
out=$(manager --reason "entered twice" -- points adjust "$mid" -100)
check "and takes 100 away at head office" $(echo "$out" | grep -q '"points_balance":200'; echo $?)
check "the balance equals the ledger" $([ "$(sql "SELECT m.points_balance = sum(l.points)
	FROM members m JOIN points_ledger l USING (member_id) WHERE m.member_id = $mid
	GROUP BY m.points_balance")" = t ]; echo $?)
manager points adjust "$mid" 10 >/dev/null 2>&1
check "no reason is a usage error (exit 2)" $([ $? = 2 ]; echo $?)

# ---- coupons ----
code="FUPSH$RANDOM$$"
def=$(admin coupon define name="Shell coupon" kind=fixed value=3.00 claim="$code" | json_field def_id)
out=$(admin coupon edit "$def" name="Shell coupon, more" kind=fixed value=5.00 claim="$code")
echo "$out" | sed 's/^/# /'
new=$(echo "$out" | json_field new_def_id)
check "edit makes a new definition that replaces the old" $([ -n "$new" ] && [ "$new" -gt "$def" ] &&
	[ "$(sql "SELECT active::text || replaced_by FROM coupon_defs WHERE def_id = $def")" = "false$new" ]; echo $?)
out=$(admin coupon deactivate "$new")
check "deactivate" $(echo "$out" | grep -q '"ok":true' &&
	[ "$(sql "SELECT active FROM coupon_defs WHERE def_id = $new")" = f ]; echo $?)
out=$(printf 'login 1001 1234\ncoupon claim %s %s\n' "$mid" "$code" | till)
check "a claim of the deactivated offer is refused" $(echo "$out" | tail -n 1 | grep -q '"ok":false'; echo $?)
admin coupon deactivate 2>/dev/null >&2
check "deactivate without an id is a usage error (exit 2)" $([ $? = 2 ]; echo $?)
summary
