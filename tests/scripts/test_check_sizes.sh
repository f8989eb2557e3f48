#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_check_sizes: scripts/check-sizes.sh fails on a tree with a 101-line function and a
# 1,501-line file, naming both (and nothing else), and passes on a tree where both are
# exactly at the limits. The trees hold what could fool a reader of C line by line: static
# functions with attributes and signatures over several lines, braces in strings, comments
# and macros, a "}" at column 0 inside a comment, prototypes and top-level initialisers.
#
#   tests/scripts/test_check_sizes.sh [CHECK_SIZES]   (default: scripts/check-sizes.sh)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECK=${1:-$HERE/../../scripts/check-sizes.sh}
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
		echo "[   OK ] $1"
	else
		fail=$((fail + 1))
		echo "[ FAIL ] $1"
	fi
}

# show TEXT: TEXT as comment lines of the test's output.
show() {
	# shellcheck disable=SC2001
	sed 's/^/# /' <<<"$1"
}

# func NAME TOTAL: a static function of TOTAL lines, counted from the line with its name
# to its closing brace; the name is on the second line of a three-line signature.
func() {
	local name=$1 total=$2 i
	cat <<C
/* $name: $total lines { this brace is in a comment } */
static int __attribute__((unused))
$name(int a,
      int b)
{
	const char *s = "} not the end {";
	int x = a + b + (int)s[0]; /* { */
/*
} a closing brace at column 0, inside a comment
*/
C
	for ((i = 0; i < total - 10; i++)); do
		printf '\tx += %d; // }\n' "$i"
	done
	cat <<'C'
	return x;
}

C
}

# filler FILE LINES: pad FILE with comment lines until it has LINES lines.
filler() {
	local have
	have=$(wc -l <"$1")
	for ((i = have; i < $2; i++)); do
		echo "/* filler */"
	done >>"$1"
}

# tree DIR FUNC_LINES FILE_LINES: a project with one long function and one long file.
tree() {
	mkdir -p "$1/server" "$1/common" "$1/client/lib" "$1/tests/unit"
	{
		echo '#include <stdio.h>'
		printf '%s\\\n' '#define BLOCK(x) { (x); '
		echo '	}'
		echo 'static int first(int a, int b);'
		echo 'static const int table[] ='
		echo '{'
		echo '	1, 2, 3,'
		echo '};'
		echo 'struct pair {'
		echo '	int a, b;'
		echo '};'
		echo
		func first 20
		func long_one "$2"
		echo 'int main(void) { return first(1, 2); }'
		echo
		func after_main 30
	} >"$1/server/big.c"
	{
		echo '#include <stdio.h>'
		echo
		func small 10
	} >"$1/common/long.c"
	filler "$1/common/long.c" "$3"
	printf 'int lib(void);\n' >"$1/client/lib/lib.h"
	printf 'int t(void)\n{\n\treturn 0;\n}\n' >"$1/tests/unit/t.c"
	printf 'int ignored(void)\n{\n' >"$1/server/README"	# not a .c or .h file
}

# where NAME FILE: the line of FILE holding NAME( at its start.
where() {
	grep -n "^$1(" "$2" | cut -d: -f1
}

# ---- over the limits: fails, naming both ----
tree "$tmp/bad" 101 1501
out=$(bash "$CHECK" "$tmp/bad" 2>&1)
rc=$?
show "$out"
check "fails (exit 1) on a 101-line function and a 1,501-line file" "$([ $rc = 1 ]; echo $?)"
line=$(where long_one "$tmp/bad/server/big.c")
check "names the function, where it starts and its length" \
	"$(grep -qx "server/big.c:$line: function long_one is 101 lines (max 100)" <<<"$out"; echo $?)"
check "names the file and its length" \
	"$(grep -qx "common/long.c: 1501 lines (max 1500)" <<<"$out"; echo $?)"
check "and nothing else" \
	"$([ "$(grep -c ' lines (max ' <<<"$out")" = 2 ]; echo $?)"

# ---- at the limits: passes, with a summary ----
tree "$tmp/good" 100 1500
out=$(bash "$CHECK" "$tmp/good" 2>&1)
rc=$?
show "$out"
check "passes (exit 0) on a 100-line function and a 1,500-line file" "$([ $rc = 0 ]; echo $?)"
check "counts every file and function" \
	"$(grep -q "ok: 4 files, 6 functions" <<<"$out"; echo $?)"
line=$(where long_one "$tmp/good/server/big.c")
check "reports the longest function" \
	"$(grep -q "longest function: long_one (server/big.c:$line), 100 lines" <<<"$out"; echo $?)"
check "reports the longest file" \
	"$(grep -q "longest file: *common/long.c, 1500 lines" <<<"$out"; echo $?)"

# ---- the limits can be set ----
out=$(KASSA_MAX_FUNCTION_LINES=30 bash "$CHECK" "$tmp/good" 2>&1)
rc=$?
check "a lower function limit finds the 100-line function, main's one-liner is not" \
	"$([ $rc = 1 ] && grep -q "function long_one is 100 lines (max 30)" <<<"$out" &&
		! grep -q "function main\|function after_main" <<<"$out"; echo $?)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
