#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_install.sh BUILD VERSION SOURCE: `cmake --install BUILD --prefix ROOT` into a
# temporary ROOT lays out what an operator or a package needs (cmake/KassaInstall.cmake):
# sbin/kassad, bin/kassa-till|office|bench, share/kassa/migrations with functions/,
# etc/kassa/kassad.ini.example, share/man/man1,5,8, the zh_CN catalogue, the docs, and
# the systemd unit when the build configured one. The installed programs run
# (--version), and the installed kassad's default migrations folder is the installed
# one (check-config's effective settings), while the build tree's kassad still reads
# the source tree's migrations/.
set -uo pipefail
build=${1:?usage: test_install.sh BUILD VERSION SOURCE}
version=${2:?}
src=${3:?}
# shellcheck source=tests/packaging/lib_packaging.sh
. "$(dirname "$0")/lib_packaging.sh"
for v in $(env | sed -n 's/^\(KASSA_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
root=$tmp/root

cmake --install "$build" --prefix "$root" >"$tmp/install.log" 2>&1
rc=$?
[ "$rc" = 0 ] || tail -n 20 "$tmp/install.log" | sed 's/^/#   /'
check "cmake --install --prefix succeeds" "$rc"

for f in sbin/kassad bin/kassa-till bin/kassa-office bin/kassa-bench bin/kassa-ca; do
	check "$f is installed and executable" $([ -x "$root/$f" ] && [ -f "$root/$f" ]; echo $?)
done
check "no client program in sbin, no kassad in bin" \
	$([ ! -e "$root/bin/kassad" ] && [ ! -e "$root/sbin/kassa-till" ]; echo $?)

n_src=$(find "$src/migrations" -name '*.sql' | wc -l)
n_inst=$(find "$root/share/kassa/migrations" -name '*.sql' 2>/dev/null | wc -l)
check "share/kassa/migrations holds every SQL file of migrations/ ($n_inst of $n_src)" \
	$([ "$n_src" -gt 0 ] && [ "$n_inst" = "$n_src" ]; echo $?)
check "... with functions/ and superseded.txt, the same bytes" \
	$(diff -r -x '*~' "$src/migrations" "$root/share/kassa/migrations" >/dev/null; echo $?)
check "etc/kassa/kassad.ini.example is the configuration example" \
	$(cmp -s "$src/docker/kassad.ini.example" "$root/etc/kassa/kassad.ini.example"; echo $?)
for p in man1/kassa-till.1 man1/kassa-office.1 man1/kassa-bench.1 man1/kassa-ca.1 man5/kassad.conf.5 \
	man8/kassad.8; do
	check "share/man/$p" $([ -s "$root/share/man/$p" ]; echo $?)
done
msgunfmt "$root/share/locale/zh_CN/LC_MESSAGES/kassa.mo" >"$tmp/mo.po" 2>&1
check "share/locale/zh_CN/LC_MESSAGES/kassa.mo is the zh_CN catalogue" \
	$(grep -q '^msgstr "[^"]' "$tmp/mo.po" && grep -q 'Language: zh_CN' "$tmp/mo.po"; echo $?)
for d in README.md LICENSE operations.md; do
	check "share/doc/kassa/$d" $([ -s "$root/share/doc/kassa/$d" ]; echo $?)
done
if [ -f "$build/server/systemd/kassad.service" ]; then
	check "lib/systemd/system/kassad.service (configured by the build)" \
		$(cmp -s "$build/server/systemd/kassad.service" "$root/lib/systemd/system/kassad.service"; echo $?)
else
	echo "# the build configures no systemd unit: none installed"
	check "no unit installed when the build has none" \
		$([ ! -e "$root/lib/systemd/system/kassad.service" ]; echo $?)
fi

for f in sbin/kassad bin/kassa-till bin/kassa-office bin/kassa-bench bin/kassa-ca; do
	out=$(cd "$tmp" && "$root/$f" --version 2>&1 </dev/null)
	rc=$?
	check "installed $f --version runs: \"$out\"" \
		$([ "$rc" = 0 ] && echo "$out" | grep -Eq "[ /]$version\$"; echo $?)
done

# The default of [database] migrations: check-config prints "database.migrations = DIR  # default"
# (it then fails for want of [tls] files; only the printed settings matter here).
migrations_of() {
	(cd "$tmp" && "$1" check-config 2>/dev/null </dev/null) |
		sed -n 's/^database\.migrations = \(.*\)  # default$/\1/p'
}
got=$(migrations_of "$root/sbin/kassad")
check "the installed kassad's default migrations folder is the installed one (\"$got\")" \
	$([ "$got" = "$(cd "$root/share/kassa/migrations" && pwd -P)" ]; echo $?)
cp -a "$root" "$tmp/moved"
got=$(migrations_of "$tmp/moved/sbin/kassad")
check "... wherever the tree is moved (\"$got\")" \
	$([ "$got" = "$(cd "$tmp/moved/share/kassa/migrations" && pwd -P)" ]; echo $?)
got=$(migrations_of "$build/server/kassad")
check "the build tree's kassad still reads the source tree's (\"$got\")" \
	$([ "$got" = "$src/migrations" ]; echo $?)

# the example is a configuration kassad reads: every key known, every value in range; only
# its TLS files (/etc/kassa/tls/...) are missing here
(cd "$tmp" && "$root/sbin/kassad" check-config --config "$root/etc/kassa/kassad.ini.example") \
	>"$tmp/example.out" 2>"$tmp/example.err" </dev/null
bad=$(grep -v "could not set up TLS" "$tmp/example.err" | grep -c "ERROR")
[ "$bad" = 0 ] || grep "ERROR" "$tmp/example.err" | sed 's/^/#   /'
check "the installed kassad reads the installed example: no error but the missing TLS files" \
	$([ "$bad" = 0 ] && grep -q '^server.listen = 0.0.0.0:7443  # .*kassad.ini.example:[0-9]' "$tmp/example.out"; echo $?)

summary
