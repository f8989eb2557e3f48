#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_migrate: `kassad migrate` is idempotent, and refuses a migration that
# was edited after it was applied (schema history is append-only). Needs
# KASSA_TEST_ENV (scripts/test-env.sh).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
count() { psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM schema_migrations"; }
before=$(count)
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" >"$tmp/log" 2>&1
check "migrating again succeeds" $?
check "and applies nothing" $([ "$(count)" = "$before" ]; echo $?)
check "checksums recorded" $([ "$(psql "$KASSA_CONNINFO" -Atc \
	"SELECT count(*) FROM schema_migrations WHERE length(checksum) = 64")" = "$before" ]; echo $?)

cp -r "$KASSA_ROOT/migrations" "$tmp/m"
echo "-- edited after it was applied" >>"$tmp/m/0001_schema.sql"
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" --migrations "$tmp/m" >"$tmp/log2" 2>&1
rc=$?
check "an edited migration is refused" $([ $rc != 0 ]; echo $?)
check "with a reason" $(grep -q "was changed after it was applied" "$tmp/log2"; echo $?)

cp -r "$KASSA_ROOT/migrations" "$tmp/n"
printf 'CREATE TABLE broken (;\n' >"$tmp/n/9999_broken.sql"
"$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" --migrations "$tmp/n" >"$tmp/log3" 2>&1
check "a failing migration fails the command" $([ $? != 0 ]; echo $?)
check "and is not recorded" $([ "$(count)" = "$before" ]; echo $?)

summary
