#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_help_version.sh VERSION MANDIR PROGRAM...: every program answers --help (exit 0,
# a usage text on stdout, nothing on stderr) and --version (exit 0, one line
# "NAME VERSION" or "NAME/VERSION"), with no server, certificate or configuration;
# and every long option its --help names is documented in its man page (MANDIR/NAME.N).
set -uo pipefail
version=${1:?usage: test_help_version.sh VERSION MANDIR PROGRAM...}
mandir=${2:?}
shift 2
# shellcheck source=tests/packaging/lib_packaging.sh
. "$(dirname "$0")/lib_packaging.sh"
# no KASSA_* from the caller: --help must not need any
for v in $(env | sed -n 's/^\(KASSA_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export LC_ALL=C.UTF-8 LANG=C.UTF-8

for prog in "$@"; do
	name=$(basename "$prog")
	(cd "$tmp" && "$prog" --help) >"$tmp/help" 2>"$tmp/err" </dev/null
	rc=$?
	check "$name --help exits 0 (was $rc)" $([ "$rc" = 0 ]; echo $?)
	check "$name --help prints a usage naming $name on stdout" \
		$(grep -qi "usage" "$tmp/help" && grep -q "$name" "$tmp/help"; echo $?)
	check "$name --help writes nothing on stderr" $([ ! -s "$tmp/err" ]; echo $?)
	(cd "$tmp" && "$prog" --version) >"$tmp/ver" 2>"$tmp/err" </dev/null
	rc=$?
	check "$name --version exits 0 (was $rc)" $([ "$rc" = 0 ]; echo $?)
	check "$name --version prints \"$name $version\" (was \"$(head -c 80 "$tmp/ver")\")" \
		$([ "$(wc -l <"$tmp/ver")" = 1 ] && grep -Eqx "${name}[ /]$version" "$tmp/ver"; echo $?)
	page=$(ls "$mandir/$name".[158] 2>/dev/null | head -n 1)
	if [ -z "$page" ]; then
		check "$name has a man page in $mandir" 1
		continue
	fi
	undocumented=
	for opt in $(grep -Eo -- '--[a-z][a-z-]*' "$tmp/help" | sort -u); do
		grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$page" || undocumented="$undocumented $opt"
	done
	[ -z "$undocumented" ] || echo "#   not in $(basename "$page"):$undocumented"
	check "every option of $name --help is in $(basename "$page")" $([ -z "$undocumented" ]; echo $?)
	# a wrong option is a usage error, not a success
	"$prog" --no-such-option >/dev/null 2>&1 </dev/null
	rc=$?
	check "$name --no-such-option is refused (exit $rc)" $([ "$rc" != 0 ]; echo $?)
done
summary
