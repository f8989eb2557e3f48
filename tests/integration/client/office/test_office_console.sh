#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_console: the operator console through kassa-office, as an
# administrator on the head-office certificate. SHOW POOLS has the primary
# pool with its pool_size connections, each in one state; SHOW SESSIONS
# lists this very session (its till, staff and a request in flight); SHOW
# QUEUES the database and worker queues with their limits; SHOW JOBS the
# loyalty jobs with their interval; SHOW VERSION kassad's version, the
# schema at the expected version and kassad's pid. The default output is
# a table with labels in the user's language (English, Chinese), CSV and
# JSON are machine-neutral. A cashier and an analyst are refused
# PERMISSION_DENIED. RELOAD on a kassad of its own: a changed [log] level
# is applied (named in "changed", debug lines appear in the log) and a
# broken file is refused with the old state kept (exit 1). Needs
# KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

show_json() {	# show_json WHAT: SHOW WHAT as JSON, as the admin
	admin --format json show "$1"
}
jq_py() {	# jq_py EXPR: evaluate a Python expression over the JSON on stdin (as t)
	python3 -c "import json,sys; t=json.load(sys.stdin); print($1)"
}

# ---- SHOW ----
out=$(show_json pools)
rc=$?
echo "$out" | sed 's/^/# /'
check "show pools exits 0 for an admin" $([ $rc = 0 ]; echo $?)
check "it is the console_pools table" $(echo "$out" | grep -q '"report":"console_pools"'; echo $?)
check "the primary pool has 16 connections ([database] pool_size)" $([ "$(echo "$out" |
	jq_py '[r["size"] for r in t["rows"] if r["pool"] == "primary"]')" = "[16]" ]; echo $?)
check "each of them busy, idle, connecting or down" $([ "$(echo "$out" | jq_py \
	'sum(r["busy"] + r["idle"] + r["connecting"] + r["down"] for r in t["rows"] if r["pool"] == "primary")')" = 16 ]; echo $?)
check "and a queue limit ([database] queue_max)" $([ "$(echo "$out" | jq_py \
	't["rows"][0]["queue_max"]')" = 10000 ]; echo $?)

out=$(show_json sessions)
echo "$out" | sed 's/^/# /'
check "show sessions lists this session: HQ-OFFICE-1, staff 9001, its request in flight" \
	$([ "$(echo "$out" | jq_py 'len([r for r in t["rows"] if r["till"] == "HQ-OFFICE-1" and r["staff_id"] == 9001 and r["in_flight"] >= 1 and r["state"] == "ready" and r["kind"] == "office" and r["address"].startswith("127.0.0.1:") and r["requests"] >= 3])')" -ge 1 ]; echo $?)
check "connected since is an RFC 3339 time" $(echo "$out" |
	grep -qE '"connected_since":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"'; echo $?)

out=$(show_json queues)
echo "$out" | sed 's/^/# /'
check "show queues: the database queue with its limit" $([ "$(echo "$out" | jq_py \
	'[r["limit"] for r in t["rows"] if r["queue"] == "db_primary"]')" = "[10000]" ]; echo $?)
check "the worker queue and the sessions" $([ "$(echo "$out" | jq_py \
	'sorted(r["queue"] for r in t["rows"] if r["queue"] in ("worker", "sessions"))')" = \
	"['sessions', 'worker']" ]; echo $?)

out=$(show_json jobs)
echo "$out" | sed 's/^/# /'
check "show jobs: the four loyalty jobs, every 3600 s ([loyalty] jobs_interval)" $([ "$(echo "$out" |
	jq_py 'sorted(r["job"] for r in t["rows"] if r["every_s"] == 3600)')" = \
	"['birthday_coupons', 'card_expire', 'points_expire', 'tier_reevaluate']" ]; echo $?)

out=$(show_json version)
echo "$out" | sed 's/^/# /'
want=$(ls "$KASSA_ROOT/migrations" | sed -n 's/^\([0-9]\{4\}\)_.*\.sql$/\1/p' | sort | tail -n 1)
check "show version: kassad's version" $(echo "$out" | grep -q "\"version\":\"$("$KASSA_KASSAD" --version | awk '{print $2}')\""; echo $?)
check "the schema at the version the migrations expect ($((10#$want)))" $([ "$(echo "$out" |
	jq_py '(t["rows"][0]["schema_version"], t["rows"][0]["schema_expected"])')" = \
	"($((10#$want)), $((10#$want)))" ]; echo $?)
check "kassad's pid" $([ "$(echo "$out" | jq_py 't["rows"][0]["pid"]')" = "$(cat "$KASSA_PID_FILE")" ]; echo $?)

out=$(admin show pools)
echo "$out" | sed 's/^/# /'
check "the default is a table with its title and labels" $(echo "$out" | head -n 1 | grep -qx 'Database pools' &&
	echo "$out" | grep -q '^Pool  *Connections  *Busy  *Idle'; echo $?)
out=$(admin --lang zh_CN show pools)
echo "$out" | sed 's/^/# /'
check "in Chinese with --lang zh_CN" $(echo "$out" | head -n 1 | grep -qx '数据库连接池' &&
	echo "$out" | grep -q '连接数'; echo $?)
out=$(admin --lang zh_CN --format csv show queues)
check "CSV stays machine-neutral" $(echo "$out" | head -n 1 | tr -d '\r' | grep -qx 'queue,length,limit'; echo $?)

admin show everything >"$tmp/out" 2>&1
check "an unknown SHOW is a usage error (exit 2)" $([ $? = 2 ] && grep -q '"detail":"USAGE"' "$tmp/out"; echo $?)
"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
	--ca "$C/ca.crt" --server-name localhost --staff 1001 --pin 1234 show pools >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "a cashier is refused: exit 1, PERMISSION_DENIED" $([ $rc = 1 ] &&
	grep -q '"code":"PERMISSION_DENIED"' "$tmp/out"; echo $?)
analyst show sessions >"$tmp/out" 2>&1
rc=$?
check "so is an analyst" $([ $rc = 1 ] && grep -q '"code":"PERMISSION_DENIED"' "$tmp/out"; echo $?)
analyst reload >"$tmp/out" 2>&1
rc=$?
check "and RELOAD too" $([ $rc = 1 ] && grep -q '"code":"PERMISSION_DENIED"' "$tmp/out"; echo $?)

# ---- RELOAD, on a kassad of its own (its own configuration file) ----
port=$(free_port) || { echo "no free port"; exit 1; }
{ cat "$KASSA_CONFIG"; printf '\n[log]\nlevel = info\n'; } >"$tmp/kassad.ini"
KASSA_CONFIG=$tmp/kassad.ini start_kassad "$port"
own() {	# own ARGS: kassa-office as the admin on the test's own kassad
	"$OFFICE" --host 127.0.0.1 --port "$port" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff 9001 --pin 0000 "$@"
}
up=1
for _ in $(seq 1 100); do own show version >/dev/null 2>&1 && { up=0; break; }; sleep 0.1; done
check "a kassad of its own is up" $up
check "at [log] level info: no debug line" $(! grep -q ' DEBUG ' "$tmp/kassad.log"; echo $?)
sed -i 's/^level = info$/level = debug/' "$tmp/kassad.ini"
out=$(own reload)
rc=$?
echo "$out" | sed 's/^/# /'
check "reload answers ok" $([ $rc = 0 ] && echo "$out" | grep -q '^{"ok":true,"cmd":"reload"'; echo $?)
check "naming the changed [log] level" $(echo "$out" | jq_py '"log.level" in t["changed"]' | grep -qx True; echo $?)
own show pools >/dev/null 2>&1
logged=1
for _ in $(seq 1 50); do grep -q ' DEBUG ' "$tmp/kassad.log" && { logged=0; break; }; sleep 0.1; done
check "and debug lines appear in kassad's log from then on" $logged
printf '[nosuchsection]\nnokey = 1\n' >>"$tmp/kassad.ini"
out=$(own reload)
rc=$?
echo "$out" | sed 's/^/# /'
check "a broken file: reload exits 1 with ok false" $([ $rc = 1 ] && echo "$out" | grep -q '^{"ok":false,"cmd":"reload"'; echo $?)
check "and says why" $(echo "$out" | grep -q 'nosuchsection'; echo $?)
own show pools >/dev/null 2>&1
check "the old state is kept: kassad still serves" $?
stop_kassad
check "that kassad exited 0" $?
[ "$fail" = 0 ] || tail -20 "$tmp/kassad.log" | sed 's/^/# /'

summary
