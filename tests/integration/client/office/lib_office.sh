#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lib_office.sh: what the kassa-office shell tests share, sourced after
# ../../lib.sh: the binaries (KASSA_TILL; kassa-office is next to it unless
# KASSA_OFFICE names it), kassa-office on the test environment's head-office
# certificate as the admin, a manager and an analyst, psql on the
# environment's database, and json_field to read one field of a JSON line.
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS

office() {
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost "$@"
}
admin() { office --staff 9001 --pin 0000 "$@"; }
manager() { office --staff 2001 --pin 9999 "$@"; }
analyst() { office --staff 3001 --pin 3333 "$@"; }

sql() {
	psql "$KASSA_CONNINFO" -Atc "$1"
}

# json_field NAME: the first "NAME":value (a number or a string without quotes) of stdin
json_field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}
