#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_templates: message templates as an administrator keeps them
# with kassa-office (care/messages). `template put` stores version 1 and
# then 2 of a template of this run, from body= and from a file (its final
# line break dropped), each audited; an unknown placeholder is refused
# with exit 1, INVALID_ARGUMENT BAD_TEMPLATE naming it, a broken brace and
# a bad language too, and store nothing; a usage mistake (no body, body and
# file both) exits 2; a manager is PERMISSION_DENIED; `template list`
# shows the newest version as CSV and as a Chinese table. A member's
# language: kassa-till's member register language=en and member update
# language=zh_CN store it, a bad one is refused, and the member's JSON
# (the till's and kassa-office's member show) carries it. Needs
# KASSA_TEST_ENV and KASSA_TILL (kassa-office is next to it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

name="shell_$$_$(date +%s)"
stored() { sql "SELECT count(*) FROM message_templates WHERE name = '$name'"; }

out=$(admin template put "$name" lang=en subject='Hello {name}' body='Hi {name}, {{points}} = {points}')
rc=$?
echo "$out" | sed 's/^/# /'
check "put from body=: exit 0, version 1" $([ $rc = 0 ] &&
	echo "$out" | grep -q '"ok":true,"cmd":"template put","idempotency_key":"[-0-9a-f]*","template":{"name":"'"$name"'","language":"en","version":1'; echo $?)

tmp=$(mktemp -d)
printf '%s\n' '{name}，新春快乐！{coupon_value}' > "$tmp/body.txt"
out=$(admin template put "$name" lang=en file="$tmp/body.txt")
rc=$?
echo "$out" | sed 's/^/# /'
check "put from file=: version 2, the final line break dropped" $([ $rc = 0 ] &&
	[ "$(sql "SELECT body FROM message_templates WHERE name = '$name' AND version = 2")" = \
	  '{name}，新春快乐！{coupon_value}' ]; echo $?)
check "each version audited" $([ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'template.put'
	AND subject = 'template:$name/en'")" = 2 ]; echo $?)

out=$(admin template put "$name" lang=en body='Hi {nmae}')
rc=$?
echo "$out" | sed 's/^/# /'
check "an unknown placeholder: exit 1, BAD_TEMPLATE naming it" $([ $rc = 1 ] &&
	echo "$out" | grep -q '"code":"INVALID_ARGUMENT","detail":"BAD_TEMPLATE"' &&
	echo "$out" | grep -q '{nmae}'; echo $?)
out=$(admin template put "$name" lang=en body='Hi {name')
check "a broken brace: exit 1, BAD_TEMPLATE" $([ $? = 1 ] &&
	echo "$out" | grep -q '"detail":"BAD_TEMPLATE"'; echo $?)
out=$(admin template put "$name" lang=fr body='Bonjour')
check "a bad language: exit 1, BAD_LANGUAGE" $([ $? = 1 ] &&
	echo "$out" | grep -q '"detail":"BAD_LANGUAGE"'; echo $?)
admin template put "$name" lang=en > /dev/null
check "no body: usage, exit 2" $([ $? = 2 ]; echo $?)
admin template put "$name" lang=en body=x file="$tmp/body.txt" > /dev/null
check "body and file both: usage, exit 2" $([ $? = 2 ]; echo $?)
out=$(manager template put "$name" lang=en body='Hi')
check "a manager: PERMISSION_DENIED" $([ $? = 1 ] &&
	echo "$out" | grep -q '"code":"PERMISSION_DENIED"'; echo $?)
check "refusals stored nothing" $([ "$(stored)" = 2 ]; echo $?)

out=$(admin --format csv template list)
rc=$?
check "list as CSV: the newest version" $([ $rc = 0 ] &&
	echo "$out" | head -n 1 | grep -q '^template,language,version,subject,body_preview,created_at' &&
	echo "$out" | grep -q "^$name,en,2,"; echo $?)
out=$(admin --lang zh_CN template list)
rc=$?
check "list as a Chinese table" $([ $rc = 0 ] && echo "$out" | grep -q '消息模板' &&
	echo "$out" | grep -q '模板' && echo "$out" | grep -q "$name"; echo $?)
check "the default birthday templates are there" $(echo "$out" | grep -q 'birthday'; echo $?)
rm -rf "$tmp"

# ---- a member's language at the till and in the office ----------------------

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script "$@"
}
phone="+86137$(printf '%08d' $(( (RANDOM * 32768 + RANDOM + $$) % 100000000 )))"
out=$(printf 'login 1001 1234\nmember register name="Lang Test" phone=%s language=en\n' "$phone" |
	till | grep '"cmd":"member register"')
echo "$out" | sed 's/^/# /'
id=$(echo "$out" | json_field member_id)
check "till: member register language=en" $(echo "$out" | grep -q '"ok":true' &&
	echo "$out" | grep -q '"language":"en"' &&
	[ "$(sql "SELECT language FROM members WHERE member_id = ${id:-0}")" = en ]; echo $?)
out=$(printf 'login 1001 1234\nmember update id=%s language=zh_CN\nmember update id=%s language=de\n' \
	"${id:-0}" "${id:-0}" | till | grep '"cmd":"member update"')
echo "$out" | sed 's/^/# /'
check "till: member update language=zh_CN, language=de refused" $(
	echo "$out" | head -n 1 | grep -q '"language":"zh_CN"' &&
	echo "$out" | tail -n 1 | grep -q '"detail":"BAD_LANGUAGE"' &&
	[ "$(sql "SELECT language FROM members WHERE member_id = ${id:-0}")" = zh_CN ]; echo $?)
check "office: member show carries the language" $(admin member show "${id:-0}" |
	grep -q '"language":"zh_CN"'; echo $?)

summary
