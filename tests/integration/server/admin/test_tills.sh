#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_tills: head office adds tills end to end and takes them away again
# (store operations, part "tills"; docs/store/tills.md). On a kassad of its
# own with a copy of the test CA and its CRL:
#   - kassa-ca issues two till certificates (CN = the code, key 0600, client
#     auth, signed by the test environment's CA, recorded in ca-db/index.txt;
#     eight issued at once are all recorded);
#     bad input (a CA key of another CA, a bad code, an unwritable folder, an
#     unknown code to revoke) is exit 2 with a message and nothing written;
#   - before TillPut the certificate is refused at Hello; kassa-office till put
#     registers it (audited 'till.put'), till list shows it, and the till
#     sells; refusals of TillPut (a bad code, no store, a cashier) change nothing;
#   - till put active=no: kassad closes the till's open session, whose next sale
#     does not reach kassad (the till falls back to its offline journal), and a
#     new connection is refused at Hello; active=yes
#     lets it sell again; a store manager lists only their store's tills;
#   - a retry of kassa_till_put with the same key is answered the same and
#     audited once;
#   - a second kassad on the same database: a till with a session open there is
#     deactivated through the first; the second closes that session within a
#     bounded wait (its tills' sweep), its next sale goes offline and a new
#     Hello there is refused, while another till's session there goes on
#     selling on the same connection; moving that till to another store
#     closes its session there too (it must say Hello again);
#   - kassa-ca revoke, SIGHUP: the revoked certificate's open session is closed
#     (its next sale goes offline) while another till's open session goes on
#     on the same connection; the revoked certificate is refused by TLS, the
#     other one kassa-ca issued still sells, and so does S001-T1.
# Needs KASSA_TEST_ENV and KASSA_TILL; kassa-office and kassa-ca are the programs next to
# kassa-till unless KASSA_OFFICE / KASSA_CA name them.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
CA=${KASSA_CA:-$(dirname "$TILL")/kassa-ca}
cp -r "$KASSA_CERTS" "$tmp/certs"
C=$tmp/certs
OUT=$tmp/issued
mkdir -p "$OUT"
run=$$$RANDOM
A=S001-CA$run-A
B=S001-CA$run-B
DEADLINE=${KASSA_TEST_TILLS_TIMEOUT:-30}

sql() { psql "$KASSA_CONNINFO" -Atc "$1"; }
port=$(free_port) || { echo "no free port"; exit 1; }
# sell_at PORT CERTDIR CODE: one sale as that till at the kassad on PORT; kassa-till's exit code
sell_at() {
	printf "login 1001 1234\nsale begin\nsale add SKU-APPLE 2\nsale add SKU-RICE\nsale pay cash 100.00\nsale finish\n" |
		"$TILL" --host 127.0.0.1 --port "$1" --cert "$2/$3.crt" --key "$2/$3.key" \
		--ca "$C/ca.crt" --server-name localhost --timeout 5000 --state-dir "$tmp/state-$3" \
		--script >"$tmp/sell.out" 2>&1
}
sell() { sell_at "$port" "$@"; }	# sell CERTDIR CODE: at the test's kassad
# open_session NAME PORT CODE: a kassa-till of CODE (a certificate in $OUT) that stays
# connected to the kassad on PORT, reading its script from the fifo $tmp/NAME.in (say NAME
# LINE...) and answering into $tmp/NAME.out; end_session NAME closes its input and waits.
declare -A sess_fd sess_pid
open_session() {
	local fd
	mkfifo "$tmp/$1.in"
	# without the other sessions' fifo ends: their end_session would never reach EOF
	(for fd in "${sess_fd[@]}"; do eval "exec $fd>&-"; done
	 exec "$TILL" --host 127.0.0.1 --port "$2" --cert "$OUT/$3.crt" --key "$OUT/$3.key" \
		--ca "$C/ca.crt" --server-name localhost --timeout 5000 --state-dir "$tmp/state-$3" \
		--script <"$tmp/$1.in" >"$tmp/$1.out" 2>&1) &
	sess_pid[$1]=$!
	exec {fd}>"$tmp/$1.in"
	sess_fd[$1]=$fd
}
say() { local n=$1; shift; printf "%s\n" "$@" >&"${sess_fd[$n]}"; }
end_session() { local fd=${sess_fd[$1]}; exec {fd}>&-; wait "${sess_pid[$1]}"; }
one_sale=("sale begin" "sale add SKU-RICE" "sale pay cash 100.00" "sale finish")
finished() { [ "$(grep -c '"cmd":"sale finish"' "$tmp/$1.out")" -ge "$2" ]; }	# finished NAME N
# last_sale NAME: the last sale's answer line
last_sale() { grep '"cmd":"sale finish"' "$tmp/$1.out" | tail -n 1; }
# hellos LOG CODE: how many sessions of CODE said Hello to the kassad writing LOG
hellos() { grep -c ": till $2 of store " "$1"; }
office() {	# office STAFF PIN ARGS...: kassa-office at HQ-OFFICE-1
	local staff=$1 pin=$2
	shift 2
	"$OFFICE" --host 127.0.0.1 --port "$port" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff "$staff" --pin "$pin" "$@"
}
admin() { office 9001 0000 "$@"; }
cashier() {	# cashier ARGS...: kassa-office as cashier 1001 at S001-T1
	"$OFFICE" --host 127.0.0.1 --port "$port" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
		--ca "$C/ca.crt" --server-name localhost --staff 1001 --pin 1234 "$@"
}
s002_manager() {	# s002_manager ARGS...: kassa-office as manager 2001 at S002-T1
	"$OFFICE" --host 127.0.0.1 --port "$port" --cert "$C/S002-T1.crt" --key "$C/S002-T1.key" \
		--ca "$C/ca.crt" --server-name localhost --staff 2001 --pin 9999 "$@"
}
kca() { "$CA" --lang en "$@"; }
logged() { grep -q "$1" "$tmp/kassad.log"; }
written() {	# what a refused TillPut must not change
	sql "SELECT (SELECT count(*) FROM tills) || ' ' ||
		(SELECT count(*) FROM audit_log WHERE action = 'till.put')"
}
index_sum() { md5sum "$C/ca-db/index.txt" 2>/dev/null | cut -d' ' -f1; }
s001=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
s002=$(sql "SELECT store_id FROM stores WHERE code = 'S002'")
# the manager's store is put back whatever happens
trap 'on_exit; psql "$KASSA_CONNINFO" -Atqc "UPDATE staff SET store_id = NULL WHERE staff_id = 2001" >/dev/null 2>&1' EXIT

start_kassad "$port" KASSA_TLS_CERT="$C/server.crt" KASSA_TLS_KEY="$C/server.key" \
	KASSA_TLS_CA="$C/ca.crt" KASSA_TLS_CRL="$C/crl.pem"
kassad_listening "$port" "kassad listening" || { check "kassad starts" 1; summary; }

# ---- kassa-ca issue --------------------------------------------------------------------------
kca issue "$A" --ca "$C/ca.crt" --ca-key "$C/ca.key" --out "$OUT" >"$tmp/issue.json"
check "kassa-ca issue exits 0" $?
grep -q "\"ok\":true,\"cmd\":\"issue\",\"code\":\"$A\"" "$tmp/issue.json"
check "issue prints one JSON object naming the code" $?
kca issue "$B" --ca "$C/ca.crt" --ca-key "$C/ca.key" --out "$OUT" --days 30 >/dev/null
check "a second certificate" $?
check "the key is 0600" $([ "$(stat -c %a "$OUT/$A.key")" = 600 ]; echo $?)
openssl verify -CAfile "$C/ca.crt" -purpose sslclient "$OUT/$A.crt" >/dev/null 2>&1
check "signed by the CA, for client authentication" $?
check "CN is the code" $(openssl x509 -in "$OUT/$A.crt" -noout -subject -nameopt RFC2253 |
	grep -q "CN=$A"; echo $?)
serial=$(openssl x509 -in "$OUT/$A.crt" -noout -serial | cut -d= -f2)
check "a 128-bit serial" $([ ${#serial} = 32 ]; echo $?)
check "recorded in ca-db/index.txt" $(grep -q "^V	.*	$serial	.*CN=$A\$" "$C/ca-db/index.txt"; echo $?)
check "kassa-ca list shows it valid" $(kca list --ca "$C/ca.crt" |
	grep -q "{\"code\":\"$A\",\"ou\":\"till\",\"serial\":\"$serial\",\"status\":\"valid\""; echo $?)

# eight runs at once (real processes): the record keeps every one of them (ca-db/lock)
mkdir -p "$tmp/many"
pids=()
for i in 1 2 3 4 5 6 7 8; do
	kca issue "S001-P$run-$i" --ca "$C/ca.crt" --ca-key "$C/ca.key" --out "$tmp/many" >/dev/null &
	pids+=($!)
done
okall=0
for p in "${pids[@]}"; do wait "$p" || okall=1; done
check "eight concurrent issues all succeed" $okall
check "... and all eight are in the index" $([ "$(grep -c "CN=S001-P$run-" "$C/ca-db/index.txt")" = 8 ]; echo $?)

# ---- kassa-ca refusals: exit 2, a message, nothing written --------------------------------------
sum0=$(index_sum)
kca issue S001-X$run --ca "$C/ca.crt" --ca-key "$C/rogue-ca.key" --out "$OUT" 2>"$tmp/err"
check "a CA key of another CA: exit 2" $([ $? = 2 ]; echo $?)
check "... says the key does not belong to the CA" $(grep -q "does not belong" "$tmp/err"; echo $?)
"$CA" --lang zh_CN issue S001-X$run --ca "$C/ca.crt" --ca-key "$C/rogue-ca.key" --out "$OUT" 2>"$tmp/err"
check "... in Chinese too" $(grep -q "不属于" "$tmp/err"; echo $?)
kca issue 'bad code' --ca "$C/ca.crt" --ca-key "$C/ca.key" --out "$OUT" 2>/dev/null
check "a bad code: exit 2" $([ $? = 2 ]; echo $?)
kca issue S001-X$run --ca "$C/ca.crt" --ca-key "$C/ca.key" --out "$tmp/nowhere" 2>/dev/null
check "an out folder that is not there: exit 2" $([ $? = 2 ]; echo $?)
kca issue "$A" --ca "$C/ca.crt" --ca-key "$C/ca.key" --out "$OUT" 2>/dev/null
check "a code whose files exist: exit 2" $([ $? = 2 ]; echo $?)
kca revoke S001-NEVER$run --ca "$C/ca.crt" --ca-key "$C/ca.key" --crl "$C/crl.pem" 2>"$tmp/err"
check "revoking an unknown code: exit 2" $([ $? = 2 ]; echo $?)
check "nothing issued by the refusals" $([ ! -e "$OUT/S001-X$run.key" ] && [ ! -e "$OUT/S001-X$run.crt" ] &&
	[ "$(index_sum)" = "$sum0" ] && [ -z "$(ls "$tmp/nowhere" 2>/dev/null)" ]; echo $?)

# ---- TillPut, TillList, selling ---------------------------------------------------------------
sell "$OUT" "$A"
check "an unregistered certificate is refused" $([ $? != 0 ] && grep -q TILL_UNKNOWN "$tmp/sell.out"; echo $?)
w0=$(written)
admin till put "bad code!" store="$s001" >"$tmp/put.json"
check "till put with a bad code fails" $([ $? != 0 ] && grep -q BAD_TILL_CODE "$tmp/put.json"; echo $?)
admin till put "$A" >"$tmp/put.json"
check "a new till without a store is refused" $(grep -q TILL_STORE_REQUIRED "$tmp/put.json"; echo $?)
admin till put "$A" store=999999999 >"$tmp/put.json"
check "an unknown store is refused" $(grep -q TILL_STORE_NOT_FOUND "$tmp/put.json"; echo $?)
admin till put "$A" store="$s001" kind=kiosk >"$tmp/put.json"
check "an unknown kind is refused" $(grep -q BAD_TILL_KIND "$tmp/put.json"; echo $?)
cashier till put "$A" store="$s001" >"$tmp/put.json"
check "a cashier may not register tills" $(grep -q PERMISSION_DENIED "$tmp/put.json"; echo $?)
check "refusals change nothing" $([ "$(written)" = "$w0" ]; echo $?)

admin till put "$A" store="$s001" >"$tmp/put.json"
check "till put registers the till" $([ $? = 0 ] && grep -q '"ok":true,"cmd":"till put"' "$tmp/put.json" &&
	grep -q '"created":true' "$tmp/put.json"; echo $?)
idA=$(sql "SELECT till_id FROM tills WHERE code = '$A'")
check "the till is in its store, active" $([ "$(sql "SELECT store_id || ' ' || kind || ' ' || active FROM tills WHERE code = '$A'")" = "$s001 till true" ]; echo $?)
check "audited till.put" $([ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'till.put' AND subject = 'till:$idA' AND detail->>'created' = 'true'")" = 1 ]; echo $?)
admin till put "$B" store="$s002" >/dev/null && admin till put "$B" store="$s001" >"$tmp/put.json"
check "a till moved to another store" $(grep -q "\"created\":false,\"till\":{\"till_id\":[0-9]*,\"code\":\"$B\",\"store_id\":$s001," "$tmp/put.json"; echo $?)
admin till list store="$s001" >"$tmp/list.json"
check "till list shows both in S001" $(grep -q "\"code\":\"$A\"" "$tmp/list.json" && grep -q "\"code\":\"$B\"" "$tmp/list.json" &&
	! grep -q '"store_code":"S002"' "$tmp/list.json"; echo $?)
sell "$OUT" "$A"
check "the new till sells" $?
check "its sale is recorded against it" $([ "$(sql "SELECT count(*) FROM transactions WHERE till_id = $idA")" -ge 1 ]; echo $?)

# a store manager sees their store's tills only
sql "UPDATE staff SET store_id = $s002 WHERE staff_id = 2001" >/dev/null
s002_manager till list >"$tmp/list.json"
check "a manager of S002 sees S002's tills only" $([ $? = 0 ] && grep -q '"code":"S002-T1"' "$tmp/list.json" &&
	! grep -q '"store_code":"S001"' "$tmp/list.json"; echo $?)
s002_manager till list store="$s001" >"$tmp/list.json"
check "... and not S001's" $(grep -q TILL_OTHER_STORE "$tmp/list.json"; echo $?)
sql "UPDATE staff SET store_id = NULL WHERE staff_id = 2001" >/dev/null

# ---- deactivation: an open session stops selling, Hello refuses it ----------------------------
# the same till, so the same state folder: one till numbers its receipts once (a second
# folder for the same till would number a second receipt 001 in the same minute)
mkfifo "$tmp/in"
"$TILL" --host 127.0.0.1 --port "$port" --cert "$OUT/$A.crt" --key "$OUT/$A.key" --ca "$C/ca.crt" \
	--server-name localhost --timeout 5000 --state-dir "$tmp/state-$A" --script \
	<"$tmp/in" >"$tmp/open.out" 2>&1 &
till_pid=$!
exec 7>"$tmp/in"
printf "login 1001 1234\nsale begin\nsale add SKU-RICE\nsale pay cash 100.00\nsale finish\n" >&7
wait_for "the open session's first sale" grep -q '"cmd":"sale finish"' "$tmp/open.out"
check "an open session sells" $(grep '"cmd":"sale finish"' "$tmp/open.out" | grep -q '"ok":true'; echo $?)
[ -n "$(grep '"cmd":"sale finish"' "$tmp/open.out" | grep '"ok":true')" ] || sed "s/^/# open session: /" "$tmp/open.out" | cut -c1-300
admin till put "$A" active=no >"$tmp/put.json"
check "till put active=no" $([ $? = 0 ] && grep -q '"active":false' "$tmp/put.json"; echo $?)
printf "sale begin\nsale add SKU-RICE\nsale pay cash 100.00\nsale finish\n" >&7
exec 7>&-
wait "$till_pid"
# the till keeps the sale in its offline journal: kassad did not take it
check "the open session's next sale does not reach kassad (the till goes offline)" $(
	[ "$(grep '"cmd":"sale finish"' "$tmp/open.out" | grep -c '"offline":false')" = 1 ] &&
	grep '"cmd":"sale finish"' "$tmp/open.out" | tail -n 1 | grep -q '"offline":true'; echo $?)
n_sales=$(sql "SELECT count(*) FROM transactions WHERE till_id = $idA")
check "(two sales in all: the first test sale and the open session's)" $([ "$n_sales" = 2 ]; echo $?)
sell "$OUT" "$A"
check "a deactivated till is refused at Hello" $([ $? != 0 ] && grep -q TILL_UNKNOWN "$tmp/sell.out"; echo $?)
admin till put HQ-OFFICE-1 active=no >"$tmp/put.json"
check "a workstation cannot deactivate itself" $(grep -q TILL_SELF "$tmp/put.json"; echo $?)
admin till put "$A" active=yes >/dev/null
sell "$OUT" "$A"
check "reactivated, it sells again" $?

# ---- exactly once -----------------------------------------------------------------------------
hq=$(sql "SELECT till_id FROM tills WHERE code = 'HQ-OFFICE-1'")
k="tills-test-$run"
r1=$(sql "SELECT r_till_id, r_active, r_created FROM kassa_till_put($hq, 9001, '$k', '\\x01', '$B', 0, 'office', 0)")
r2=$(sql "SELECT r_till_id, r_active, r_created FROM kassa_till_put($hq, 9001, '$k', '\\x01', '$B', 0, 'office', 0)")
check "a retry with the same key answers the same" $([ -n "$r1" ] && [ "$r1" = "$r2" ]; echo $?)
check "... and is audited once" $([ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'till.put' AND detail->>'kind' = 'office' AND subject = 'till:$(sql "SELECT till_id FROM tills WHERE code = '$B'")'")" = 1 ]; echo $?)
sql "SELECT kassa_till_put($hq, 9001, '$k', '\\x02', '$B', 0, 'bench', 0)" >/dev/null 2>"$tmp/err"
check "the same key for another change is refused" $(grep -q IDEMPOTENCY_KEY_REUSED "$tmp/err"; echo $?)
admin till put "$B" kind=till >/dev/null

# ---- a second kassad on the same database: deactivated and moved tills are cut off there too ----
port2=$(free_port) || { echo "no free port"; exit 1; }
K2=$tmp/kassad2.log
KASSA_SERVER_LISTEN="127.0.0.1:$port2" KASSA_TLS_CERT="$C/server.crt" KASSA_TLS_KEY="$C/server.key" \
	KASSA_TLS_CA="$C/ca.crt" KASSA_TLS_CRL="$C/crl.pem" \
	"$KASSA_KASSAD" --config "$KASSA_CONFIG" >"$K2" 2>&1 &
k2_pid=$!
wait_for "the second kassad" kassad_listens "$port2"
check "a second kassad serves the same database" $?
idB=$(sql "SELECT till_id FROM tills WHERE code = '$B'")
salesA=$(sql "SELECT count(*) FROM transactions WHERE till_id = $idA")
open_session a2 "$port2" "$A"
open_session b2 "$port2" "$B"
say a2 "login 1001 1234" "${one_sale[@]}"
say b2 "login 1001 1234" "${one_sale[@]}"
wait_for "the first sales on the second kassad" eval 'finished a2 1 && finished b2 1'
check "two tills sell through their open sessions on the second kassad" $(
	last_sale a2 | grep -q '"ok":true,.*"offline":false' &&
	last_sale b2 | grep -q '"ok":true,.*"offline":false'; echo $?)
admin till put "$A" active=no >"$tmp/put.json"
check "till put active=no, answered by the first kassad" $([ $? = 0 ] && grep -q '"active":false' "$tmp/put.json"; echo $?)
DEADLINE=15 wait_for "the second kassad closing the deactivated till's session" \
	grep -q "till $idA: 1 session(s) closed: no longer active" "$K2"
check "the second kassad closes the deactivated till's open session" $?
say a2 "${one_sale[@]}"
wait_for "the deactivated till's next sale" finished a2 2
check "... whose next sale does not reach kassad (offline)" $(last_sale a2 | grep -q '"offline":true'; echo $?)
end_session a2
check "(one sale of A through the second kassad)" $([ "$(sql "SELECT count(*) FROM transactions WHERE till_id = $idA")" = $((salesA + 1)) ]; echo $?)
sell_at "$port2" "$OUT" "$A"
check "a new Hello of the deactivated till is refused by the second kassad" $([ $? != 0 ] && grep -q TILL_UNKNOWN "$tmp/sell.out"; echo $?)
say b2 "${one_sale[@]}"
wait_for "the active till's next sale" finished b2 2
check "the till that stayed active sells on through the second kassad" $(last_sale b2 | grep -q '"ok":true,.*"offline":false'; echo $?)
check "... on the same session (one Hello, nothing closed)" $([ "$(hellos "$K2" "$B")" = 1 ] &&
	! grep -q "($B 127.0.0.1:[0-9]*): closed" "$K2"; echo $?)
admin till put "$B" store="$s002" >/dev/null
DEADLINE=15 wait_for "the second kassad closing the moved till's session" \
	grep -q "till $idB: 1 session(s) closed: no longer active in store $s001" "$K2"
check "a till moved to another store: the second kassad closes its session (Hello again)" $?
end_session b2
admin till put "$B" store="$s001" >/dev/null
admin till put "$A" active=yes >/dev/null
kill -TERM "$k2_pid"
wait "$k2_pid"
check "the second kassad exited 0" $?

# ---- revocation -------------------------------------------------------------------------------
sell "$OUT" "$B"
check "B sells before the revocation" $?
open_session a1 "$port" "$A"
open_session b1 "$port" "$B"
say a1 "login 1001 1234" "${one_sale[@]}"
say b1 "login 1001 1234" "${one_sale[@]}"
wait_for "the open sessions' first sales" eval 'finished a1 1 && finished b1 1'
check "A and B sell through open sessions before the revocation" $(
	last_sale a1 | grep -q '"ok":true,.*"offline":false' &&
	last_sale b1 | grep -q '"ok":true,.*"offline":false'; echo $?)
hellosB=$(hellos "$tmp/kassad.log" "$B")
kca revoke "$A" --ca "$C/ca.crt" --ca-key "$C/ca.key" --crl "$C/crl.pem" >"$tmp/revoke.json"
check "kassa-ca revoke exits 0" $([ $? = 0 ] && grep -q "\"revoked\":\[\"$serial\"\]" "$tmp/revoke.json"; echo $?)
openssl crl -in "$C/crl.pem" -CAfile "$C/ca.crt" -noout -text 2>/dev/null | grep -q "Serial Number: $serial"
check "the CRL is signed by the CA and lists the serial" $?
kill -HUP "$kassad_pid"
wait_for "kassad's reload" logged "reloaded TLS"
check "SIGHUP reloaded" $?
DEADLINE=15 wait_for "the revoked certificate's session closing" \
	logged "closing: the certificate of $A is revoked by the reloaded CRL"
check "the reload closes the open session of the revoked certificate" $?
say a1 "${one_sale[@]}"
wait_for "the revoked till's next sale" finished a1 2
check "... whose next sale does not reach kassad (offline: TLS refuses it again)" $(
	last_sale a1 | grep -q '"offline":true'; echo $?)
end_session a1
say b1 "${one_sale[@]}"
wait_for "B's next sale" finished b1 2
check "the open session of a certificate not revoked sells on" $(last_sale b1 | grep -q '"ok":true,.*"offline":false'; echo $?)
check "... on the same connection (no second Hello)" $([ "$(hellos "$tmp/kassad.log" "$B")" = "$hellosB" ]; echo $?)
end_session b1
sell "$OUT" "$A"
check "the revoked certificate is refused by TLS" $([ $? = 3 ]; echo $?)
sell "$OUT" "$B"
check "the other certificate kassa-ca issued still sells" $?
sell "$C" S001-T1
check "S001-T1 still sells" $?
kca crl --ca "$C/ca.crt" --ca-key "$C/ca.key" --crl "$C/crl.pem" --days 7 >"$tmp/crl.json"
n1=$(sed -n 's/.*"crl_number":"\([0-9A-F]*\)".*/\1/p' "$tmp/revoke.json")
n2=$(sed -n 's/.*"crl_number":"\([0-9A-F]*\)".*/\1/p' "$tmp/crl.json")
check "kassa-ca crl re-signs with a higher CRL number" $([ -n "$n1" ] && [ $((16#$n2)) -gt $((16#$n1)) ]; echo $?)
check "... still listing the revoked serial" $(openssl crl -in "$C/crl.pem" -noout -text | grep -q "Serial Number: $serial"; echo $?)

admin till put "$A" active=no >/dev/null
admin till put "$B" active=no >/dev/null
stop_kassad
rc=$?
check "kassad exited 0" $([ $rc = 0 ]; echo $?)
[ "$fail" = 0 ] || { tail -20 "$tmp/kassad.log" | sed 's/^/# /'; cat "$tmp/sell.out" | sed 's/^/# sell: /'; }

summary
