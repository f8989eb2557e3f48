#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office: kassa-office as head office uses it to run the loyalty engine.
# Reading and replacing the rule set (put back as it was: the tests share one
# database), defining a coupon, issuing it and using it in a till sale,
# claiming one with a code at the till, setting a tier by hand, running the
# points expiry and the tier re-evaluation, and refusals: the wrong role or
# a bad value is exit 1 with the server's code and detail, a usage mistake
# exit 2; and --lang zh_CN|en: messages for people (the server's, kassa-office's
# own, stderr, the usage text) in that language, codes and details unchanged.
# Needs KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL (the kassa-till
# binary; kassa-office is next to it unless KASSA_OFFICE names it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script "$@"
}

# new_member NAME: register a member at the till and print its id
new_member() {
	local phone
	phone="+86137$(printf '%08d' $(( (RANDOM * 32768 + RANDOM + $$) % 100000000 )))"
	printf 'login 1001 1234\nmember register name="%s" phone=%s\n' "$1" "$phone" | till |
		grep '"cmd":"member register"' | json_field member_id
}

# the ledgers of member $1 agree with its balance
invariants() {
	sql "SELECT m.points_balance = coalesce((SELECT sum(points) FROM points_ledger l
						  WHERE l.member_id = m.member_id), 0)
		   AND coalesce((SELECT sum(remaining) FROM points_lots o
				 WHERE o.member_id = m.member_id), 0) = greatest(m.points_balance, 0)
		FROM members m WHERE m.member_id = ${1:-0}"
}

run=$$-$(date +%s)

# ---- rules show / rules set -------------------------------------------------

v0=$(sql "SELECT max(version) FROM rule_versions")
out=$(analyst rules show)
rc=$?
echo "$out" | cut -c1-300 | sed 's/^/# /'
check "rules show exits 0 for an analyst" $([ $rc = 0 ]; echo $?)
check "rules show: the newest version, its document as a JSON object" $(echo "$out" |
	grep "\"version\":$v0," | grep '"config":{' | grep -q '"refund_approval_minor":'; echo $?)

sql "SELECT config::text FROM rule_versions WHERE version = $v0" >"$tmp/orig.json"
limit=$(sql "SELECT config->>'refund_approval_minor' FROM rule_versions WHERE version = $v0")
sql "SELECT jsonb_set(config, '{refund_approval_minor}', to_jsonb($limit + 1))::text
     FROM rule_versions WHERE version = $v0" >"$tmp/new.json"
out=$(admin rules set "$tmp/new.json" note="office test $run")
rc=$?
echo "$out" | cut -c1-300 | sed 's/^/# /'
check "rules set exits 0 for an admin" $([ $rc = 0 ]; echo $?)
check "rules set: a new version with the new limit and the note" $(echo "$out" |
	grep "\"version\":$((v0 + 1))," | grep "\"refund_approval_minor\":$((limit + 1))" |
	grep -q "\"note\":\"office test $run\""; echo $?)
check "rules show: the new version is in force" $(analyst rules show |
	grep -q "\"version\":$((v0 + 1)),"; echo $?)
out=$(admin rules set - note="office test $run: put back" <"$tmp/orig.json")
rc=$?
check "rules set - (stdin) puts the original back" $([ $rc = 0 ] &&
	[ "$(sql "SELECT (SELECT config FROM rule_versions WHERE version = $((v0 + 2))) =
		      (SELECT config FROM rule_versions WHERE version = $v0)")" = t ]; echo $?)

echo '{"earn": 1}' | admin rules set - >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "a bad rule set is refused: exit 1, BAD_RULES from the server" $([ $rc = 1 ] &&
	grep -q '"ok":false,"cmd":"rules set","code":"INVALID_ARGUMENT","detail":"BAD_RULES"' "$tmp/out"; echo $?)
analyst rules set "$tmp/orig.json" >"$tmp/out" 2>&1
rc=$?
check "an analyst may not set rules: exit 1, ROLE_NOT_ALLOWED" $([ $rc = 1 ] &&
	grep -q '"code":"PERMISSION_DENIED","detail":"ROLE_NOT_ALLOWED"' "$tmp/out"; echo $?)
check "neither refusal made a version" $([ "$(sql "SELECT max(version) FROM rule_versions")" = $((v0 + 2)) ]; echo $?)
admin rules set "$tmp/no-such-file" >"$tmp/out" 2>&1
check "an unreadable file is a usage error (exit 2, BAD_FILE)" $([ $? = 2 ] &&
	grep -q '"detail":"BAD_FILE"' "$tmp/out"; echo $?)

# ---- coupon define / issue, used at the till --------------------------------

mid=$(new_member "Office Coupon")
check "a member registered at the till" $([ -n "$mid" ]; echo $?)
out=$(admin coupon define name="Office 5 off $run" kind=fixed value=5.00 min=15.00 max_member=1)
rc=$?
echo "$out" | sed 's/^/# /'
def=$(echo "$out" | json_field def_id)
check "coupon define exits 0 with the new definition's id" $([ $rc = 0 ] && [ -n "$def" ]; echo $?)
check "coupon define: stored as given, issued by hand" $([ "$(sql "SELECT kind || ' ' || value_minor || ' ' || min_spend_minor || ' ' || max_uses_per_member || ' ' || issue_on FROM coupon_defs WHERE def_id = ${def:-0}")" = "fixed 500 1500 1 manual" ]; echo $?)
out=$(manager coupon issue "${mid:-0}" "${def:-0}")
rc=$?
echo "$out" | sed 's/^/# /'
code=$(echo "$out" | json_field code)
check "coupon issue (manager) exits 0 with the coupon" $([ $rc = 0 ] && [ -n "$code" ] &&
	echo "$out" | grep "\"member_id\":$mid," | grep '"kind":"fixed"' |
	grep -q '"value_minor":500,'; echo $?)
check "coupon issue: the member holds it" $([ "$(sql "SELECT state FROM coupons WHERE member_id = ${mid:-0} AND code = '${code:-none}'")" = issued ]; echo $?)
out=$(till <<SCRIPT
login 1001 1234
sale begin
sale member ${mid:-0}
sale add SKU-TEA 2
sale coupon ${code:-none}
sale pay cash 20.00
sale finish
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
finish=$(echo "$out" | grep '"cmd":"sale finish"')
check "the till sale with the coupon exits 0" $([ $rc = 0 ]; echo $?)
check "the coupon took 5.00 off 20.00: 15.00 due, 5.00 change" $(echo "$finish" |
	grep '"total_minor":1500,' | grep '"coupon_off_minor":500,' | grep '"change_minor":500,' |
	grep -q "\"coupon_codes\":\[\"$code\"\]"; echo $?)
check "the coupon is used" $([ "$(sql "SELECT state FROM coupons WHERE code = '${code:-none}'")" = used ]; echo $?)

claim="OFFICE-$run"
out=$(admin coupon define name="Office claim $run" kind=percent percent=10 cap=3.00 claim="$claim")
rc=$?
echo "$out" | sed 's/^/# /'
check "coupon define with a claim code is issued on code" $([ $rc = 0 ] &&
	echo "$out" | grep -q '"issue_on":"code"'; echo $?)
out=$(printf 'login 1001 1234\ncoupon claim %s %s\ncoupon claim %s %s\n' "${mid:-0}" "$claim" \
	"${mid:-0}" "NO-SUCH-CLAIM-$run" | till)
rc=$?
echo "$out" | sed 's/^/# /'
claimed=$(echo "$out" | grep '"cmd":"coupon claim"' | head -n 1)
check "coupon claim at the till: a 10% coupon capped at 3.00" $(echo "$claimed" |
	grep '"ok":true' | grep '"idempotency_key":' | grep '"kind":"percent"' |
	grep '"percent_bp":1000,' | grep -q '"cap_minor":300,'; echo $?)
check "coupon claim with an unknown code: exit 1, NOT_FOUND" $([ $rc = 1 ] &&
	echo "$out" | grep -q '"ok":false,"cmd":"coupon claim","code":"NOT_FOUND"'; echo $?)
check "the claimed coupon is in PostgreSQL" $([ "$(sql "SELECT count(*) FROM coupons c JOIN coupon_defs d USING (def_id) WHERE c.member_id = ${mid:-0} AND d.claim_code = '$claim'")" = 1 ]; echo $?)

analyst coupon issue "${mid:-0}" "${def:-0}" >"$tmp/out" 2>&1
check "an analyst may not issue coupons: exit 1, ROLE_NOT_ALLOWED" $([ $? = 1 ] &&
	grep -q '"code":"PERMISSION_DENIED","detail":"ROLE_NOT_ALLOWED"' "$tmp/out"; echo $?)
admin coupon define name="Office bad $run" kind=percent percent=0 >"$tmp/out" 2>&1
check "a 0% coupon is refused: exit 1, BAD_PERCENT from the server" $([ $? = 1 ] &&
	grep -q '"code":"INVALID_ARGUMENT","detail":"BAD_PERCENT"' "$tmp/out"; echo $?)
admin coupon define name="Office bad $run" kind=bogus >"$tmp/out" 2>&1
check "an unknown coupon kind is a usage error (exit 2, BAD_FIELD)" $([ $? = 2 ] &&
	grep -q '"detail":"BAD_FIELD"' "$tmp/out"; echo $?)

# ---- tier set / tier reevaluate ----------------------------------------------

out=$(manager tier set "${mid:-0}" Gold reason="office test $run")
rc=$?
echo "$out" | cut -c1-300 | sed 's/^/# /'
check "tier set (manager) exits 0: the member is Gold with 20% off" $([ $rc = 0 ] &&
	echo "$out" | grep '"tier":"Gold"' | grep -q '"tier_discount_bp":2000,'; echo $?)
check "tier set: the full phone at head office" $(echo "$out" | grep -q '"phone":"+86137'; echo $?)
check "tier set: stored as a manual tier, audited" $([ "$(sql "SELECT tier || ' ' || tier_manual FROM members WHERE member_id = ${mid:-0}")" = "Gold true" ] &&
	[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'tier.set' AND subject = 'member:${mid:-0}' AND staff_id = 2001")" = 1 ]; echo $?)
manager tier set "${mid:-0}" Platinum reason="office test" >"$tmp/out" 2>&1
check "an unknown tier is refused: exit 1, UNKNOWN_TIER" $([ $? = 1 ] &&
	grep -q '"detail":"UNKNOWN_TIER"' "$tmp/out"; echo $?)
manager tier set "${mid:-0}" Silver >"$tmp/out" 2>&1
check "tier set without a reason is a usage error (exit 2)" $([ $? = 2 ] &&
	grep -q '"detail":"USAGE"' "$tmp/out"; echo $?)
out=$(admin tier reevaluate)
rc=$?
echo "$out" | sed 's/^/# /'
check "tier reevaluate exits 0 with what it examined and downgraded" $([ $rc = 0 ] &&
	echo "$out" | grep '"examined":' | grep -q '"downgraded":'; echo $?)
check "a tier set by hand stays after the re-evaluation" $([ "$(sql "SELECT tier FROM members WHERE member_id = ${mid:-0}")" = Gold ]; echo $?)

# ---- points expire -----------------------------------------------------------

eid=$(new_member "Office Expiry")
sql "UPDATE members SET points_balance = points_balance + 300 WHERE member_id = ${eid:-0};
     INSERT INTO points_ledger (member_id, kind, points) VALUES (${eid:-0}, 'adjust', 300);
     INSERT INTO points_lots (member_id, source, points, remaining, expires_on)
     VALUES (${eid:-0}, 'adjust', 300, 300, current_date - 1);" >/dev/null
analyst points expire >"$tmp/out" 2>&1
check "an analyst may not run the expiry: exit 1, ROLE_NOT_ALLOWED" $([ $? = 1 ] &&
	grep -q '"code":"PERMISSION_DENIED","detail":"ROLE_NOT_ALLOWED"' "$tmp/out"; echo $?)
check "the refused expiry expired nothing" $([ "$(sql "SELECT points_balance FROM members WHERE member_id = ${eid:-0}")" = 300 ]; echo $?)
out=$(admin points expire)
rc=$?
echo "$out" | sed 's/^/# /'
expired=$(echo "$out" | json_field points)
check "points expire exits 0 and counts at least the 300 points due" $([ $rc = 0 ] &&
	[ "${expired:-0}" -ge 300 ] && [ "$(echo "$out" | json_field members)" -ge 1 ] &&
	[ "$(echo "$out" | json_field lots)" -ge 1 ]; echo $?)
check "the lot past its day is gone: balance 0, an expire row of -300" $(
	[ "$(sql "SELECT points_balance FROM members WHERE member_id = ${eid:-0}")" = 0 ] &&
	[ "$(sql "SELECT sum(points) FROM points_ledger WHERE member_id = ${eid:-0} AND kind = 'expire'")" = -300 ]; echo $?)
check "the expired member's ledgers agree" $([ "$(invariants "$eid")" = t ]; echo $?)

# ---- staff unlock: a lockout lifted from head office ---------------------------

sid=$(sql "WITH s AS (INSERT INTO staff (staff_id, store_id, name, role, pin_hash, failed_pins,
	locked_until) SELECT 870001, store_id, 'Office Locked', 'cashier', pin_hash, 10,
	now() + interval '15 minutes' FROM staff WHERE staff_id = 1001 RETURNING staff_id)
	SELECT staff_id FROM s")
admin staff unlock "${sid:-0}" >"$tmp/out" 2>&1
rc=$?
check "staff unlock exits 0 and says the staff member was locked" $([ $rc = 0 ] &&
	[ "$(json_field was_locked <"$tmp/out")" = true ] &&
	[ "$(json_field staff_id <"$tmp/out")" = "${sid:-0}" ]; echo $?)
check "the lock and the count are gone" $([ "$(sql "SELECT failed_pins = 0 AND
	(locked_until IS NULL OR locked_until <= now()) FROM staff WHERE staff_id = ${sid:-0}")" = t ]
	echo $?)
check "the unlock is audited once" $([ "$(sql "SELECT count(*) FROM audit_log
	WHERE action = 'staff.unlock' AND subject LIKE '%${sid:-0}%'")" = 1 ]; echo $?)
admin staff unlock "${sid:-0}" >"$tmp/out" 2>&1
check "a second unlock exits 0: it was not locked" $([ $? = 0 ] &&
	[ "$(json_field was_locked <"$tmp/out")" = false ]; echo $?)
analyst staff unlock "${sid:-0}" >"$tmp/out" 2>&1
check "an analyst may not unlock: exit 1, ROLE_NOT_ALLOWED" $([ $? = 1 ] &&
	grep -q '"detail":"ROLE_NOT_ALLOWED"' "$tmp/out"; echo $?)
admin staff unlock 12x >/dev/null 2>&1
check "staff unlock without a staff id exits 2" $([ $? = 2 ]; echo $?)

# ---- the other refusals ------------------------------------------------------

office --staff 1001 --pin 1234 rules show >"$tmp/out" 2>&1
check "a store cashier cannot log in at head office: exit 1, BAD_CREDENTIALS" $([ $? = 1 ] &&
	grep -q '"cmd":"login","code":"UNAUTHENTICATED","detail":"BAD_CREDENTIALS"' "$tmp/out"; echo $?)
admin no such >/dev/null 2>&1
check "an unknown command exits 2" $([ $? = 2 ]; echo $?)

# ---- member history: the first page and its next cursor ------------------------

hm=$(new_member "Office History $run")
printf 'login 1001 1234\nsale begin\nsale member %s\nsale add SKU-TEA 1\nsale pay cash 100.00\nsale finish\nsale begin\nsale member %s\nsale add SKU-TEA 2\nsale pay cash 100.00\nsale finish\n' \
	"${hm:-0}" "${hm:-0}" | till >/dev/null
out=$(analyst member history "${hm:-0}" limit=1)
rc=$?
echo "$out" | cut -c1-300 | sed 's/^/# /'
newest=$(sql "SELECT max(txn_id) FROM transactions WHERE member_id = ${hm:-0}")
check "member history limit=1: the newest sale with its lines and a next cursor" $([ $rc = 0 ] &&
	echo "$out" | grep -q '"cmd":"member history"' && echo "$out" | grep -q '"count":1,' &&
	echo "$out" | grep -q "\"txn_id\":${newest:-x}," && echo "$out" | grep -q '"sku":"SKU-TEA"' &&
	echo "$out" | grep -Eq '"next":"[0-9]{4}-[^"]+/[0-9]+"'; echo $?)

# ---- languages: --lang zh_CN|en for what people read, never for codes ----------

# a refusal by the server: its Status.message in the Hello's language, the detail the same
analyst --lang zh_CN rules set "$tmp/orig.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/out"
check "--lang zh_CN: a refusal has the server's Chinese message, the same code and detail" $(
	[ $rc = 1 ] && grep -q '"cmd":"rules set","code":"PERMISSION_DENIED","detail":"ROLE_NOT_ALLOWED","message":"该员工角色无权执行此操作"' "$tmp/out"
	echo $?)
analyst --lang en rules set "$tmp/orig.json" >"$tmp/out" 2>&1
check "--lang en: the same refusal in English" $([ $? = 1 ] &&
	grep -q '"detail":"ROLE_NOT_ALLOWED","message":"this staff role may not do that"' "$tmp/out"
	echo $?)
# kassa-office's own messages: the JSON one and the one on stderr
admin --lang zh_CN coupon define name="Office bad $run" kind=bogus >"$tmp/out" 2>&1
check "--lang zh_CN: kassa-office's own message in Chinese, detail BAD_FIELD" $([ $? = 2 ] &&
	grep -q '"detail":"BAD_FIELD","message":"kind: kind 必须是 fixed、percent 或 free_item"' "$tmp/out"
	echo $?)
office --lang zh_CN --staff 12x --pin 0 rules show >/dev/null 2>"$tmp/err"
check "--lang zh_CN: a usage error on stderr in Chinese (exit 2)" $([ $? = 2 ] &&
	grep -q '^kassa-office: --staff 须为数字' "$tmp/err"; echo $?)
office --lang zh_CN no such >/dev/null 2>"$tmp/err"
check "--lang zh_CN: the usage text in Chinese, the command syntax as it is" $([ $? = 2 ] &&
	grep -q '^用法：$' "$tmp/err" && grep -q '^  member search name=PREFIX|phone=SUFFIX' "$tmp/err"
	echo $?)
office --lang fr rules show >/dev/null 2>"$tmp/err"
check "--lang fr is a usage error (exit 2)" $([ $? = 2 ] &&
	grep -q -- '--lang must be zh_CN or en' "$tmp/err"; echo $?)

summary
