#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_complaints: complaints through kassa-till's script mode at
# S001-T1 and kassa-office at head office. A cashier opens a ticket at the
# till (and may not update it); the manager works it open -> in_progress ->
# resolved with notes at the till and sees its time to resolution; an
# illegal move is refused BAD_TRANSITION; kassa-office's analyst lists it
# (a table with Chinese labels under --lang zh_CN, CSV with the machine
# keys), shows it with its notes and lists the member's feedback; bad words
# are usage errors (exit 2). Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script "$@"
}

phone="+86139$(printf '%08d' $(( (RANDOM * 32768 + RANDOM + $$) % 100000000 )))"
mid=$(printf 'login 1001 1234\nmember register name="投诉 Shell" phone=%s\n' "$phone" | till |
	grep '"cmd":"member register"' | json_field member_id)
check "a member registered at the till" $([ -n "$mid" ]; echo $?)

out=$(printf 'login 1001 1234\ncomplaint open member=%s category=queue text="排队太久 queue too long"\ncomplaint update 1 status=in_progress\n' "$mid" | till)
echo "$out" | sed 's/^/# /'
cid=$(echo "$out" | grep '"complaint_id"' | head -n 1 | json_field complaint_id)
check "a cashier opens a ticket at the till" $([ -n "$cid" ] &&
	echo "$out" | head -n 2 | grep -q '"status":"open"'; echo $?)
check "but may not update one" $(echo "$out" | grep '"ok":false' | grep -q 'PERMISSION_DENIED'; echo $?)

out=$(printf 'login 2001 9999\ncomplaint update %s status=in_progress owner=2001 note="我来处理"\ncomplaint update %s status=resolved\ncomplaint update %s status=resolved note="已退款 refunded"\ncomplaint update %s status=in_progress note=x\ncomplaint show %s\ncomplaint list member=%s status=all\n' \
	"$cid" "$cid" "$cid" "$cid" "$cid" "$mid" | till)
echo "$out" | sed 's/^/# /'
check "the manager takes it" $(echo "$out" | grep '"cmd":"complaint' | sed -n 1p |
	grep -q '"status":"in_progress".*"owner_staff_id":2001'; echo $?)
check "a resolution needs a note" $(echo "$out" | grep -q '"detail":"NOTE_REQUIRED"'; echo $?)
check "resolved with a note, with its time to resolution" $(echo "$out" | grep '"cmd":"complaint' |
	sed -n 3p | grep -q '"status":"resolved".*"resolved_at":"20[0-9-]*T.*"resolution_seconds":[0-9]'; echo $?)
check "resolved -> in_progress is BAD_TRANSITION" $(echo "$out" |
	grep -q '"code":"FAILED_PRECONDITION".*"detail":"BAD_TRANSITION"\|"detail":"BAD_TRANSITION".*"FAILED_PRECONDITION"'; echo $?)
check "show has the three notes" $([ "$(echo "$out" | grep '"cmd":"complaint' | sed -n 5p |
	grep -o '"to":"[a-z_]*"' | tr '\n' ' ')" = '"to":"open" "to":"in_progress" "to":"resolved" ' ]; echo $?)
check "list at the till has it" $(echo "$out" | tail -n 2 | grep '"rows"' | grep -q "\"$cid\""; echo $?)

# ---- kassa-office at head office ----
out=$(analyst --format json complaint list member="$mid" status=all)
echo "$out" | sed 's/^/# /'
check "head office lists it (JSON rows with the machine keys)" $(echo "$out" |
	grep -q "\"complaint_id\":$cid" && echo "$out" | grep -q '"store":"S001"' &&
	echo "$out" | grep -q '"status":"resolved"'; echo $?)
out=$(analyst --lang zh_CN complaint list member="$mid" status=all)
echo "$out" | sed 's/^/# /'
check "the table in Chinese: title and labels" $(echo "$out" | head -n 1 | grep -qx '投诉' &&
	echo "$out" | grep -q '投诉编号' && echo "$out" | grep -q '解决用时'; echo $?)
out=$(analyst --format csv complaint list member="$mid" status=all)
check "CSV keeps the machine keys" $(echo "$out" | head -n 1 | grep -q '^complaint_id,opened_at,store,member_id'; echo $?)
out=$(analyst complaint show "$cid")
check "show from head office: the notes, oldest first" $(echo "$out" | grep -q '"ok":true' &&
	echo "$out" | grep -q '"text":"已退款 refunded"'; echo $?)
out=$(manager complaint update "$cid" status=open note=again)
check "head office's storeless manager does not see S001's ticket" $(echo "$out" |
	grep -q 'COMPLAINT_NOT_FOUND'; echo $?)
out=$(analyst --format json report complaints)
echo "$out" | sed 's/^/# /'
check "report complaints: S001 with a resolved ticket and hours to resolve" $(echo "$out" |
	python3 -c 'import json,sys; t=json.load(sys.stdin); r=[x for x in t["rows"] if x["store"] == "S001"]; sys.exit(0 if r and r[0]["resolved"] >= 1 and r[0]["opened"] >= r[0]["resolved"] and r[0]["median_hours"] is not None else 1)'; echo $?)
out=$(admin complaint update "$cid" status=open note="重新打开 reopened")
check "an admin at head office reopens it" $(echo "$out" | grep -q '"status":"open"' &&
	echo "$out" | grep -q '"idempotency_key"'; echo $?)
out=$(analyst --format json feedback list member="$mid")
check "feedback list answers a table" $(echo "$out" | grep -q '"report":"feedback"'; echo $?)
out=$(analyst complaint open member="$mid" category=nonsense 2>&1)
rc=$?
check "open without text is a usage error (exit 2)" $([ $rc = 2 ] && echo "$out" | grep -q 'USAGE'; echo $?)
out=$(analyst complaint open member="$mid" category=nonsense text=x)
check "an analyst may not open a ticket" $(echo "$out" | grep -q 'PERMISSION_DENIED'; echo $?)
out=$(admin complaint open member="$mid" category=nonsense text=x)
check "an unknown category is BAD_CATEGORY" $(echo "$out" | grep -q 'BAD_CATEGORY'; echo $?)
out=$(admin complaint list status=closed)
check "a bad status is BAD_STATUS" $(echo "$out" | grep -q 'BAD_STATUS'; echo $?)
summary
