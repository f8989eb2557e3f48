#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_outbox.sh: the outbox's sender against a real HTTPS sink
# (webhook_sink.py, a certificate of the test CA on 127.0.0.1), on a database
# of its own (created, migrated and seeded here, so that no other kassad's
# sender claims its rows) and a kassad of its own with its own [outbox]
# settings. Outbox rows are inserted with psql (the table is the producers'
# interface). What a user relies on:
#   - a row whose endpoint fails twice (500), then hangs past the timeout,
#     then accepts, is delivered exactly once as the sink can tell (one key
#     accepted, every attempt with the same Idempotency-Key), is never 'sent'
#     while failing, and its attempts are logged with their results and a
#     growing back-off;
#   - a row whose endpoint always fails is dead after max_attempts, and
#     `outbox retry` brings it back (delivered once the endpoint works);
#   - the X-Kassa-Signature verifies with the secret EndpointPut answered, and
#     not with another;
#   - a marketing message whose member withdrew consent before it was due is
#     cancelled, never delivered; one with consent is delivered;
#   - the file sender writes valid, signed JSON lines;
#   - endpoint put refuses bad URLs and file names; the lists answer tables;
#   - kill -9 of kassad mid-delivery leaves the row to be retried after its
#     lease, by the next kassad.
# The failing endpoint's retry log is kept in /work/care-outbox-retry-log.txt
# when /work is writable (the closing note's material).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../lib.sh
. "$here/../../lib.sh"
# shellcheck source=../../client/office/lib_office.sh
. "$here/../../client/office/lib_office.sh"

db=kassa_outbox_$$
conn=$(printf '%s' "$KASSA_CONNINFO" | sed "s/dbname=[^ ]*/dbname=$db/")
q() { psql "$conn" -v ON_ERROR_STOP=1 -Atc "$1"; }
cleanup_db() { psql "$KASSA_CONNINFO" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; }
trap 'on_exit; cleanup_db' EXIT

psql "$KASSA_CONNINFO" -qAtc "CREATE DATABASE $db" || { echo "# cannot create $db"; exit 1; }
KASSA_DATABASE_CONNINFO="$conn" "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" \
	>"$tmp/migrate.log" 2>&1 || { tail "$tmp/migrate.log"; exit 1; }
bash "$KASSA_ROOT/scripts/seed.sh" "$conn" "$KASSA_KASSAD" --members 4 --products 10 \
	>"$tmp/seed.log" 2>&1 || { tail "$tmp/seed.log"; exit 1; }

# ---- the sink and kassad ----
sport=$(free_port) || exit 1
slog=$tmp/sink.log
python3 "$here/webhook_sink.py" "$sport" "$C/server.crt" "$C/server.key" "$slog" \
	/flaky=500,500,hang,200 /fail=500 /ok=200 /slow=hang,200 >"$tmp/sink.out" 2>&1 &
sink_pid=$!
wait_for "the sink" test -f "$slog.ready" || exit 1

mkdir -p "$tmp/outbox"
port=$(free_port) || exit 1
# shellcheck disable=SC2034 # office() in lib_office.sh reads it
KASSA_PORT=$port
kenv=(KASSA_DATABASE_CONNINFO="$conn" KASSA_OUTBOX_CA_FILE="$C/ca.crt"
	KASSA_OUTBOX_INTERVAL_MS=100 KASSA_OUTBOX_MAX_ATTEMPTS=4 KASSA_OUTBOX_BACKOFF_BASE_MS=300
	KASSA_OUTBOX_BACKOFF_MAX_MS=5000 KASSA_OUTBOX_TIMEOUT_MS=1000
	KASSA_OUTBOX_FILE_DIR="$tmp/outbox")
start_kassad "$port" "${kenv[@]}"
kassad_listening "$port" "kassad on $port" || exit 1

# ---- endpoints ----
put_json=$(admin endpoint put flaky kind=webhook "url=https://127.0.0.1:$sport/flaky" \
	channels=sms,wechat new-secret)
check "endpoint put answers the new secret once" \
	"$(printf '%s' "$put_json" | grep -Eq '"secret":"[0-9a-f]{64}"'; echo $?)"
secret=$(printf '%s' "$put_json" | json_field secret)
admin endpoint put failing kind=webhook "url=https://127.0.0.1:$sport/fail" channels=email \
	new-secret >"$tmp/put2.json"
admin endpoint put okhook kind=webhook "url=https://localhost:$sport/ok" channels=sms \
	events=member.*,sale.completed >"$tmp/put3.json"
check "endpoint put by host name" "$?"
admin endpoint put filed kind=file file=deliveries.jsonl new-secret >"$tmp/put4.json"
fsecret=$(json_field secret <"$tmp/put4.json")
check "file endpoint put" "$([ -n "$fsecret" ]; echo $?)"
check "the secret is stored, not in the audit log" \
	"$([ "$(q "SELECT encode(secret,'hex') FROM endpoints WHERE name='flaky'")" = "$secret" ] &&
	   [ "$(q "SELECT count(*) FROM audit_log WHERE action='endpoint.put'
		   AND detail::text LIKE '%$secret%'")" = 0 ] &&
	   [ "$(q "SELECT count(*) FROM audit_log WHERE action='endpoint.put'")" = 4 ]; echo $?)"
again=$(admin endpoint put flaky kind=webhook "url=https://127.0.0.1:$sport/flaky" channels=sms,wechat)
check "a put without new-secret keeps the secret and answers none" \
	"$(! printf '%s' "$again" | grep -q '"secret"' &&
	   [ "$(q "SELECT encode(secret,'hex') FROM endpoints WHERE name='flaky'")" = "$secret" ]; echo $?)"
for bad in "url=http://127.0.0.1:$sport/x" "url=https://127.0.0.1:0/x" "url=https://a b/" \
	"url=https://user@host/"; do
	admin endpoint put bad kind=webhook "$bad" >"$tmp/bad.json" 2>&1
	rc=$?
	check "endpoint put refuses $bad" "$([ $rc != 0 ] && grep -q BAD_URL "$tmp/bad.json"; echo $?)"
done
admin endpoint put bad kind=file file=../x >"$tmp/bad.json" 2>&1
check "endpoint put refuses a file name with a path" \
	"$(grep -q BAD_FILE "$tmp/bad.json"; echo $?)"
admin --format csv endpoint list >"$tmp/eps.csv"
check "endpoint list: four endpoints, no secret" \
	"$([ "$(grep -c -E '^(flaky|failing|okhook|filed),' "$tmp/eps.csv")" = 4 ] &&
	   ! grep -q "$secret" "$tmp/eps.csv"; echo $?)"

# ---- messages ----
q "INSERT INTO message_templates (name, language, version, subject, body)
   VALUES ('hello', 'zh_CN', 1, '问候', '{name}，您好！{greeting}'),
	  ('hello', 'zh_CN', 2, '问候 v2', '{name}，您好！{greeting}（第二版）')" >/dev/null
q "UPDATE members SET marketing_consent = true WHERE member_id IN (1, 2)" >/dev/null
state_is() { [ "$(q "SELECT state FROM outbox WHERE outbox_id = $1")" = "$2" ]; }
ins() { # endpoint channel purpose member [delay_ms]
	q "INSERT INTO outbox (endpoint, kind, member_id, channel, purpose, template, language, vars,
		next_attempt_at)
	   VALUES ('$1', 'message', $4, $2, '$3', 'hello', 'zh_CN', '{\"greeting\":\"欢迎\"}',
		now() + interval '${5:-0} milliseconds') RETURNING outbox_id" | head -n 1
}
id_flaky=$(ins flaky 1 service 1)
id_fail=$(ins failing 2 service 2)
id_ok=$(ins okhook 1 marketing 2)
id_file=$(ins filed 1 service 3)
id_optout=$(ins okhook 1 marketing 1 1500)
q "UPDATE members SET marketing_consent = false WHERE member_id = 1" >/dev/null

# poll the flaky row until it is sent: never 'sent' before the sink accepted it
key_flaky=$(q "SELECT delivery_key FROM outbox WHERE outbox_id = $id_flaky")
early=0
deadline=$((SECONDS + 30))
while :; do
	st=$(q "SELECT state FROM outbox WHERE outbox_id = $id_flaky")
	acc=$(grep -c "\"key\": \"$key_flaky\".*\"answer\": \"200\"" "$slog")
	[ "$st" = sent ] && [ "$acc" = 0 ] && early=1
	[ "$st" = sent ] && break
	[ $SECONDS -ge $deadline ] && break
	sleep 0.1
done
check "the flaky row is sent in the end" "$([ "$st" = sent ]; echo $?)"
check "never sent while the endpoint failed" "$early"
grep "\"path\": \"/flaky\"" "$slog" >"$tmp/flaky.log"
check "the sink saw 500, 500, hang, 200" \
	"$([ "$(python3 -c 'import json,sys
print(",".join(json.loads(l)["answer"] for l in open(sys.argv[1])))' "$tmp/flaky.log")" = "500,500,hang,200" ]; echo $?)"
check "every attempt carried the same Idempotency-Key, accepted once" \
	"$([ "$(python3 -c 'import json,sys
ls=[json.loads(l) for l in open(sys.argv[1])]
print(len({l["key"] for l in ls}), sum(1 for l in ls if l["answer"]=="200" and not l["duplicate"]))' \
	"$tmp/flaky.log")" = "1 1" ] && grep -q "$key_flaky" "$tmp/flaky.log"; echo $?)"
q "SELECT attempt, result, http_status FROM outbox_attempts WHERE outbox_id = $id_flaky
   ORDER BY attempt" >"$tmp/flaky.attempts"
check "attempts logged: refused 500, refused 500, timeout, accepted 200" \
	"$([ "$(tr '\n' ' ' <"$tmp/flaky.attempts")" = "1|refused|500 2|refused|500 3|timeout|0 4|accepted|200 " ]; echo $?)"
# back-off: base 300 ms doubling with half jitter: waits >= 150, 300, 600 ms
waits=$(q "SELECT string_agg(wait_ms::text, ' ' ORDER BY attempt) FROM kassa_outbox_attempts($id_flaky)")
read -r _ w2 w3 w4 <<<"$waits"
check "the back-off grows ($waits ms)" \
	"$([ "${w2:-0}" -ge 140 ] && [ "${w3:-0}" -ge 290 ] && [ "${w4:-0}" -ge 590 ] &&
	   [ "$w4" -gt "$w2" ]; echo $?)"
check "the body is a rendered message in the member's language" \
	"$(python3 -c 'import json,sys
l=[json.loads(x) for x in open(sys.argv[1])][-1]
b=json.loads(l["body"])
ok=(b["id"]==sys.argv[2] and b["type"]=="message" and b["channel"]=="sms" and b["to"]["member_id"]==1
    and b["to"]["phone"].startswith("+86") and b["language"]=="zh_CN" and b["template"]=="hello"
    and b["text"].endswith("欢迎（第二版）") and b["subject"]=="问候 v2" and l["content_type"]=="application/json")
sys.exit(0 if ok else 1)' "$tmp/flaky.log" "$key_flaky"; echo $?)"

# ---- the signature ----
verify() { # log-line-file secret-hex
	python3 -c 'import hmac,hashlib,json,sys
l=[json.loads(x) for x in open(sys.argv[1])][-1]
sig=dict(p.split("=",1) for p in l["signature"].split(","))
mac=hmac.new(bytes.fromhex(sys.argv[2]),(sig["t"]+"."+l["body"]).encode(),hashlib.sha256).hexdigest()
sys.exit(0 if hmac.compare_digest(mac,sig["v1"]) else 1)' "$1" "$2"
}
check "the signature verifies with the endpoint's secret" "$(verify "$tmp/flaky.log" "$secret"; echo $?)"
check "... and not with another secret" \
	"$(! verify "$tmp/flaky.log" "$(printf '%064d' 7)"; echo $?)"

# ---- the failing endpoint: dead after max_attempts, then retried ----
DEADLINE=30 wait_for "the failing row is dead" \
	state_is "$id_fail" dead
check "the failing row is dead after 4 attempts" \
	"$([ "$(q "SELECT attempts || '|' || (SELECT count(*) FROM outbox_attempts WHERE outbox_id = $id_fail)
		 FROM outbox WHERE outbox_id = $id_fail")" = "4|4" ] &&
	   [ "$(grep -c '"path": "/fail"' "$slog")" = 4 ]; echo $?)"
admin --format csv outbox list state=dead >"$tmp/dead.csv"
check "outbox list state=dead shows it" "$(grep -q "^$id_fail,failing," "$tmp/dead.csv"; echo $?)"
admin --format csv outbox list id="$id_fail" >"$tmp/fail.attempts.csv"
check "outbox list id=N: its four refused attempts" \
	"$([ "$(grep -c ',refused,500,' "$tmp/fail.attempts.csv")" = 4 ]; echo $?)"
admin endpoint put failing kind=webhook "url=https://127.0.0.1:$sport/ok" channels=email >/dev/null
retry=$(admin outbox retry "$id_fail")
check "outbox retry puts it back to pending" \
	"$(printf '%s' "$retry" | grep -q '"state":"pending"'; echo $?)"
check "... audited" "$([ "$(q "SELECT count(*) FROM audit_log WHERE action='outbox.retry'
	AND subject='outbox:$id_fail'")" -ge 1 ]; echo $?)"
DEADLINE=20 wait_for "the retried row is sent" \
	state_is "$id_fail" sent
check "the retried row is delivered, its log numbered on" \
	"$([ "$(q "SELECT string_agg(result, ',' ORDER BY attempt) FROM outbox_attempts
		  WHERE outbox_id = $id_fail")" = "refused,refused,refused,refused,accepted" ]; echo $?)"
retry2=$(admin outbox retry "$id_fail" 2>&1)
check "a row that is not dead is not retried" \
	"$(printf '%s' "$retry2" | grep -q OUTBOX_NOT_DEAD; echo $?)"
{
	echo "# care/outbox: the retry log of a row whose endpoint always failed (HTTP 500),"
	echo "# dead after [outbox] max_attempts = 4 (back-off 300 ms doubling, half jitter),"
	echo "# then 'kassa-office outbox retry $id_fail' after the endpoint was pointed at a"
	echo "# working URL. $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo
	echo "## outbox_attempts (kassa_outbox_attempts($id_fail); wait_ms = the back-off)"
	psql "$conn" -c "SELECT * FROM kassa_outbox_attempts($id_fail)"
	echo "## kassa-office outbox list id=$id_fail"
	admin --format table outbox list id="$id_fail"
	echo
	echo "## the sink's log of that row (one JSON line per request)"
	grep "$(q "SELECT delivery_key FROM outbox WHERE outbox_id = $id_fail")" "$slog" |
		python3 -c 'import json,sys
for l in sys.stdin:
    e=json.loads(l); print(json.dumps({k:e[k] for k in ("t","path","n","key","answer","duplicate","signature")}))'
	echo
	echo "## the flaky row (500, 500, hang past the 1 s timeout, 200)"
	psql "$conn" -c "SELECT * FROM kassa_outbox_attempts($id_flaky)"
} >"$tmp/retry-log.txt" 2>&1
[ -w /work ] && cp "$tmp/retry-log.txt" /work/care-outbox-retry-log.txt

# ---- consent ----
DEADLINE=20 wait_for "the consented marketing message is sent" \
	state_is "$id_ok" sent
check "a marketing message with consent is delivered" \
	"$(grep -q "$(q "SELECT delivery_key FROM outbox WHERE outbox_id = $id_ok")" "$slog"; echo $?)"
DEADLINE=20 wait_for "the withdrawn one is cancelled" \
	state_is "$id_optout" cancelled
key_optout=$(q "SELECT delivery_key FROM outbox WHERE outbox_id = $id_optout")
check "consent withdrawn before delivery: cancelled, never delivered" \
	"$(! grep -q "$key_optout" "$slog" &&
	   [ "$(q "SELECT last_error FROM outbox WHERE outbox_id = $id_optout")" = NO_CONSENT ]; echo $?)"

# ---- the file sender ----
DEADLINE=20 wait_for "the file row is sent" \
	state_is "$id_file" sent
check "the file sender wrote one valid, signed JSON line" \
	"$(python3 -c 'import hmac,hashlib,json,sys
ls=[json.loads(x) for x in open(sys.argv[1])]
l=ls[0]; b=json.loads(l["body"])
sig=dict(p.split("=",1) for p in l["signature"].split(","))
mac=hmac.new(bytes.fromhex(sys.argv[2]),(sig["t"]+"."+l["body"]).encode(),hashlib.sha256).hexdigest()
sys.exit(0 if len(ls)==1 and b["id"]==l["idempotency_key"] and b["to"]["member_id"]==3 and mac==sig["v1"] else 1)' \
	"$tmp/outbox/deliveries.jsonl" "$fsecret"; echo $?)"

# ---- a feed event (the events table of the feed, 0022) through the same sender ----
q "INSERT INTO events (member_id, seq, type, member_seq, data, numbered_at)
   VALUES (3, 900000001, 'member.updated', 100000, '{\"field\":\"email\"}', now())" >/dev/null
id_ev=$(q "INSERT INTO outbox (endpoint, kind, event_seq) VALUES ('filed', 'event', 900000001)
	RETURNING outbox_id" | head -n 1)
DEADLINE=20 wait_for "the event row is sent" state_is "$id_ev" sent ||
	q "SELECT '# the event row: ' || state || ' ' || last_error FROM outbox WHERE outbox_id = $id_ev"
check "an event is delivered with its id, type, sequence numbers and data" \
	"$(python3 -c 'import json,sys
l=[json.loads(x) for x in open(sys.argv[1])][-1]; b=json.loads(l["body"])
ok=(b["type"]=="event" and b["event_type"]=="member.updated" and b["seq"]==900000001
    and b["member_id"]==3 and b["member_seq"]==100000 and b["schema_version"]==1
    and b["data"]=={"field":"email"} and len(b["event_id"])==36 and b["id"]==l["idempotency_key"])
ok or print("# the event line:", json.dumps(b), file=sys.stderr)
sys.exit(0 if ok else 1)' "$tmp/outbox/deliveries.jsonl"; echo $?)"

# ---- a template that does not render: a dead letter, no crash ----
id_bad=$(q "INSERT INTO outbox (endpoint, kind, member_id, channel, purpose, template, language)
	VALUES ('okhook', 'message', 2, 1, 'service', 'no_such_template', 'zh_CN') RETURNING outbox_id" | head -n 1)
DEADLINE=20 wait_for "the unrenderable row is dead" \
	state_is "$id_bad" dead
check "a message without its template is a dead letter with the reason" \
	"$(q "SELECT last_error FROM outbox WHERE outbox_id = $id_bad" | grep -q NO_TEMPLATE; echo $?)"

admin --format csv outbox list member=2 >"$tmp/m2.csv"
check "outbox list member=2" "$(grep -q "^$id_ok,okhook," "$tmp/m2.csv" &&
	! grep -q "^$id_flaky," "$tmp/m2.csv"; echo $?)"

# ---- kill -9 mid-delivery: the row waits for its lease, then the next kassad sends it ----
admin endpoint put slow kind=webhook "url=https://127.0.0.1:$sport/slow" channels=sms >/dev/null
id_slow=$(ins slow 1 service 2)
DEADLINE=20 wait_for "the slow row is being delivered" \
	grep -q "\"path\": \"/slow\"" "$slog"
kill -9 "$kassad_pid"
wait "$kassad_pid" 2>/dev/null
kassad_pid=
check "killed mid-delivery: the row is leased, not sent" \
	"$([ "$(q "SELECT state FROM outbox WHERE outbox_id = $id_slow")" = sending ]; echo $?)"
# the tree's SQL functions may have moved on meanwhile (a shared work tree): migrate first
KASSA_DATABASE_CONNINFO="$conn" "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" \
	>>"$tmp/migrate.log" 2>&1 || { tail "$tmp/migrate.log"; exit 1; }
start_kassad "$port" "${kenv[@]}"
kassad_listening "$port" "kassad again" || exit 1
DEADLINE=30 wait_for "the slow row is sent after its lease" \
	state_is "$id_slow" sent
check "after the lease the next kassad delivers it, with the same key" \
	"$([ "$(grep -c "\"path\": \"/slow\"" "$slog")" = 2 ] &&
	   [ "$(grep '"path": "/slow"' "$slog" | python3 -c 'import json,sys
print(len({json.loads(l)["key"] for l in sys.stdin}))')" = 1 ]; echo $?)"
stop_kassad
check "kassad stops cleanly" "$?"
kill "$sink_pid" 2>/dev/null
summary
