#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-env.sh: the throwaway environment the integration tests run against (a CTest
# fixture: tests/integration/CMakeLists.txt calls `up` before and `down` after them).
#
#   KASSAD=build/server/kassad scripts/test-env.sh up ENVDIR
#   scripts/test-env.sh down ENVDIR
#   scripts/test-env.sh {pg-stop|pg-start|pg-restart} ENVDIR
#   scripts/test-env.sh {replica-up|replica-down} ENVDIR
#
# up     starts from an empty ENVDIR: a PostgreSQL cluster on a free loopback port
#        (ENVDIR/pg), certificates (ENVDIR/certs: tills S001-T1 S001-T2 S002-T1 HQ-OFFICE-1
#        BENCH-1, plus S001-REVOKED whose certificate is on the CRL, plus rogue.crt),
#        ENVDIR/kassad.ini, `kassad migrate`, scripts/seed.sh, then kassad on another free
#        loopback port, and waits (bounded) until it listens. Writes ENVDIR/env:
#          KASSA_HOST KASSA_PORT KASSA_PG_PORT KASSA_CERTS KASSA_CONNINFO KASSA_ENV
#          KASSA_CONFIG KASSA_PID_FILE KASSA_KASSAD KASSA_ROOT
#          KASSA_DASHBOARD_PORT (kassad's HTTPS dashboard, [admin] dashboard_listen)
#          KASSA_METRICS_PORT (kassad's /metrics, /livez, /readyz, [admin] metrics_listen)
#        (shell-sourceable, values single-quoted). On failure it stops what it started.
# down   SIGTERM to kassad, waits for it, stops PostgreSQL. Fails (exit 1) unless kassad
#        exited with status 0 (a crash, a sanitizer report at exit or a hung shutdown fails
#        the run). ENVDIR stays for the logs: ENVDIR/kassad.log, ENVDIR/pg/log/.
# pg-*   stop, start or restart the environment's PostgreSQL (the database-restart test).
# replica-up    an optional streaming replica of that PostgreSQL (the read-replica test,
#        scripts/bench-replica.sh): the first time, pg_basebackup -R into ENVDIR/replica and
#        a free loopback port; then start it and wait (bounded) until it is in recovery and
#        has replayed everything the primary had written when it was asked. Adds
#        KASSA_REPLICA_PORT and KASSA_REPORT_DSN (a conninfo for [database] report_dsn) to
#        ENVDIR/env. Its log: ENVDIR/replica/log/postgresql.log.
# replica-down  stop the replica (its data stays: replica-up starts it again); `down` stops
#        it too.
#
# Environment: KASSAD (required for up), KASSA_TEST_START_TIMEOUT (seconds kassad gets to
# listen, default 30), KASSA_TEST_MEMBERS (seeded members, default 300),
# KASSA_TEST_REPLICA_TIMEOUT (seconds the replica gets to catch up, default 60).
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
SCRIPTS=$(dirname "$SELF")
ROOT=$(dirname "$SCRIPTS")
TILLS=(S001:S001-T1 S001:S001-T2 S002:S002-T1 HQ:HQ-OFFICE-1 BENCH:BENCH-1 S001:S001-REVOKED)

die() {
	echo "test-env: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 {up|down|pg-stop|pg-start|pg-restart|replica-up|replica-down} ENVDIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
ENV=$2

# listening PORT: true if something listens on 127.0.0.1:PORT.
listening() {
	if command -v ss >/dev/null 2>&1; then
		ss -Htln "sport = :$1" 2>/dev/null | grep -q .
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

# free_port [NOT]: a port in 20000-32767 (below the kernel's ephemeral range) nobody listens
# on, other than NOT.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
		[ "$p" != "${1:-}" ] || continue
		listening "$p" || { echo "$p"; return 0; }
	done
	die "no free port found on 127.0.0.1"
}

# env_get KEY: a value from ENV/env.
env_get() {
	[ -f "$ENV/env" ] || die "$ENV/env not found (is the environment up?)"
	(
		set +u
		# shellcheck disable=SC1091
		. "$ENV/env"
		eval "printf '%s' \"\${$1}\""
	)
}

log_tail() {
	if [ -f "$ENV/kassad.log" ]; then
		echo "---- last lines of $ENV/kassad.log ----" >&2
		tail -n "${1:-40}" "$ENV/kassad.log" >&2 || true
		echo "----" >&2
	fi
}

# Stop kassad: 0 if it exited with status 0 (now or before), 1 otherwise.
stop_kassad() {
	local pid status i
	if [ ! -f "$ENV/kassad.pid" ]; then
		echo "test-env: no kassad was started in $ENV" >&2
		return 1
	fi
	pid=$(cat "$ENV/kassad.pid")
	if [ -f "$ENV/kassad.status" ] && [ ! -f "$ENV/kassad.stopping" ]; then
		echo "test-env: kassad (pid $pid) had already exited with status" \
			"$(cat "$ENV/kassad.status") before it was told to stop" >&2
		log_tail
		return 1
	fi
	if [ ! -f "$ENV/kassad.status" ]; then
		: >"$ENV/kassad.stopping"
		kill -TERM "$pid" 2>/dev/null || true
	fi
	# shutdown_timeout is 10 s; sanitizer builds need longer to write their reports.
	for i in $(seq 1 400); do
		[ -f "$ENV/kassad.status" ] && break
		sleep 0.1
	done
	if [ ! -f "$ENV/kassad.status" ]; then
		echo "test-env: kassad (pid $pid) did not exit within 40 s of SIGTERM: killed" >&2
		kill -KILL "$pid" 2>/dev/null || true
		log_tail
		return 1
	fi
	status=$(cat "$ENV/kassad.status")
	if [ "$status" != 0 ]; then
		echo "test-env: kassad exited with status $status after SIGTERM (expected 0)" >&2
		log_tail 80
		return 1
	fi
	echo "test-env: kassad exited cleanly"
	return 0
}

pg() {
	bash "$SCRIPTS/pg-cluster.sh" "$1" "$ENV/pg" "$(env_get KASSA_PG_PORT)"
}

# Stop whatever an earlier run left behind in ENV, quietly.
stop_leftovers() {
	local pid
	if [ -f "$ENV/kassad.pid" ] && [ ! -f "$ENV/kassad.status" ]; then
		pid=$(cat "$ENV/kassad.pid")
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	if [ -f "$ENV/pg/data/postmaster.pid" ] && [ -f "$ENV/env" ]; then
		pg stop >/dev/null 2>&1 || true
	fi
	replica_stop >/dev/null 2>&1 || true
}

# replica_stop: stop the replica if one was made and runs.
replica_stop() {
	local rport
	[ -f "$ENV/replica/data/postmaster.pid" ] && [ -f "$ENV/env" ] || return 0
	rport=$(env_get KASSA_REPLICA_PORT)
	[ -n "$rport" ] || return 0
	bash "$SCRIPTS/pg-cluster.sh" stop "$ENV/replica" "$rport"
}

# The replica: made once, started, and caught up with the primary before this returns.
do_replica_up() {
	local pgport rport lsn timeout caught i
	[ -d "$ENV" ] || die "no environment at $ENV"
	ENV=$(cd "$ENV" && pwd)
	pgport=$(env_get KASSA_PG_PORT)
	rport=$(env_get KASSA_REPLICA_PORT)
	if [ -z "$rport" ] || [ ! -f "$ENV/replica/data/PG_VERSION" ]; then
		rport=$(free_port "$pgport")
		rm -rf "${ENV:?}/replica"
		bash "$SCRIPTS/pg-cluster.sh" replica "$ENV/replica" "$rport" "$pgport" >/dev/null
		grep -v '^KASSA_REPLICA_PORT=\|^KASSA_REPORT_DSN=' "$ENV/env" >"$ENV/env.tmp" || true
		printf "KASSA_REPLICA_PORT='%s'\nKASSA_REPORT_DSN='%s'\n" "$rport" \
			"host=127.0.0.1 port=$rport dbname=kassa user=kassa connect_timeout=10" \
			>>"$ENV/env.tmp"
		mv "$ENV/env.tmp" "$ENV/env"
	fi
	bash "$SCRIPTS/pg-cluster.sh" start "$ENV/replica" "$rport" >/dev/null
	# everything the primary has written by now must be replayed on the replica
	lsn=$(psql -X -At -h 127.0.0.1 -p "$pgport" -U kassa -d kassa -c "SELECT pg_current_wal_lsn()") ||
		die "could not ask the primary (127.0.0.1:$pgport) for its WAL position"
	timeout=${KASSA_TEST_REPLICA_TIMEOUT:-60}
	caught=
	for i in $(seq 1 $((timeout * 10))); do
		caught=$(psql -X -At -h 127.0.0.1 -p "$rport" -U kassa -d kassa -c \
			"SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn" \
			2>/dev/null) || caught=
		[ "$caught" = t ] && break
		[ "$i" -lt $((timeout * 10)) ] && sleep 0.1
	done
	if [ "$caught" != t ]; then
		tail -n 20 "$ENV/replica/log/postgresql.log" >&2 || true
		die "the replica on 127.0.0.1:$rport has not replayed up to $lsn after ${timeout}s"
	fi
	echo "test-env: replica up on 127.0.0.1:$rport (a standby of 127.0.0.1:$pgport, at $lsn)"
}

do_replica_down() {
	[ -d "$ENV" ] || die "no environment at $ENV"
	ENV=$(cd "$ENV" && pwd)
	replica_stop
}

do_up() {
	local kassad pgport port dport mport conninfo started=0
	[ -n "${KASSAD:-}" ] || die "set KASSAD to the kassad binary (build/server/kassad)"
	[ -x "$KASSAD" ] || die "KASSAD is not an executable: $KASSAD"
	kassad=$(cd "$(dirname "$KASSAD")" && pwd)/$(basename "$KASSAD")

	mkdir -p "$ENV"
	ENV=$(cd "$ENV" && pwd)
	# Never wipe a directory that is not an old test environment.
	if [ -n "$(ls -A "$ENV")" ] && [ ! -f "$ENV/.kassa-test-env" ]; then
		die "$ENV is not empty and is not a Kassa test environment: refusing to wipe it"
	fi
	stop_leftovers
	rm -rf "${ENV:?}"/* "$ENV/.kassa-test-env"
	touch "$ENV/.kassa-test-env"
	mkdir -p "$ENV/outbox"

	# On any failure from here on, stop what was started; the logs stay.
	trap 'rc=$?; if [ $rc != 0 ]; then
		echo "test-env: up failed, cleaning up" >&2
		stop_leftovers
	fi' EXIT

	pgport=$(free_port)
	port=$(free_port "$pgport")
	dport=$(free_port "$port")
	while [ "$dport" = "$pgport" ]; do dport=$(free_port "$port"); done
	mport=$(free_port "$dport")
	while [ "$mport" = "$pgport" ] || [ "$mport" = "$port" ]; do mport=$(free_port "$dport"); done
	conninfo="host=127.0.0.1 port=$pgport dbname=kassa user=kassa connect_timeout=10"
	cat >"$ENV/env" <<EOF
KASSA_HOST='127.0.0.1'
KASSA_PORT='$port'
KASSA_DASHBOARD_PORT='$dport'
KASSA_METRICS_PORT='$mport'
KASSA_PG_PORT='$pgport'
KASSA_CERTS='$ENV/certs'
KASSA_CONNINFO='$conninfo'
KASSA_ENV='$ENV'
KASSA_CONFIG='$ENV/kassad.ini'
KASSA_PID_FILE='$ENV/kassad.pid'
KASSA_KASSAD='$kassad'
KASSA_ROOT='$ROOT'
EOF

	# Sized for tests, not for the benchmark.
	KASSA_PG_SHARED_BUFFERS=${KASSA_PG_SHARED_BUFFERS:-128MB} \
		bash "$SCRIPTS/pg-cluster.sh" init "$ENV/pg" "$pgport" >/dev/null
	KASSA_PG_SHARED_BUFFERS=${KASSA_PG_SHARED_BUFFERS:-128MB} \
		bash "$SCRIPTS/pg-cluster.sh" start "$ENV/pg" "$pgport"

	bash "$SCRIPTS/gen-certs.sh" "$ENV/certs" "${TILLS[@]}" >/dev/null
	bash "$SCRIPTS/gen-certs.sh" --revoke "$ENV/certs" S001-REVOKED >/dev/null

	cat >"$ENV/kassad.ini" <<EOF
; Written by scripts/test-env.sh for the integration tests. Only what differs from
; kassad's defaults (README.md, "Configuration").
[server]
listen = 127.0.0.1:$port
frame_timeout = 2

[tls]
cert = $ENV/certs/server.crt
key = $ENV/certs/server.key
ca = $ENV/certs/ca.crt
crl = $ENV/certs/crl.pem

[database]
conninfo = $conninfo
migrations = $ROOT/migrations

[loyalty]
; head office in the seeded stores' zone, as a chain keeps it: kassad's own day (the
; reports' and lists' default ranges, the jobs) is then every seeded store's day at any
; hour of the UTC clock; the tests of stores in other zones set them (integration_store_day)
timezone = Asia/Shanghai

[analytics]
; off: a test runs the job when it means to (AnalyticsRun), so that a timed run
; never replaces what another test wrote into the aggregates or member_stats
interval = 0

[outbox]
; the sender looks every 100 ms and backs off from 200 ms to 2 s, so that the outbox
; tests see retries and dead letters in seconds; file endpoints write under outbox/
interval_ms = 100
backoff_base_ms = 200
backoff_max_ms = 2000
timeout_ms = 2000
file_dir = $ENV/outbox

[crm]
; the follow-up and recommendation jobs only on request (JobRun), like analytics; the
; feed numbers new events every 200 ms
followups_interval = 0
recommendations_interval = 0
feed_interval_ms = 200

[stock]
; sales' stock movements folded into the ledger every 200 ms (default 1000)
fold_interval_ms = 200

[checkout]
; the idempotency retention job every 2 s (default 300), so that integration_audit
; sees a key past the window deleted without waiting minutes
idempotency_purge_interval = 2

; [admin] dashboard_listen = 127.0.0.1:$dport is given to this environment's kassad
; alone (KASSA_ADMIN_DASHBOARD_LISTEN, see _supervise): a second kassad that a test
; starts on this file must not compete for that port. So is [admin] metrics_listen
; (KASSA_ADMIN_METRICS_LISTEN, KASSA_METRICS_PORT).
EOF

	"$kassad" migrate --config "$ENV/kassad.ini" >"$ENV/migrate.log" 2>&1 || {
		cat "$ENV/migrate.log" >&2
		die "kassad migrate failed"
	}
	bash "$SCRIPTS/seed.sh" "$conninfo" "$kassad" --members "${KASSA_TEST_MEMBERS:-300}"
	# the tests' own sessions count days as kassad and the stores do (current_date)
	psql "$conninfo" -Xq -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), 'Asia/Shanghai'); END \$\$" ||
		die "could not set the database's time zone"

	# kassad runs under a small supervisor in its own session, so that it outlives this
	# script, holds none of CTest's pipes, and leaves its exit status in kassad.status.
	setsid bash "$SELF" _supervise "$ENV" </dev/null >/dev/null 2>&1 &
	for _ in $(seq 1 100); do
		[ -s "$ENV/kassad.pid" ] && break
		sleep 0.05
	done
	[ -s "$ENV/kassad.pid" ] || die "kassad did not start"

	local timeout=${KASSA_TEST_START_TIMEOUT:-30}
	for _ in $(seq 1 $((timeout * 10))); do
		if [ -f "$ENV/kassad.status" ]; then
			log_tail
			die "kassad exited with status $(cat "$ENV/kassad.status") while starting"
		fi
		if listening "$port"; then
			started=1
			break
		fi
		sleep 0.1
	done
	if [ "$started" != 1 ]; then
		log_tail
		die "kassad is not listening on 127.0.0.1:$port after ${timeout}s"
	fi
	trap - EXIT
	echo "test-env: up in $ENV (kassad 127.0.0.1:$port pid $(cat "$ENV/kassad.pid")," \
		"PostgreSQL 127.0.0.1:$pgport)"
}

do_down() {
	local rc=0
	[ -d "$ENV" ] || die "no environment at $ENV"
	ENV=$(cd "$ENV" && pwd)
	stop_kassad || rc=1
	replica_stop || rc=1
	if [ -f "$ENV/env" ] && [ -f "$ENV/pg/data/PG_VERSION" ]; then
		pg stop || rc=1
	fi
	[ $rc = 0 ] && echo "test-env: down ($ENV)"
	return $rc
}

# The supervisor: run kassad, record its pid and, when it ends, its exit status.
do_supervise() {
	local pid status
	cd "$ENV"
	KASSA_ADMIN_DASHBOARD_LISTEN="127.0.0.1:$(env_get KASSA_DASHBOARD_PORT)" \
	KASSA_ADMIN_METRICS_LISTEN="127.0.0.1:$(env_get KASSA_METRICS_PORT)" \
		"$(env_get KASSA_KASSAD)" --config "$ENV/kassad.ini" </dev/null >>"$ENV/kassad.log" 2>&1 &
	pid=$!
	echo "$pid" >"$ENV/kassad.pid.tmp"
	mv "$ENV/kassad.pid.tmp" "$ENV/kassad.pid"
	status=0
	wait "$pid" || status=$?
	echo "$status" >"$ENV/kassad.status.tmp"
	mv "$ENV/kassad.status.tmp" "$ENV/kassad.status"
}

case "$cmd" in
up) do_up ;;
down) do_down ;;
pg-stop) pg stop ;;
pg-start) pg start ;;
pg-restart) pg restart ;;
replica-up) do_replica_up ;;
replica-down) do_replica_down ;;
_supervise) do_supervise ;;
*) usage ;;
esac
