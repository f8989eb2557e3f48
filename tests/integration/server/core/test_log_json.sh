#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_log_json: kassad's log as an operator's tools read it. With
# KASSA_LOG_FORMAT=json every line kassad writes, from start to stop, is one
# JSON object with an RFC 3339 UTC timestamp, a level and a message; the
# lines about a request (a failed and a good login, the debug line of each
# answer) carry its request id "req": "S001-T1#<n>" with the till and, once
# someone is logged in, the staff member; the lines of one request share
# its id and different requests have different ones; lines about no
# request carry none; a member looked up by phone leaves no phone number.
# Under systemd (JOURNAL_STREAM naming kassad's stderr) each line starts
# with its priority, "<6>INFO ...", with no timestamp of kassad's own, the
# request as "[req=S001-T1#<n>]". A [log] format other than text or json
# is refused by check-config. Runs its own kassad on a free port.
# Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
port=$(free_port) || { echo "no free port"; exit 1; }
till() {
	"$TILL" --host 127.0.0.1 --port "$port" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
		--ca "$C/ca.crt" --server-name localhost --timeout 20000 --script
}
# wait_up: until kassad answers (bounded: 10 s); nobody is logged in, so it is a refusal
wait_up() {
	local out
	for _ in $(seq 1 100); do
		out=$(echo "product SKU-TEA" | till 2>/dev/null)
		case $out in *LOGIN_REQUIRED*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}
phone=$(psql "$KASSA_CONNINFO" -Atc "SELECT phone FROM members ORDER BY member_id LIMIT 1")

# 1. JSON lines
start_kassad "$port" KASSA_LOG_FORMAT=json KASSA_LOG_LEVEL=debug
wait_up
check "kassad with [log] format = json serves" $?
printf 'login 1001 9876\nlogin 1001 1234\nproduct SKU-TEA\nmember find phone=%s\n' "$phone" |
	till >"$tmp/till.out" 2>&1
check "the till's script ran" $(grep -q '"cmd":"member find"' "$tmp/till.out"; echo $?)
stop_kassad
check "kassad stopped cleanly" $?
cp "$tmp/kassad.log" "$tmp/json.log"
python3 - "$tmp/json.log" "$phone" >"$tmp/json.out" 2>&1 <<'PY'
import json
import re
import sys

path, phone = sys.argv[1], sys.argv[2]
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
REQ = re.compile(r"^S001-T1#\d+$")
objs, bad = [], []
with open(path, encoding="utf-8") as f:
    for no, line in enumerate(f, 1):
        try:
            o = json.loads(line)
        except ValueError:
            bad.append(no)
            continue
        if (not isinstance(o, dict) or not TS.match(str(o.get("ts"))) or
                o.get("level") not in ("error", "warn", "info", "debug") or
                not isinstance(o.get("msg"), str)):
            bad.append(no)
        objs.append(o)


def say(ok, what):
    print(("[   OK ] " if ok else "[ FAIL ] ") + what)


def one(rx):
    found = [o for o in objs if re.search(rx, o.get("msg", ""))]
    return found[0] if found else {}


say(len(objs) >= 5 and not bad, "each of the %d lines is a JSON object with ts, level, msg%s"
    % (len(objs), " (not: lines %s)" % bad[:5] if bad else ""))
failed = one(r"failed login for staff 1001")
good = one(r"staff 1001 \(cashier\) logged in")
say(REQ.match(failed.get("req", "")) is not None and failed.get("till") == "S001-T1",
    "the failed login's line carries its request id and till: %s" % failed.get("req"))
say(REQ.match(good.get("req", "")) is not None and good.get("req") != failed.get("req"),
    "the good login's line carries another: %s" % good.get("req"))
# the till numbers its requests per connection: the login's connection
sess = (re.match(r"session (\d+):", good.get("msg", "")) or re.match("", "")).group(0)
answers = [o for o in objs if o.get("level") == "debug" and " -> " in o.get("msg", "") and
           sess and o["msg"].startswith(sess)]
ids = [o.get("req") for o in answers]
say(len(answers) >= 5 and all(REQ.match(i or "") for i in ids) and len(set(ids)) == len(ids),
    "each answer's debug line carries its own request id (%d answers on %s)"
    % (len(answers), sess))
say(good.get("req") in ids and failed.get("req") in ids,
    "a request's lines share its id (login line and answer line)")
after = [o for o in answers if re.search(r": (product|member)", o["msg"])]
say(len(after) >= 2 and all(o.get("staff") == 1001 for o in after),
    "the requests after the login carry staff 1001")
plain = [o for o in objs if re.search(r"^(listening on|kassad .* ready|stopped)", o["msg"])]
say(len(plain) >= 2 and not any("req" in o for o in plain),
    "lines about no request carry no req (%d checked)" % len(plain))
digits = phone.lstrip("+")
say(all(digits[-11:] not in json.dumps(o, ensure_ascii=False) for o in objs),
    "the phone looked up is nowhere in the log")
PY
cat "$tmp/json.out"
check "the JSON log" $(! grep -q FAIL "$tmp/json.out"; echo $?)

# 2. under systemd: JOURNAL_STREAM names kassad's stderr (the log file's device:inode)
js=$(stat -c '%d:%i' "$tmp/kassad.log")
start_kassad "$port" JOURNAL_STREAM="$js" KASSA_LOG_LEVEL=debug
wait_up
check "kassad under a journal stream serves" $?
printf 'login 1001 1234\nproduct SKU-TEA\n' | till >/dev/null 2>&1
stop_kassad
check "and stopped cleanly" $?
check "the log file kept its inode (the stream kassad was told about)" \
	$([ "$(stat -c '%d:%i' "$tmp/kassad.log")" = "$js" ]; echo $?)
check "every line starts with its priority and level word, no timestamp" \
	$([ -s "$tmp/kassad.log" ] && ! grep -vqE '^(<3>ERROR|<4>WARN|<6>INFO|<7>DEBUG) ' "$tmp/kassad.log"; echo $?)
check "the ready line is <6>INFO" $(grep -qE '^<6>INFO kassad .* ready' "$tmp/kassad.log"; echo $?)
check "the login's line carries [req=S001-T1#n]" \
	$(grep -qE '^<6>INFO \[req=S001-T1#[0-9]+\] session [0-9]+: staff 1001 \(cashier\) logged in' \
		"$tmp/kassad.log"; echo $?)
check "an answer after it is <7>DEBUG with the staff" \
	$(grep -qE '^<7>DEBUG \[req=S001-T1#[0-9]+ staff=1001\] session [0-9]+: ' "$tmp/kassad.log"; echo $?)

# 3. a format kassad does not write is refused
out=$(KASSA_LOG_FORMAT=xml "$KASSA_KASSAD" check-config --config "$KASSA_CONFIG" 2>&1)
rc=$?
check "check-config refuses [log] format = xml (exit 78)" $([ $rc = 78 ]; echo $?)
check "and says why" $(echo "$out" | grep -q 'format must be text or json, not "xml"'; echo $?)
out=$("$KASSA_KASSAD" check-config --config "$KASSA_CONFIG" --set log.format=json 2>&1)
check "and takes --set log.format=json" $?

[ "$fail" = 0 ] || { sed 's/^/# /' "$tmp/till.out"; tail -n 30 "$tmp/json.log" | sed 's/^/# /'; }
summary
