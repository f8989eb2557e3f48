#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test-all.sh: README command 2. Installs what is missing, builds with warnings as errors
# and runs the whole test suite (unit tests, then the integration tests against a throwaway
# PostgreSQL cluster, a real kassad and real TLS). Exits non-zero if anything fails.
#
#   scripts/test-all.sh              build/       (RelWithDebInfo, -Werror)
#   scripts/test-all.sh --sanitize   build-asan/  (ASan + UBSan, -DKASSA_SANITIZE=ON)
#   scripts/test-all.sh --no-deps    skip the package check (offline machines)
#
# Extra arguments after -- go to ctest (e.g. -- -L unit, -- -R checkout).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

sanitize=0
deps=1
ctest_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--sanitize) sanitize=1; shift ;;
	--no-deps) deps=0; shift ;;
	--) shift; ctest_args=("$@"); break ;;
	-h|--help) sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--sanitize] [--no-deps] [-- CTEST-ARGS...]" >&2; exit 2 ;;
	esac
done

step() {
	printf '\n==> %s\n' "$*"
}

if [ "$deps" = 1 ]; then
	step "packages"
	bash scripts/deps.sh
fi

JOBS=$(nproc 2>/dev/null || echo 2)
if [ "$sanitize" = 1 ]; then
	BUILD=build-asan
	cmake_args=(-DKASSA_SANITIZE=ON)
	# Any sanitizer report fails the run: UBSan aborts (-fno-sanitize-recover), ASan and
	# LeakSanitizer exit non-zero, which test-env.sh down turns into a failure for kassad.
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	# The crash loop's 200 iterations run in build/; under the sanitizers 50 show the same
	# recovery paths (5 PostgreSQL immediate stops) in about a quarter of the time.
	export KASSA_CRASH_ITERATIONS=${KASSA_CRASH_ITERATIONS:-50}
else
	BUILD=build
	cmake_args=()
fi

step "configure $BUILD"
cmake -S . -B "$BUILD" -DKASSA_WERROR=ON "${cmake_args[@]}" </dev/null

step "build $BUILD ($JOBS jobs)"
cmake --build "$BUILD" -j "$JOBS" </dev/null

step "test $BUILD"
# Integration tests are RUN_SERIAL and ordered by their fixture, so -j only spreads the
# unit tests.
rc=0
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" "${ctest_args[@]}" </dev/null || rc=$?
if [ $rc != 0 ]; then
	step "FAILED ($BUILD): logs in $BUILD/tests/integration/env/ (kassad.log, pg/log/)"
	exit $rc
fi
step "all tests passed ($BUILD)"
