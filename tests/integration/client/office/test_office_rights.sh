#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_rights: kassa-office's member data rights commands as an
# administrator uses them. `member export-data ID` prints the JSON document
# (the member's phone, name and a sale in it); `--output FILE` writes it
# readable by its owner only, with a summary on stdout; an analyst is
# refused (exit 1, ROLE_NOT_ALLOWED); an unknown member is exit 1
# MEMBER_NOT_FOUND. `member erase ID --reason TEXT` without --yes and no
# terminal refuses (exit 2) and erases nothing; without --reason is exit 2;
# a reason naming the member is exit 1 REASON_NAMES_MEMBER; with --yes it
# erases (the JSON answer names the tombstone and the rows cleared), and
# again answers the same; afterwards `member show phone=` is NOT_FOUND and
# the export shows what remains: the tombstone with its sale. In Chinese
# with --lang zh_CN. Needs KASSA_TEST_ENV and KASSA_TILL (as test_office.sh).
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

tmp=$(mktemp -d)
on_exit() { rm -rf "$tmp"; }
trap on_exit EXIT

run=$$-$(date +%s)
name="Quillamina Rightsby $run"
phone="+86134$(printf '%08d' $(( (RANDOM * 32768 + RANDOM + $$) % 100000000 )))"
# one member with one sale of 12.00, straight into the database
m=$(sql "INSERT INTO members (phone, card_no, name, email, cumulative_spend_minor)
	VALUES ('$phone', 'QR-$run', '$name', 'q$run@rights.example', 1200) RETURNING member_id")
sql "INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency, total_minor,
	tendered_minor, change_minor, gross_minor)
	SELECT t.store_id, t.till_id, 1001, $m, 'CNY', 1200, 1200, 0, 1200
	FROM tills t WHERE t.code = 'S001-T1'" >/dev/null
echo "# member $m"

# ---- export ----------------------------------------------------------------------------
out=$(admin member export-data "$m")
check "export-data: exit 0, the member's phone, name and sale" $([ $? = 0 ] &&
	echo "$out" | py "o['member']['phone'] == '$phone' and o['member']['name'] == '$name'
			  and o['transactions_total'] == 1
			  and o['transactions'][0]['total_minor'] == 1200"; echo $?)
out=$(admin --output "$tmp/data.json" member export-data "$m")
check "export-data --output: the summary on stdout, the file 0600 with the document" $(
	[ $? = 0 ] && echo "$out" | py "o['ok'] and o['member_id'] == $m and o['bytes'] > 0" &&
	[ "$(stat -c %a "$tmp/data.json")" = 600 ] &&
	py "o['member']['email'] == 'q$run@rights.example'" <"$tmp/data.json" &&
	[ ! -e "$tmp/data.json.partial" ]; echo $?)
check "two audit rows member.export, by the administrator" $([ "$(sql "SELECT count(*)
	FROM audit_log WHERE action = 'member.export' AND subject = 'member:$m'
	AND staff_id = 9001")" = 2 ]; echo $?)
out=$(analyst member export-data "$m")
check "an analyst: exit 1, ROLE_NOT_ALLOWED" $([ $? = 1 ] &&
	echo "$out" | py "o['detail'] == 'ROLE_NOT_ALLOWED'"; echo $?)
out=$(admin member export-data 987654321098)
check "an unknown member: exit 1, MEMBER_NOT_FOUND" $([ $? = 1 ] &&
	echo "$out" | py "o['detail'] == 'MEMBER_NOT_FOUND'"; echo $?)

# ---- erase -----------------------------------------------------------------------------
admin member erase "$m" --reason "customer request $run" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
check "erase without --yes and no terminal: exit 2, says --yes, erases nothing" $(
	[ $rc = 2 ] && grep -q -- 'add --yes to confirm' "$tmp/err" && [ "$(sql "SELECT count(*) FROM members
	WHERE member_id = $m AND erased_at IS NULL")" = 1 ]; echo $?)
admin member erase "$m" --yes >/dev/null 2>&1
check "erase without --reason: exit 2" $([ $? = 2 ]; echo $?)
out=$(admin member erase "$m" --reason "asked by $name" --yes)
check "a reason naming the member: exit 1, REASON_NAMES_MEMBER" $([ $? = 1 ] &&
	echo "$out" | py "o['detail'] == 'REASON_NAMES_MEMBER'"; echo $?)
out=$(admin member erase "$m" --reason "customer request $run" --yes)
check "erase --yes: exit 0, the tombstone id and the rows cleared" $([ $? = 0 ] &&
	echo "$out" | py "o['ok'] and o['member_id'] == $m and o['rows_scrubbed'] >= 1
			  and o['erased_at'].endswith('Z')"; echo $?)
again=$(admin member erase "$m" --reason "customer request again" --yes)
check "erase again: the same answer" $([ $? = 0 ] && echo "$again" |
	py "o['erased_at'] == $(echo "$out" | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["erased_at"]))')
	    and o['rows_scrubbed'] == $(echo "$out" | json_field rows_scrubbed)"; echo $?)
out=$(admin member show phone="$phone")
check "member show phone=: exit 1, MEMBER_NOT_FOUND" $([ $? = 1 ] &&
	echo "$out" | py "o['detail'] == 'MEMBER_NOT_FOUND'"; echo $?)
out=$(admin member export-data "$m")
check "the export of the tombstone: no phone, no name, the sale still there" $([ $? = 0 ] &&
	echo "$out" | py "o['member']['phone'] is None and o['member']['name'] == 'erased-$m'
			  and o['member']['email'] == '' and o['member']['erased_at'] is not None
			  and o['transactions_total'] == 1" && ! echo "$out" | grep -q "$name"; echo $?)
out=$(admin --lang zh_CN member erase 987654321098 --reason "customer request" --yes)
check "--lang zh_CN: an unknown member in Chinese" $([ $? = 1 ] &&
	echo "$out" | py "o['detail'] == 'MEMBER_NOT_FOUND' and '会员' in o['message']"; echo $?)

summary
