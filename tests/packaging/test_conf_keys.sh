#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_conf_keys.sh SOURCE: every key of server/core/cfg.c's table is in kassad.conf(5)
# under its section, with its default and range (check_conf_keys.py), and in
# docker/kassad.ini.example (installed as etc/kassa/kassad.ini.example). And the check
# refuses a table that the page no longer matches: a key added, a default or a range
# changed, a key removed, a key a reload no longer applies; so a new key without
# documentation fails this test.
set -uo pipefail
src=${1:?usage: test_conf_keys.sh SOURCE}
here=$(cd "$(dirname "$0")" && pwd)
cfg=$src/server/core/cfg.c
page=$src/docs/man/kassad.conf.5
# shellcheck source=tests/packaging/lib_packaging.sh
. "$(dirname "$0")/lib_packaging.sh"

python3 "$here/check_conf_keys.py" "$cfg" "$page"
check "kassad.conf(5) documents every key of cfg.c with its default and range" $?

# docker/kassad.ini.example says it has every key: each is there, set or commented out,
# under its section
python3 - "$cfg" "$src/docker/kassad.ini.example" "$here" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[3])
import check_conf_keys
keys, _ = check_conf_keys.table(sys.argv[1])
have, sec = set(), None
for ln in open(sys.argv[2], encoding="utf-8"):
    m = re.match(r"\[(\w+)\]", ln)
    if m:
        sec = m.group(1).lower()
        continue
    m = re.match(r";?\s*(\w+)\s*=", ln)
    if m and sec:
        have.add((sec, m.group(1).lower()))
missing = sorted(set(keys) - have)
for sec, name in missing:
    print("kassad.ini.example: [%s] %s is missing" % (sec, name))
sys.exit(1 if missing else 0)
PY
check "docker/kassad.ini.example has every key of cfg.c (set or commented out)" $?

refused() {	# refused WHAT SED-SCRIPT
	sed "$2" "$cfg" >"$tmp/cfg.c"
	if cmp -s "$cfg" "$tmp/cfg.c"; then
		check "$1 (the change \"$2\" matched nothing)" 1
		return
	fi
	python3 "$here/check_conf_keys.py" "$tmp/cfg.c" "$page" >"$tmp/out" 2>&1
	check "$1" $([ $? != 0 ] && grep -q "$3" "$tmp/out"; echo $?)
}
refused "a key added to the table but not to the page fails" \
	's/^static const CfKey keys\[\] = {$/&\n\t{ "server", "new_key", CF_INT, \&cf_new, "1", 0, 9 },/' \
	'\[server\] new_key: not documented'
refused "a changed default fails" \
	's/\("pool_size", CF_INT, &cf_db_pool_size, \)"16"/\1"17"/' 'Default: 17'
refused "a changed range fails" \
	's/\("pool_size", CF_INT, &cf_db_pool_size, "16", 1, \)512/\11024/' 'Range: 1 to 1024'
refused "a key removed from the table but still on the page fails" \
	'/"server", "max_in_flight"/d' '\[server\] max_in_flight: documented, but not a key'
refused "a key that a reload no longer applies, the page not saying so, fails" \
	's/^static const char \*const restart_only\[\] = {$/&\n\t"staff.lockout_seconds",/' \
	'\[staff\] lockout_seconds: a reload keeps it'
summary
