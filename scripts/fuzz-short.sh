#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# fuzz-short.sh: a short, bounded libFuzzer run of every fuzz target (tests/fuzz/fuzz_*.c),
# as CI runs it. Configures $BUILD with clang and -DKASSA_FUZZ=ON, builds only the fuzz_<name>
# binaries, then runs each for FUZZ_SECONDS (-max_total_time), FUZZ_JOBS at a time, on the
# committed seeds (tests/fuzz/corpus/<name>/, read only) plus a corpus of its own in $BUILD.
# Prints the executions each target ran. A target that crashes (also a leak, a timeout or
# running out of memory) fails the script, and each input that did so is copied into
# tests/fuzz/corpus/<name>/ as regress-<sha1> and named in the message: commit it, and it
# is a regression seed that fuzz_replay_<name> (ctest) runs in every build from then on.
#
#   scripts/fuzz-short.sh                      every target, 20 s each, 2 at a time
#   FUZZ_SECONDS=60 scripts/fuzz-short.sh frame request
#
#   BUILD         build directory (default build-fuzz, relative to the source tree)
#   FUZZ_SECONDS  seconds per target (default 20); FUZZ_JOBS targets at once (default 2)
#   CC            the clang to use (default clang)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build-fuzz}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
SECONDS_EACH=${FUZZ_SECONDS:-20}
JOBS=${FUZZ_JOBS:-2}
CLANG=${CC:-clang}
CORPUS="$ROOT/tests/fuzz/corpus"

die() {
	echo "fuzz-short: $*" >&2
	exit 2
}

[[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_SECONDS must be a whole number of seconds"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_JOBS must be a positive number"
command -v "$CLANG" >/dev/null || die "$CLANG not found (scripts/deps.sh installs clang)"

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for f in "$ROOT"/tests/fuzz/fuzz_*.c; do
		n=$(basename "$f" .c)
		targets+=("${n#fuzz_}")
	done
fi
for t in "${targets[@]}"; do
	[ -f "$ROOT/tests/fuzz/fuzz_$t.c" ] || die "no fuzz target \"$t\" (tests/fuzz/fuzz_$t.c)"
done

echo "==> configure $BUILD (clang, KASSA_FUZZ=ON)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="$CLANG" -DKASSA_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD.cmake.log" 2>&1 ||
	{ tail -n 30 "$BUILD.cmake.log" >&2; die "cmake failed (log: $BUILD.cmake.log)"; }
echo "==> build ${targets[*]/#/fuzz_}"
cmake --build "$BUILD" -j "$JOBS" --target "${targets[@]/#/fuzz_}" >"$BUILD.build.log" 2>&1 ||
	{ tail -n 30 "$BUILD.build.log" >&2; die "build failed (log: $BUILD.build.log)"; }

# run_one NAME: fuzz it for SECONDS_EACH; its output goes to $BUILD/fuzz-short/NAME.log,
# its exit status to NAME.rc.
run_one() {
	local name=$1 out="$BUILD/fuzz-short/$1" rc=0
	rm -rf "$out/artifacts" "$out.rc"
	mkdir -p "$out/corpus" "$out/artifacts"
	# -timeout: one input may take 10 s; -rss_limit_mb: 2 GiB; the corpus found goes to
	# $out/corpus, the committed seeds are only read
	"$BUILD/tests/fuzz/fuzz_$name" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
		"$out/corpus" "$CORPUS/$name" >"$out.log" 2>&1 || rc=$?
	echo "$rc" >"$out.rc"
}

echo "==> fuzz ${#targets[@]} targets, ${SECONDS_EACH} s each, $JOBS at a time"
running=0
for t in "${targets[@]}"; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
wait

fail=0
for t in "${targets[@]}"; do
	rc=$(cat "$BUILD/fuzz-short/$t.rc" 2>/dev/null || echo "none")
	log="$BUILD/fuzz-short/$t.log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	found=()
	for a in "$BUILD/fuzz-short/$t/artifacts/"*; do
		[ -f "$a" ] || continue
		sum=$(sha1sum "$a" | cut -c1-16)
		cp "$a" "$CORPUS/$t/regress-$sum"
		found+=("tests/fuzz/corpus/$t/regress-$sum ($(basename "$a" | cut -d- -f1))")
	done
	if [ "$rc" = 0 ] && [ ${#found[@]} = 0 ]; then
		printf '%-10s ok      %10s execs  cov %s\n' "$t" "${execs:-?}" "${cov:-?}"
		continue
	fi
	fail=1
	printf '%-10s FAILED  %10s execs  (exit %s; log %s)\n' "$t" "${execs:-?}" "$rc" "$log"
	grep -m 3 -E 'ERROR: |invariant failed|SUMMARY: ' "$log" | sed 's/^/           /' || true
	for f in "${found[@]}"; do
		echo "           crashing input saved as $f: commit it as a regression seed"
	done
done
[ "$fail" = 0 ] || { echo "fuzz-short: a fuzz target failed" >&2; exit 1; }
echo "fuzz-short: every target ran ${SECONDS_EACH} s without a crash"
