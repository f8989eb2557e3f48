#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_docker.sh SOURCE: docker/compose.yaml passes yamllint --strict with
# tests/packaging/yamllint.yaml and check_compose.py; docker/Dockerfile passes
# check_dockerfile.py. Each checker is also shown to refuse a spoilt copy (a root final
# stage, ADD of a URL, a latest tag, apt lists kept, a -dev package at run time, an
# unquoted `restart: no`, kassad not waiting for migrate), so a check that passes
# everything cannot pass here. No image is built: CI has no Docker engine.
set -uo pipefail
src=${1:?usage: test_docker.sh SOURCE}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/packaging/lib_packaging.sh
. "$(dirname "$0")/lib_packaging.sh"
compose=$src/docker/compose.yaml
dockerfile=$src/docker/Dockerfile
lint() { yamllint --strict -c "$here/yamllint.yaml" "$1"; }

lint "$compose" >"$tmp/out" 2>&1
rc=$?
sed 's/^/#   /' "$tmp/out"
check "yamllint --strict passes docker/compose.yaml" "$rc"
python3 "$here/check_compose.py" "$compose" >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || sed 's/^/#   /' "$tmp/out"
check "check_compose.py passes docker/compose.yaml" "$rc"
python3 "$here/check_dockerfile.py" "$dockerfile" >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || sed 's/^/#   /' "$tmp/out"
check "check_dockerfile.py passes docker/Dockerfile" "$rc"

# spoil COPY WHAT SED-SCRIPT: a copy of the file with one change; fails when sed changed nothing
spoil() {
	local out=$tmp/$1.$RANDOM
	sed "$3" "$2" >"$out"
	if cmp -s "$2" "$out"; then
		echo "# the spoiling \"$3\" changed nothing" >&2
		echo /nonexistent
	else
		echo "$out"
	fi
}
refused() {	# refused WHAT CHECKER FILE
	local f=$3 rc
	[ -f "$f" ] || { check "$1 (could not make the copy)" 1; return; }
	"$2" "$f" >"$tmp/out" 2>&1
	rc=$?
	check "$1 (exit $rc)" $([ "$rc" != 0 ]; echo $?)
}
df() { python3 "$here/check_dockerfile.py" "$1"; }
dc() { lint "$1" && python3 "$here/check_compose.py" "$1"; }

refused "a final stage as root is refused" df "$(spoil df "$dockerfile" 's/^USER kassa:kassa$/USER root/')"
refused "no USER at all is refused" df "$(spoil df "$dockerfile" '/^USER /d')"
refused "no HEALTHCHECK is refused" df "$(spoil df "$dockerfile" '/^HEALTHCHECK/,/readyz/d')"
refused "ADD of a URL is refused" df \
	"$(spoil df "$dockerfile" 's|^WORKDIR /src$|ADD https://example.org/x.tar.gz /src/\nWORKDIR /src|')"
refused "a latest tag is refused" df "$(spoil df "$dockerfile" 's/^FROM debian:12-slim AS runtime/FROM debian:latest AS runtime/')"
refused "an untagged image is refused" df "$(spoil df "$dockerfile" 's/^FROM debian:12 AS build/FROM debian AS build/')"
refused "an unnamed stage is refused" df "$(spoil df "$dockerfile" 's/^FROM debian:12-slim AS runtime/FROM debian:12-slim/')"
refused "apt lists kept in a layer are refused" df \
	"$(spoil df "$dockerfile" '0,/rm -rf \/var\/lib\/apt\/lists/s/rm -rf \/var\/lib\/apt\/lists\/\*/true/')"
refused "a -dev package in the runtime stage is refused" df \
	"$(spoil df "$dockerfile" 's/libsystemd0 ca-certificates/libsystemd0 libpq-dev ca-certificates/')"
refused "an unknown instruction is refused" df "$(spoil df "$dockerfile" 's/^STOPSIGNAL SIGTERM/STOPSIGNALS SIGTERM/')"
refused "a shell-form ENTRYPOINT is refused" df "$(spoil df "$dockerfile" 's|^ENTRYPOINT .*|ENTRYPOINT /usr/sbin/kassad|')"
refused "an unquoted restart: no (a YAML boolean) is refused" dc "$(spoil dc "$compose" 's/restart: "no"/restart: no/')"
refused "a repeated key is refused" dc "$(spoil dc "$compose" 's/^    restart: unless-stopped$/    restart: unless-stopped\n    restart: always/')"
refused "kassad not waiting for migrate is refused" dc \
	"$(spoil dc "$compose" 's/condition: service_completed_successfully/condition: service_started/')"
refused "a database without pg_isready is refused" dc "$(spoil dc "$compose" 's/"pg_isready", //')"
refused "a password in the file is refused" dc \
	"$(spoil dc "$compose" 's/POSTGRES_PASSWORD: .*/POSTGRES_PASSWORD: secret/')"

summary
