#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_man.sh MANDIR: the five man pages are there and render without a single
# warning, by groff (-ww: every warning, -z: no output) and by man --warnings at 80
# columns (what a terminal shows); each has the sections a reader looks for.
set -uo pipefail
dir=${1:?usage: test_man.sh MANDIR}
# shellcheck source=tests/packaging/lib_packaging.sh
. "$(dirname "$0")/lib_packaging.sh"
out=$tmp/out

for page in kassad.8 kassad.conf.5 kassa-till.1 kassa-office.1 kassa-bench.1 kassa-ca.1; do
	f=$dir/$page
	if [ ! -f "$f" ]; then
		check "$page exists" 1
		continue
	fi
	groff -ww -man -Tutf8 -z "$f" >"$out" 2>&1
	rc=$?
	[ -s "$out" ] && sed 's/^/#   /' "$out"
	check "$page: groff -ww renders it without a warning" \
		$([ "$rc" = 0 ] && [ ! -s "$out" ]; echo $?)
	if command -v man >/dev/null; then
		MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$f" 2>"$out" >/dev/null
		rc=$?
		[ -s "$out" ] && sed 's/^/#   /' "$out"
		check "$page: man --warnings at 80 columns says nothing" \
			$([ "$rc" = 0 ] && [ ! -s "$out" ]; echo $?)
	fi
	sect=${page##*.}
	name=${page%.*}
	th=$(grep -m1 '^\.TH ' "$f" | awk '{print $2, $3}' | sed 's/\\-/-/g')
	check "$page: .TH names it $name($sect)" \
		$([ "$th" = "$(echo "$name" | tr '[:lower:]' '[:upper:]') $sect" ]; echo $?)
	want="NAME SYNOPSIS DESCRIPTION SEE_ALSO"
	[ "$sect" = 5 ] || want="$want OPTIONS EXIT_STATUS"
	missing=
	for s in $want; do
		grep -Eq "^\.SH \"?${s//_/ }\"?\$" "$f" || missing="$missing ${s//_/ }"
	done
	[ -z "$missing" ] || echo "#   missing sections:$missing"
	check "$page: has the sections$( [ "$sect" = 5 ] && echo '' || echo ' (options, exit status)')" \
		$([ -z "$missing" ]; echo $?)
done
summary
