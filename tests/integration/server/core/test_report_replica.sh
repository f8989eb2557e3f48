#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_report_replica: [database] report_dsn against a real streaming replica on
# loopback. scripts/test-env.sh replica-up makes one of the fixture's PostgreSQL
# (pg_basebackup -R); a second kassad on its own port gets report_dsn pointing at it.
# Then, counting with pg_stat_statements on EACH cluster (reset before that kassad
# starts):
#   - its start-up function check ran on the primary and nothing of it on the replica;
#   - head-office reads (a report, a member search, a member 360, an export's rows, the
#     dashboard) ran on the replica and not one of them on the primary, while the
#     checkouts (and an export's audit row) ran on the primary and none on the replica;
#   - with replay paused on the replica, a sale made afterwards leaves a report saying
#     lag_seconds > 0 and data_as_of older than the sale; once replay resumes the
#     report catches up (lag 0, data as of the sale or later);
#   - with the replica stopped, a report fails UNAVAILABLE REPORT_DATABASE_UNAVAILABLE
#     ("the report database is unavailable") while a checkout still succeeds; and
#     kassad exits 0 on SIGTERM.
# Needs KASSA_TEST_ENV (scripts/test-env.sh), KASSA_TILL (kassa-office is next to it
# unless KASSA_OFFICE names it) and curl (the dashboard). Every wait polls a condition with a deadline.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
ENVSCRIPT=$KASSA_ROOT/scripts/test-env.sh
C=$KASSA_CERTS
DEADLINE=${KASSA_TEST_REPLICA_TIMEOUT:-30}	# seconds any one wait may take

# the replica is stopped whatever happens; the fixture's `down` would stop it too
trap 'on_exit; bash "$ENVSCRIPT" replica-down "$KASSA_ENV" >/dev/null 2>&1' EXIT

if ! bash "$ENVSCRIPT" replica-up "$KASSA_ENV"; then
	check "a streaming replica of the test cluster starts and catches up" 1
	summary
fi
# shellcheck disable=SC1091
. "$KASSA_ENV/env"	# now with KASSA_REPLICA_PORT and KASSA_REPORT_DSN

# psql on a cluster's kassa database (primary | replica) or its postgres database
# (primary-admin | replica-admin: pg_stat_statements lives there, so that counting
# never shows up in the kassa database's own statistics)
psql_on() {
	local port=$KASSA_PG_PORT db=kassa
	case "$1" in
	replica*) port=$KASSA_REPLICA_PORT ;;
	esac
	case "$1" in
	*-admin) db=postgres ;;
	esac
	psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U kassa -d "$db" -c "$2"
}

# statement counts of the kassa database on cluster $1 whose text matches regex $2
calls() {
	psql_on "$1-admin" "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s
		JOIN pg_database d ON d.oid = s.dbid
		WHERE d.datname = 'kassa' AND s.query ~ '$2'"
}

# the head-office reads kassad registers with DB_LANE_REPORT (reports, export rows,
# member search and 360): their SQL calls these functions (an export's start, check
# and progress write its audit row, and segments are read, on the primary)
REPORT_RE='kassa_(report_|member_find|member_count|member_360|member_export_rows|export_(horizon|sales|lines)|dashboard_json)'
CHECKOUT_RE='^SELECT \* FROM kassa_checkout\('

# ---- pg_stat_statements on both clusters -----------------------------------------

have=$(psql_on primary "SHOW shared_preload_libraries")
check "the primary preloads pg_stat_statements (scripts/pg-cluster.sh)" \
	$(echo "$have" | grep -q pg_stat_statements; echo $?)
psql_on primary-admin "SET client_min_messages = warning;
	CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
has_pgss() {
	[ "$(psql_on replica-admin "SELECT count(*) FROM pg_extension
		WHERE extname = 'pg_stat_statements'" 2>/dev/null)" = 1 ]
}
wait_for "the extension replayed on the replica" has_pgss
check "pg_stat_statements is there on the replica (created on the primary, replayed)" $?
psql_on primary-admin "SELECT pg_stat_statements_reset()" >/dev/null
psql_on replica-admin "SELECT pg_stat_statements_reset()" >/dev/null
# (the primary's may move: the fixture's own kassad runs its jobs there)
check "the replica's counts start from zero" $([ "$(calls replica .)" = 0 ]; echo $?)

# ---- a kassad with report_dsn ----------------------------------------------------

port=$(free_port)
dport=$(free_port)
[ "$dport" != "$port" ] || dport=$(free_port)
start_kassad "$port" KASSA_DATABASE_REPORT_DSN="$KASSA_REPORT_DSN" \
	KASSA_ADMIN_DASHBOARD_LISTEN="127.0.0.1:$dport"
knows_replica() { grep -q "the report database is a replica" "$tmp/kassad.log"; }
listens() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
up() { kill -0 "$kassad_pid" 2>/dev/null || return 0; listens && knows_replica; }
wait_for "kassad to listen and to hear from the replica" up && kill -0 "$kassad_pid" 2>/dev/null
check "kassad with report_dsn starts, and finds the report database is a replica" $?
if ! kill -0 "$kassad_pid" 2>/dev/null || ! listens || ! knows_replica; then
	grep -v ' DEBUG ' "$tmp/kassad.log" | tail -n 8 | sed 's/^/# /'
	summary	# nothing below can pass without it
fi
check "its start-up function check read the primary" \
	$([ "$(calls primary schema_functions)" -gt 0 ]; echo $?)
check "... and nothing of it ran on the replica" \
	$([ "$(calls replica schema_functions)" = 0 ]; echo $?)

office() {
	"$OFFICE" --host 127.0.0.1 --port "$port" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff 3001 --pin 3333 "$@"
}
till() {
	"$TILL" --host 127.0.0.1 --port "$port" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script
}
# sell: one cash sale of a tea to member $1; 0 if the till printed the finished sale
sell() {
	printf 'login 1001 1234\nsale begin\nsale add SKU-TEA\nsale member %s\nsale pay cash 20.00\nsale finish\n' \
		"$1" | till >"$tmp/sale.out" 2>&1
	grep '"cmd":"sale finish"' "$tmp/sale.out" | grep -q '"ok":true'
}
# json_field NAME: the first "NAME":value (number or string, no quotes) of stdin
json_field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}
# report: a sales report as JSON on stdout (its exit status is kassa-office's)
report() {
	office --format json report sales_daily 2>"$tmp/report.err"
}

member=$(psql_on primary "SELECT min(member_id) FROM members WHERE erased_at IS NULL")

# ---- reads go to the replica, checkouts to the primary ---------------------------

sell "$member" && sell "$member"
check "two checkouts through this kassad succeed" $?
# ok_json FILE: kassa-office answered with "ok":true, or with a report (no "ok" key)
ok_json() { grep -q '"ok":true\|^{"report":' "$1"; }
ran=0
report >"$tmp/r1.out" && ok_json "$tmp/r1.out" && ran=$((ran + 1))
check "a report runs (report sales_daily)" $(ok_json "$tmp/r1.out"; echo $?)
office member find "phone=$(psql_on primary "SELECT right(phone, 4) FROM members
	WHERE member_id = $member")" >"$tmp/find.out" 2>&1 && ok_json "$tmp/find.out" && ran=$((ran + 1))
check "a member search runs (member find phone=...)" $(ok_json "$tmp/find.out"; echo $?)
office member 360 "$member" >"$tmp/360.out" 2>&1 && ok_json "$tmp/360.out" && ran=$((ran + 1))
check "a member 360 runs" $(ok_json "$tmp/360.out"; echo $?)
office export sales >"$tmp/export.out" 2>&1 && ran=$((ran + 1))
check "an export runs (export sales)" $(grep -q '"ok":true' "$tmp/export.out"; echo $?)
dashboard() {
	curl -sS --max-time 20 --cacert "$C/ca.crt" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" -o "$tmp/dashboard.html" -w '%{http_code}' \
		"https://127.0.0.1:$dport/" 2>/dev/null
}
code=$(dashboard)
[ "$code" = 200 ] && ran=$((ran + 1))
check "the dashboard answers 200 (HTTP $code)" $([ "$code" = 200 ]; echo $?)
for f in report_sales_daily member_find_ids member_360_json export_sales dashboard_json; do
	check "... kassa_$f ran on the replica" $([ "$(calls replica "kassa_$f")" -gt 0 ]; echo $?)
done

on_replica=$(calls replica "$REPORT_RE")
on_primary=$(calls primary "$REPORT_RE")
echo "# head-office statements: $on_replica on the replica, $on_primary on the primary"
check "the head-office reads ran on the replica" \
	$([ "$ran" -gt 0 ] && [ "$on_replica" -ge "$ran" ]; echo $?)
check "... and none of them on the primary" $([ "$on_primary" = 0 ]; echo $?)
# whatever ran in the replica's kassa database (only report connections use it), by
# queryid (a physical copy has the same OIDs, so the same ids): none ran on the primary
# (session settings aside: a SET may be spelt the same on both)
ids=$(psql_on replica-admin "SELECT coalesce(string_agg(DISTINCT s.queryid::text, ','), '0')
	FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
	WHERE d.datname = 'kassa' AND s.query !~* '^\\s*SET '")
both=$(psql_on primary-admin "SELECT count(*) FROM pg_stat_statements s
	JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'kassa' AND s.queryid IN ($ids)")
check "no statement run on the replica was run on the primary too" $([ "$both" = 0 ]; echo $?)
check "the checkouts ran on the primary" $([ "$(calls primary "$CHECKOUT_RE")" -ge 2 ]; echo $?)
check "... and none on the replica" $([ "$(calls replica "$CHECKOUT_RE")" = 0 ]; echo $?)

# ---- a lagging replica says how old its data is ----------------------------------

# RFC 3339 -> Unix seconds; 0 for nothing or nonsense
epoch() { { [ -n "$1" ] && date -u -d "$1" +%s 2>/dev/null; } || echo 0; }
caught_up() {
	[ "$(psql_on replica-admin "SELECT pg_last_wal_replay_lsn() >= '$1'::pg_lsn")" = t ]
}
wait_for "the replica to replay the sales" caught_up "$(psql_on primary "SELECT pg_current_wal_lsn()")"
psql_on replica-admin "SELECT pg_wal_replay_pause()" >/dev/null
# "pause requested" is enough: replay stops before the next record it would apply
paused() {
	psql_on replica-admin "SELECT pg_get_wal_replay_pause_state()" | grep -q pause
}
wait_for "replay to pause" paused
check "replay paused on the replica" $?
# the sale must fall in a later second than the replica's last replayed commit
last=$(psql_on replica-admin "SELECT coalesce(floor(extract(epoch FROM pg_last_xact_replay_timestamp())), 0)")
later() { [ "$(date -u +%s)" -gt "$last" ]; }
wait_for "the clock to pass the last replayed commit's second" later
t_sale=$(date -u +%s)
sell "$member"
check "a sale while replay is paused succeeds (the primary is not held up)" $?
lagging() {
	report >"$tmp/lag.out" || return 1
	[ "$(json_field lag_seconds <"$tmp/lag.out")" -gt 0 ] 2>/dev/null
}
wait_for "a report to see the lag" lagging
check "a report on the paused replica says lag_seconds > 0" $?
as_of=$(json_field data_as_of <"$tmp/lag.out")
echo "# lag_seconds $(json_field lag_seconds <"$tmp/lag.out"), data_as_of $as_of, sale at $(date -u -d "@$t_sale" +%FT%TZ)"
check "... and data_as_of older than the sale" \
	$([ "$(epoch "$as_of")" -gt 0 ] && [ "$(epoch "$as_of")" -lt "$t_sale" ]; echo $?)

psql_on replica-admin "SELECT pg_wal_replay_resume()" >/dev/null
fresh() {
	report >"$tmp/fresh.out" || return 1
	[ "$(json_field lag_seconds <"$tmp/fresh.out")" = 0 ] &&
		[ "$(epoch "$(json_field data_as_of <"$tmp/fresh.out")")" -ge "$t_sale" ]
}
wait_for "the report to catch up" fresh
check "replay resumed: the report catches up (lag 0, data as of the sale or later)" $?

# ---- the replica down: reports fail clearly, checkouts go on ---------------------

bash "$ENVSCRIPT" replica-down "$KASSA_ENV" >/dev/null
check "the replica stopped" $?
refused() {
	office --format json report sales_daily >"$tmp/down.out" 2>&1 && return 1
	grep -q REPORT_DATABASE_UNAVAILABLE "$tmp/down.out"
}
wait_for "a report to be refused" refused
check "a report fails with REPORT_DATABASE_UNAVAILABLE" $?
check "... saying the report database is unavailable" \
	$(grep -q "the report database is unavailable" "$tmp/down.out"; echo $?)
sed 's/^/# /' "$tmp/down.out" | head -n 3
sell "$member"
check "a checkout still succeeds with the replica down" $?
check "no report fell back to the primary" $([ "$(calls primary "$REPORT_RE")" = 0 ]; echo $?)

stop_kassad
check "kassad exits 0 on SIGTERM" $?
grep -E "ERROR|BUG" "$tmp/kassad.log" | sed 's/^/# /' | head -n 5
summary
