#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# dev-down.sh: stop what scripts/dev-up.sh started: kassad (SIGTERM: it finishes in-flight
# requests and exits) and the project-local PostgreSQL in var/pg. Data, certificates and
# logs stay in var/; `rm -rf var` after this starts over from nothing.
#
#   scripts/dev-down.sh [--kassad-only]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=$ROOT/var
PGPORT=${KASSA_DEV_PG_PORT:-55432}
rc=0

if [ -f "$VAR/kassad.pid" ]; then
	pid=$(cat "$VAR/kassad.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 200); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "dev-down: kassad (pid $pid) still running after 20 s: SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			rc=1
		else
			echo "dev-down: kassad stopped (pid $pid)"
		fi
	else
		echo "dev-down: kassad is not running"
	fi
	rm -f "$VAR/kassad.pid"
else
	echo "dev-down: kassad is not running"
fi

if [ "${1:-}" != --kassad-only ] && [ -f "$VAR/pg/data/PG_VERSION" ]; then
	bash "$ROOT/scripts/pg-cluster.sh" stop "$VAR/pg" "$PGPORT" || rc=1
fi
exit $rc
