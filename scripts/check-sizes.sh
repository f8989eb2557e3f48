#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# check-sizes.sh: size discipline (docs/STYLE: functions at most 100 lines, source files at
# most 1,500). Fails when any C function under server/ client/ common/ tests/ is longer than
# the function limit or any .c/.h file there is longer than the file limit.
#
#   scripts/check-sizes.sh [ROOT]      ROOT: the project folder (default: this script's parent)
#
# Prints each offender, then exits 1:
#   server/x.c:120: function checkout_price is 131 lines (max 100)
#   client/y.c: 1612 lines (max 1500)
# otherwise a short summary (files and functions checked, the longest of each) and exits 0.
#
# A function is what the code style makes it: a signature (return type, name and parameters,
# on one line or several) followed by its opening `{` alone at column 0 (or at the end of
# the signature's last line), up to its closing `}` at column 0. Its length counts from the
# line holding its name to that closing brace, both included. Comments, string and character
# literals and preprocessor lines are ignored when reading signatures and braces, so
# `static`, attributes, multi-line signatures and braces inside strings are all handled;
# top-level initialisers and type definitions (`= {`, `struct x {`) are not functions.
#
# Environment: KASSA_MAX_FUNCTION_LINES (default 100), KASSA_MAX_FILE_LINES (default 1500),
#   AWK (default awk; POSIX awk, mawk or gawk).
set -euo pipefail

ROOT=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MAX_FUNC=${KASSA_MAX_FUNCTION_LINES:-100}
MAX_FILE=${KASSA_MAX_FILE_LINES:-1500}
AWK=${AWK:-awk}
DIRS=(server client common tests)

[ $# -le 1 ] || { echo "usage: $0 [ROOT]" >&2; exit 2; }
[ -d "$ROOT" ] || { echo "check-sizes: no such folder: $ROOT" >&2; exit 2; }
[[ $MAX_FUNC =~ ^[1-9][0-9]*$ && $MAX_FILE =~ ^[1-9][0-9]*$ ]] ||
	{ echo "check-sizes: the limits must be positive numbers" >&2; exit 2; }
cd "$ROOT"

roots=()
for d in "${DIRS[@]}"; do
	[ -d "$d" ] && roots+=("$d")
done
files=()
if [ ${#roots[@]} -gt 0 ]; then
	mapfile -d '' files < <(find "${roots[@]}" -type f \( -name '*.c' -o -name '*.h' \) \
		-print0 | LC_ALL=C sort -z)
fi
if [ ${#files[@]} -eq 0 ]; then
	echo "check-sizes: no .c or .h files under ${DIRS[*]} in $ROOT" >&2
	exit 2
fi

# shellcheck disable=SC2016 # the awk program is meant to be single-quoted
"$AWK" -v max_func="$MAX_FUNC" -v max_file="$MAX_FILE" '
# strip(s): s without comments, with string and character literals emptied. Keeps
# in_comment (a block comment still open at the end of the line) across lines.
function strip(s,   out, i, n, c, q) {
	if (!in_comment && s !~ /[\/"\047]/)
		return s
	out = ""
	n = length(s)
	i = 1
	while (i <= n) {
		c = substr(s, i, 1)
		if (in_comment) {
			if (c == "*" && substr(s, i + 1, 1) == "/") {
				in_comment = 0
				out = out " "
				i += 2
			} else
				i++
			continue
		}
		if (c == "/" && substr(s, i + 1, 1) == "*") {
			in_comment = 1
			i += 2
			continue
		}
		if (c == "/" && substr(s, i + 1, 1) == "/")
			break
		if (c == "\"" || c == "\047") {
			q = c
			for (i++; i <= n; i++) {
				c = substr(s, i, 1)
				if (c == "\\")
					i++
				else if (c == q)
					break
			}
			out = out q q
			i++
			continue
		}
		out = out c
		i++
	}
	return out
}

# func_name(sig): the name of the function this signature declares, or "" when it is not
# a function signature (no parameter list, an initialiser, a type definition).
function func_name(sig,   s, name, pre) {
	s = sig
	gsub(/__attribute__[ \t]*\(\(([^()]|\([^()]*\))*\)\)/, " ", s)
	sub(/[ \t]+$/, "", s)
	if (s !~ /\)$/ || s ~ /=/ || s !~ /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)
		return ""
	# the first identifier whose "(" opens a parameter list, not "(*" of a declarator
	while (match(s, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
		name = substr(s, RSTART, RLENGTH)
		pre = substr(s, RSTART + RLENGTH)
		s = pre
		if (pre ~ /^[ \t]*\*/)
			continue
		sub(/[ \t]*\($/, "", name)
		if (name ~ /^(if|for|while|switch|return|sizeof|_Alignof|typeof|__typeof__)$/)
			return ""
		return name
	}
	return ""
}

function count(s, ch,   n, t) {
	t = s
	n = gsub(ch, "", t)
	return n
}

function end_file() {
	if (file == "")
		return
	nfiles++
	if (lines > max_file) {
		printf "%s: %d lines (max %d)\n", file, lines, max_file
		bad_files++
	}
	if (lines > long_file_n) {
		long_file_n = lines
		long_file = file
	}
	if (in_func)
		printf "check-sizes: %s:%d: function %s has no closing brace at column 0\n",
			file, fstart, fname > "/dev/stderr"
}

function end_func(line,   n) {
	n = line - fstart + 1
	nfuncs++
	if (n > max_func) {
		printf "%s:%d: function %s is %d lines (max %d)\n", file, fstart, fname, n, max_func
		bad_funcs++
	}
	if (n > long_func_n) {
		long_func_n = n
		long_func = fname " (" file ":" fstart ")"
	}
	in_func = 0
}

# reset_sig(): no declaration gathered yet
function reset_sig() {
	sig = ""
	sig_n = 0
}

# add_sig(text): one more line of the declaration being gathered
function add_sig(text) {
	sig = sig " " text
	sig_text[++sig_n] = text
	sig_nr[sig_n] = FNR
}

# start_func(name): a function body opens; it starts on the line holding "name("
function start_func(name,   i) {
	fname = name
	fstart = sig_nr[1]
	for (i = 1; i <= sig_n; i++)
		if (sig_text[i] ~ ("(^|[^A-Za-z0-9_])" name "[ \t]*[(]")) {
			fstart = sig_nr[i]
			break
		}
	in_func = 1
	reset_sig()
}

FNR == 1 {
	end_file()
	file = FILENAME
	in_comment = 0; cont = 0; in_func = 0; depth = 0
	reset_sig()
}
{
	lines = FNR
	raw = $0
	sub(/\r$/, "", raw)
	# preprocessor lines and their continuations: no braces, no signatures
	if (cont) {
		cont = raw ~ /\\$/
		strip(raw)	# only for a comment that opens here
		next
	}
	if (!in_comment && raw ~ /^[ \t]*#/) {
		cont = raw ~ /\\$/
		strip(raw)
		if (!in_func && depth == 0)
			reset_sig()
		next
	}
	was_in_comment = in_comment
	code = strip(raw)

	if (in_func) {
		# a function ends at the first "}" at column 0 (the code style); braces inside
		# are not counted, so a brace in an #if branch cannot end it early
		if (!was_in_comment && raw ~ /^}/)
			end_func(FNR)
		next
	}
	if (depth > 0) {
		# inside a top-level initialiser or type definition
		depth += count(code, "[{]") - count(code, "[}]")
		if ((!was_in_comment && raw ~ /^}/) || depth <= 0) {
			depth = 0
			reset_sig()
		}
		next
	}

	# top level: gather the declaration this line belongs to
	if (code ~ /^[ \t]*$/) {
		if (raw ~ /^[ \t]*$/)
			reset_sig()	# a blank line: no signature goes on across one
		next
	}
	p = index(code, "{")
	if (p == 0) {
		q = code
		# a ";" ends a declaration: keep only what follows the last one
		while ((i = index(q, ";")) > 0)
			q = substr(q, i + 1)
		if (q != code) {
			reset_sig()
			if (q ~ /^[ \t]*$/)
				next
		}
		add_sig(q)
		next
	}
	# an opening brace at top level: a function body, or data
	add_sig(substr(code, 1, p - 1))
	name = func_name(sig)
	if (name != "") {
		start_func(name)
		# a whole body on the line of the signature: "int f(void) { return 0; }"
		if (count(code, "[{]") == count(code, "[}]") && code ~ /}[ \t]*$/)
			end_func(FNR)
		next
	}
	depth = count(code, "[{]") - count(code, "[}]")
	if (depth <= 0) {
		depth = 0
		reset_sig()
	}
}
END {
	end_file()
	if (bad_funcs + bad_files > 0) {
		fflush()
		printf "check-sizes: FAILED: %d function(s) over %d lines, %d file(s) over %d lines\n",
			bad_funcs, max_func, bad_files, max_file > "/dev/stderr"
		exit 1
	}
	printf "check-sizes: ok: %d files, %d functions (max %d lines a function, %d a file)\n",
		nfiles, nfuncs, max_func, max_file
	printf "  longest function: %s, %d lines\n", long_func, long_func_n
	printf "  longest file:     %s, %d lines\n", long_file, long_file_n
}' "${files[@]}"
