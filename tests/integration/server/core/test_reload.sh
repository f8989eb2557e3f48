#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_reload: an operator revokes a till's certificate and sends SIGHUP;
# kassad refuses that till from then on without a restart, keeps serving the
# others, and keeps its working certificates when a reload fails. Runs its
# own kassad on a copy of the test certificates. Needs KASSA_TEST_ENV and
# KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
cp -r "$KASSA_CERTS" "$tmp/certs"
C=$tmp/certs

port=$(free_port) || { echo "no free port"; exit 1; }
as() {	# as TILL: one product lookup as that till; the exit code of kassa-till
	printf "login 1001 1234\nproduct SKU-TEA\n" | "$TILL" --host 127.0.0.1 --port "$port" --cert "$C/$1.crt" \
		--key "$C/$1.key" --ca "$C/ca.crt" --server-name localhost --timeout 5000 --script \
		>/dev/null 2>&1
}
logged() {	# logged TEXT: bounded wait for a line in kassad's log
	for _ in $(seq 1 50); do
		grep -q "$1" "$tmp/kassad.log" && return 0
		sleep 0.1
	done
	return 1
}

start_kassad "$port" KASSA_TLS_CERT="$C/server.crt" KASSA_TLS_KEY="$C/server.key" \
	KASSA_TLS_CA="$C/ca.crt" KASSA_TLS_CRL="$C/crl.pem"
logged "ready" || true
ok=1
for _ in $(seq 1 50); do as S001-T2 && { ok=0; break; }; sleep 0.1; done
check "S001-T2 is served before it is revoked" $ok

bash "$KASSA_ROOT/scripts/gen-certs.sh" --revoke "$C" S001-T2 >/dev/null 2>&1
check "certificate revoked in the CRL" $?
as S001-T2
check "still served until the reload (nothing reloads by itself)" $?
kill -HUP "$kassad_pid"
logged "reloaded TLS" 
check "SIGHUP reloaded" $?
as S001-T2
check "S001-T2 refused after the reload" $([ $? = 3 ]; echo $?)
as S001-T1
check "S001-T1 still served" $?

mv "$C/server.key" "$C/server.key.away"
kill -HUP "$kassad_pid"
logged "keeping the current configuration and certificates"
check "a failed reload is reported" $?
as S001-T1
check "and the working certificates stay in use" $?

stop_kassad
rc=$?
check "kassad exited 0" $([ $rc = 0 ]; echo $?)
[ "$fail" = 0 ] || tail -20 "$tmp/kassad.log" | sed 's/^/# /'

summary
