#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# pg-cluster.sh: a project-local PostgreSQL 15 cluster for development, tests and benchmarks.
#
#   scripts/pg-cluster.sh {init|start|stop|status|restart} DIR PORT
#   scripts/pg-cluster.sh replica DIR PORT PRIMARY_PORT
#
#   init     initdb into DIR/data (once; settings are rewritten every time)
#   replica  instead of init: DIR/data becomes a streaming replica of the cluster on
#            127.0.0.1:PRIMARY_PORT (pg_basebackup -R: standby.signal and primary_conninfo);
#            `start DIR PORT` then runs it as a hot standby
#   start    start on 127.0.0.1:PORT, wait until it accepts connections, then make sure the
#            role `kassa` (superuser, trust) and the database `kassa` (UTF8, LC_COLLATE C) exist
#   stop     fast shutdown (waits)
#   status   exit 0 when running, 3 when not
#   restart  stop + start
#
# Layout: DIR/data (PGDATA), DIR/sock (unix socket), DIR/log/postgresql.log.
# The server listens on 127.0.0.1 only and trusts every local and loopback connection: this
# is a development cluster, never a production one.
#
# initdb and postgres refuse to run as root. Run as root (as CI does), DIR belongs to the
# `postgres` system user (created if missing) and every server command runs through
# `runuser -u postgres --`; the directories above DIR are made traversable for it.
#
# Environment: PG_BINDIR (default: /usr/lib/postgresql/15/bin, else pg_config --bindir),
#   KASSA_PG_SHARED_BUFFERS (default 512MB), KASSA_PG_MAX_CONNECTIONS (default 300),
#   KASSA_PG_START_TIMEOUT seconds (default 60).
set -euo pipefail

die() {
	echo "pg-cluster: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 {init|start|stop|status|restart} DIR PORT" >&2
	echo "       $0 replica DIR PORT PRIMARY_PORT" >&2
	exit 2
}

[ $# -eq 3 ] || { [ $# -eq 4 ] && [ "$1" = replica ]; } || usage
cmd=$1
DIR=$2
PORT=$3
PRIMARY_PORT=${4:-}
case "$PORT" in
'' | *[!0-9]*) die "PORT must be a number: '$PORT'" ;;
esac
if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
	die "PORT out of range: $PORT"
fi

if [ -z "${PG_BINDIR:-}" ]; then
	if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
		PG_BINDIR=/usr/lib/postgresql/15/bin
	elif command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/postgres" ]; then
		PG_BINDIR=$(pg_config --bindir)
	else
		die "PostgreSQL server binaries not found (apt-get install postgresql-15, or set PG_BINDIR)"
	fi
fi
START_TIMEOUT=${KASSA_PG_START_TIMEOUT:-60}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PGDATA=$DIR/data
SOCK=$DIR/sock
LOGDIR=$DIR/log
LOG=$LOGDIR/postgresql.log

# Who runs the server: ourselves, or `postgres` when we are root.
if [ "$(id -u)" = 0 ]; then
	RUNAS=postgres
	if ! id -u "$RUNAS" >/dev/null 2>&1; then
		useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
			--shell /bin/bash "$RUNAS" || die "could not create the postgres user"
	fi
	as_pg() { (cd / && runuser -u "$RUNAS" -- "$@"); }
else
	RUNAS=$(id -un)
	as_pg() { (cd / && "$@"); }
fi

# Make DIR and its parents reachable by the server's user.
prepare_dirs() {
	mkdir -p "$PGDATA" "$SOCK" "$LOGDIR"
	if [ "$RUNAS" != "$(id -un)" ]; then
		chown "$RUNAS:" "$DIR" "$SOCK" "$LOGDIR" "$PGDATA"
		initialised || chown -R "$RUNAS:" "$PGDATA"
		local d=$DIR
		while [ "$d" != / ]; do
			d=$(dirname "$d")
			if ! runuser -u "$RUNAS" -- test -x "$d"; then
				echo "pg-cluster: chmod o+x $d (so $RUNAS can reach $DIR)" >&2
				chmod o+x "$d"
			fi
		done
		runuser -u "$RUNAS" -- test -w "$DIR" || die "$RUNAS cannot write to $DIR"
	fi
	chmod 700 "$PGDATA"
	chmod 755 "$DIR" "$SOCK" "$LOGDIR"
}

write_config() {
	local conf=$PGDATA/kassa.conf tmp
	tmp=$(mktemp)
	cat >"$tmp" <<EOF
# Written by scripts/pg-cluster.sh on every init/start; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
unix_socket_permissions = 0777
max_connections = ${KASSA_PG_MAX_CONNECTIONS:-300}
shared_buffers = ${KASSA_PG_SHARED_BUFFERS:-512MB}
wal_buffers = 16MB
work_mem = 8MB
maintenance_work_mem = 256MB
effective_cache_size = 2GB
# Durability is never traded for speed: every commit reaches the disk.
fsync = on
synchronous_commit = on
full_page_writes = on
wal_level = replica
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
max_wal_size = 4GB
min_wal_size = 512MB
random_page_cost = 1.1
# The log holds no customer data: statements slower than a second are logged by their text
# (kassad's carry \$n placeholders, never values), but no bind parameters, neither for slow
# statements nor for failed ones, and no DETAIL lines (a unique violation's DETAIL echoes
# the key: a phone number, a card number). tests/integration/server/core/test_pg_logging.sh checks it.
log_min_duration_statement = 1000
log_parameter_max_length = 0
log_parameter_max_length_on_error = 0
log_error_verbosity = terse
log_line_prefix = '%m [%p] %q%u@%d '
log_timezone = 'UTC'
timezone = 'UTC'
datestyle = 'iso, ymd'
lc_messages = 'C'
# Per-statement counts (tests/integration/server/core/test_report_replica.sh and
# scripts/bench-replica.sh read them on the primary and on its replica).
shared_preload_libraries = 'pg_stat_statements'
EOF
	cat "$tmp" >"$conf"
	rm -f "$tmp"
	grep -q "^include_if_exists = 'kassa.conf'" "$PGDATA/postgresql.conf" ||
		echo "include_if_exists = 'kassa.conf'" >>"$PGDATA/postgresql.conf"
	cat >"$PGDATA/pg_hba.conf" <<EOF
# Written by scripts/pg-cluster.sh: a development cluster on loopback only, trust for all.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
host    all       all   ::1/128        trust
# streaming replicas on loopback (pg-cluster.sh replica)
host    replication all 127.0.0.1/32   trust
EOF
	if [ "$RUNAS" != "$(id -un)" ]; then
		chown "$RUNAS:" "$conf" "$PGDATA/pg_hba.conf"
	fi
}

initialised() {
	[ -f "$PGDATA/PG_VERSION" ]
}

do_init() {
	prepare_dirs
	if initialised; then
		echo "pg-cluster: $PGDATA already initialised"
	else
		as_pg "$PG_BINDIR/initdb" -D "$PGDATA" --username=postgres --auth=trust \
			--encoding=UTF8 --locale=C.UTF-8 --lc-collate=C >"$LOGDIR/initdb.log" 2>&1 || {
			cat "$LOGDIR/initdb.log" >&2
			die "initdb failed"
		}
		echo "pg-cluster: initialised $PGDATA"
	fi
	write_config
}

# A hot standby of 127.0.0.1:PRIMARY_PORT in DIR/data, made once.
do_replica() {
	case "$PRIMARY_PORT" in
	'' | *[!0-9]*) die "PRIMARY_PORT must be a number: '$PRIMARY_PORT'" ;;
	esac
	initialised && die "$PGDATA already holds a cluster; remove DIR for a new replica"
	prepare_dirs
	as_pg "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
		-D "$PGDATA" -R -X stream --checkpoint=fast >"$LOGDIR/basebackup.log" 2>&1 || {
		cat "$LOGDIR/basebackup.log" >&2
		die "pg_basebackup from 127.0.0.1:$PRIMARY_PORT failed"
	}
	# the copy's kassa.conf names the primary's port and socket: write this one's
	write_config
	echo "pg-cluster: $PGDATA is a replica of 127.0.0.1:$PRIMARY_PORT"
}

running() {
	initialised && as_pg "$PG_BINDIR/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

psql_admin() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres "$@"
}

ensure_db() {
	psql_admin -d postgres <<'EOF'
SELECT 'CREATE ROLE kassa LOGIN SUPERUSER'
	WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kassa') \gexec
SELECT 'CREATE DATABASE kassa OWNER kassa TEMPLATE template0 ENCODING ''UTF8'''
	' LC_COLLATE ''C'' LC_CTYPE ''C.UTF-8'''
	WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'kassa') \gexec
EOF
}

do_start() {
	initialised || die "$PGDATA is not initialised (run: $0 init $DIR $PORT)"
	prepare_dirs
	write_config
	if running; then
		# the settings just written take effect without a restart (all are reloadable)
		as_pg "$PG_BINDIR/pg_ctl" -D "$PGDATA" reload >/dev/null ||
			echo "pg-cluster: warning: could not reload the settings" >&2
		echo "pg-cluster: already running ($PGDATA)"
	else
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			die "port $PORT is already in use on 127.0.0.1"
		fi
		if ! as_pg "$PG_BINDIR/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t "$START_TIMEOUT" \
			start >/dev/null; then
			tail -n 30 "$LOG" >&2 || true
			die "the server did not start (log: $LOG)"
		fi
	fi
	local i
	for i in $(seq 1 $((START_TIMEOUT * 10))); do
		if "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
			break
		fi
		[ "$i" -lt $((START_TIMEOUT * 10)) ] || {
			tail -n 30 "$LOG" >&2 || true
			die "not ready on 127.0.0.1:$PORT after ${START_TIMEOUT}s"
		}
		sleep 0.1
	done
	ensure_db || die "could not create the kassa role and database"
	echo "pg-cluster: running on 127.0.0.1:$PORT (data $PGDATA, log $LOG)"
}

do_stop() {
	if running; then
		as_pg "$PG_BINDIR/pg_ctl" -D "$PGDATA" -m fast -w -t "$START_TIMEOUT" stop >/dev/null ||
			die "the server did not stop (log: $LOG)"
		echo "pg-cluster: stopped ($PGDATA)"
	else
		echo "pg-cluster: not running ($PGDATA)"
	fi
}

case "$cmd" in
init) do_init ;;
replica) do_replica ;;
start) do_start ;;
stop) do_stop ;;
restart)
	do_stop
	do_start
	;;
status)
	if running; then
		echo "pg-cluster: running on port $PORT ($PGDATA)"
		exit 0
	fi
	echo "pg-cluster: not running ($PGDATA)"
	exit 3
	;;
*) usage ;;
esac
