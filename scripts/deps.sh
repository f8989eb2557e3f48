#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# deps.sh: install the Debian 12 packages Kassa needs to build, test and run, if any is
# missing (nothing is touched when all are present). Uses sudo when not run as root.
#
#   scripts/deps.sh            install what is missing
#   scripts/deps.sh --check    exit 1 and list what is missing, install nothing
#   scripts/deps.sh --list     print the package list
#
# The Debian postgresql package would also create and start a system-wide cluster on port
# 5432; Kassa runs its own project-local clusters (scripts/pg-cluster.sh), so on a machine
# where PostgreSQL is not installed yet that default cluster is turned off first
# (/etc/postgresql-common/createcluster.conf: create_main_cluster = false).
#
# The till's languages need the zh_CN.UTF-8 and en_US.UTF-8 locales: when one is missing
# it is enabled in /etc/locale.gen and generated with locale-gen (--check reports it).
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config
	libevent-dev libpq-dev libprotobuf-c-dev protobuf-c-compiler libssl-dev
	libsodium-dev libinih-dev libjansson-dev libcmocka-dev
	postgresql-15 postgresql-client-15 openssl
	iproute2 util-linux tzdata
	gettext locales libncurses-dev tmux
	# charts and the dashboard: rendered in headless Chromium, Chinese in Noto Sans CJK
	chromium fonts-noto-cjk
	# the dashboard's test: curl and headless Chromium with a client certificate (certutil,
	# pk12util), python3 to read the screenshots
	curl python3 libnss3-tools
	# scripts/bench-office.sh: an export's peak memory (/usr/bin/time -v)
	time
	# scripts/fuzz-short.sh: the libFuzzer targets (clang with its fuzzer runtime)
	clang libclang-rt-14-dev
	# packaging checks: the man pages rendered by groff/man, docker/compose.yaml by yamllint
	groff-base man-db yamllint
	# /metrics checked by promtool check metrics (package prometheus)
	prometheus
	# sd_notify (Type=notify, watchdog) and systemd-analyze verify of the unit
	libsystemd-dev systemd
)
LOCALES=(zh_CN.UTF-8 en_US.UTF-8)

die() {
	echo "deps: $*" >&2
	exit 1
}

missing() {
	local p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
			echo "$p"
	done
}

# The LOCALES not generated yet (locale -a spells them "zh_CN.utf8").
missing_locales() {
	local l have
	have=$(locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | tr -d '-')
	for l in "${LOCALES[@]}"; do
		grep -qx "$(echo "$l" | tr '[:upper:]' '[:lower:]' | tr -d '-')" <<<"$have" ||
			echo "$l"
	done
}

# Enable each missing locale in /etc/locale.gen and run locale-gen once.
ensure_locales() {
	local l todo_l
	todo_l=$(missing_locales | tr "\n" " ")
	[ -z "${todo_l// /}" ] && return 0
	command -v locale-gen >/dev/null || die "locale-gen not found (package locales)"
	echo "deps: generating locales: $todo_l"
	for l in $todo_l; do
		if grep -q "^# *$l UTF-8" /etc/locale.gen 2>/dev/null; then
			$SUDO sed -i "s/^# *\($l UTF-8\)/\1/" /etc/locale.gen
		elif ! grep -q "^$l UTF-8" /etc/locale.gen 2>/dev/null; then
			echo "$l UTF-8" | $SUDO tee -a /etc/locale.gen >/dev/null
		fi
	done
	$SUDO locale-gen </dev/null
	todo_l=$(missing_locales | tr "\n" " ")
	[ -z "${todo_l// /}" ] || die "locales still missing after locale-gen: $todo_l"
}

case "${1:-}" in
--list)
	printf '%s\n' "${PACKAGES[@]}"
	exit 0
	;;
--check)
	todo="$(missing | tr "\n" " ")$(missing_locales | sed 's/$/ (locale)/' | tr "\n" " ")"
	[ -z "${todo// /}" ] && exit 0
	echo "deps: missing:" "$todo" >&2
	exit 1
	;;
'') ;;
*)
	echo "usage: $0 [--check|--list]" >&2
	exit 2
	;;
esac

command -v dpkg-query >/dev/null || die "this script expects Debian 12 (dpkg and apt-get)"
todo=$(missing | tr "\n" " ")
SUDO=
if [ -z "${todo// /}" ] && [ -z "$(missing_locales)" ]; then
	echo "deps: all packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo: install as root: $todo"
	SUDO=sudo
fi
if [ -z "${todo// /}" ]; then
	ensure_locales
	echo "deps: done"
	exit 0
fi
if [ -r /etc/os-release ]; then
	# shellcheck disable=SC1091
	. /etc/os-release
	[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] ||
		echo "deps: warning: made for Debian 12, this is ${PRETTY_NAME:-unknown}" >&2
fi

echo "deps: installing: $todo"
if ! dpkg-query -W -f='${Status}\n' postgresql-common 2>/dev/null |
	grep -q "install ok installed"; then
	$SUDO mkdir -p /etc/postgresql-common
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		echo "create_main_cluster = false" |
			$SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
	fi
fi
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef
	-o Dpkg::Options::=--force-confold)
$SUDO env DEBIAN_FRONTEND=noninteractive "${APT[@]}" update </dev/null
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install --no-install-recommends $todo \
	</dev/null
todo=$(missing | tr "\n" " ")
[ -z "${todo// /}" ] || die "still missing after apt-get install: $todo"
ensure_locales
echo "deps: done"
