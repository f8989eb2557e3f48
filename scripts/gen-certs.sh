#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# gen-certs.sh: development and test certificates for Kassa (openssl CLI).
#
#   scripts/gen-certs.sh [--force] OUTDIR [STORE:TILL ...]
#   scripts/gen-certs.sh --revoke OUTDIR TILL [...]
#
# Writes into OUTDIR (EC P-256 keys throughout, cheap to make):
#   ca.crt ca.key              the Kassa development CA
#   server.crt server.key      CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1 (serverAuth)
#   TILL.crt TILL.key          one per STORE:TILL argument, subject /O=Kassa/OU=STORE/CN=TILL
#                              (clientAuth); kassad maps the CN to tills.code
#   rogue-ca.crt rogue-ca.key  a second, untrusted CA
#   rogue.crt rogue.key        a till certificate with the CN of a real till (the first
#                              STORE:TILL given, S001-T1 by default) signed by the rogue CA:
#                              kassad must refuse it
#   crl.pem                    the CA's certificate revocation list (empty unless --revoke)
#   ca-db/                     the little database `openssl ca` keeps for the CRL
#
# Idempotent: an existing CA is kept (and certificates it signed are kept if they still
# verify) unless --force, which starts over with a new CA. --revoke adds the named tills'
# certificates to the CRL and rewrites crl.pem. Nothing here is for production use.
set -euo pipefail

DAYS_CA=3650
DAYS_LEAF=825

usage() {
	sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

die() {
	echo "gen-certs: $*" >&2
	exit 1
}

command -v openssl >/dev/null || die "the openssl command is not installed"

force=0
revoke=0
while [ $# -gt 0 ]; do
	case "$1" in
	--force) force=1; shift ;;
	--revoke) revoke=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
OUT=$1
shift

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
umask 077

# A random positive 128-bit serial, so certificates from different runs never collide.
serial() {
	echo "0x$(openssl rand -hex 16 | sed 's/^./7/')"
}

# newkey FILE: an EC P-256 private key (PKCS#8 PEM).
newkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
	chmod 600 "$1"
}

# selfsigned_ca NAME SUBJECT: NAME.key + NAME.crt, a self-signed CA.
selfsigned_ca() {
	newkey "$OUT/$1.key"
	openssl req -new -x509 -sha256 -days "$DAYS_CA" -key "$OUT/$1.key" -out "$OUT/$1.crt" \
		-subj "$2" -set_serial "$(serial)" \
		-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash"
	chmod 644 "$OUT/$1.crt"
}

# leaf CA NAME SUBJECT EXTENSIONS: NAME.key + NAME.crt signed by CA (ca or rogue-ca).
leaf() {
	local ca=$1 name=$2 subj=$3 ext=$4 csr extfile
	csr=$(mktemp)
	extfile=$(mktemp)
	newkey "$OUT/$name.key"
	openssl req -new -sha256 -key "$OUT/$name.key" -subj "$subj" -out "$csr"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"subjectKeyIdentifier=hash" \
		"authorityKeyIdentifier=keyid" \
		"$ext" >"$extfile"
	openssl x509 -req -sha256 -days "$DAYS_LEAF" -in "$csr" -CA "$OUT/$ca.crt" \
		-CAkey "$OUT/$ca.key" -set_serial "$(serial)" -extfile "$extfile" \
		-out "$OUT/$name.crt" 2>/dev/null
	chmod 644 "$OUT/$name.crt"
	rm -f "$csr" "$extfile"
}

# current CA NAME SUBJECT: true if NAME.crt exists, matches its key, has this subject and
# verifies against CA.
current() {
	local ca=$1 name=$2 subj=$3 want got
	[ -s "$OUT/$name.crt" ] && [ -s "$OUT/$name.key" ] || return 1
	openssl verify -CAfile "$OUT/$ca.crt" "$OUT/$name.crt" >/dev/null 2>&1 || return 1
	want=$(openssl pkey -in "$OUT/$name.key" -pubout 2>/dev/null) || return 1
	got=$(openssl x509 -in "$OUT/$name.crt" -noout -pubkey 2>/dev/null) || return 1
	[ "$want" = "$got" ] || return 1
	got=$(openssl x509 -in "$OUT/$name.crt" -noout -subject -nameopt compat 2>/dev/null)
	[ "$got" = "subject=$subj" ]
}

# The mini CA database `openssl ca` needs to sign a CRL.
ca_db() {
	mkdir -p "$OUT/ca-db"
	[ -f "$OUT/ca-db/index.txt" ] || : >"$OUT/ca-db/index.txt"
	[ -f "$OUT/ca-db/crlnumber" ] || echo 1000 >"$OUT/ca-db/crlnumber"
	cat >"$OUT/ca-db/openssl.cnf" <<EOF
[ ca ]
default_ca = kassa_ca
[ kassa_ca ]
dir = $OUT
database = \$dir/ca-db/index.txt
crlnumber = \$dir/ca-db/crlnumber
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
new_certs_dir = \$dir/ca-db
default_md = sha256
default_crl_days = $DAYS_LEAF
unique_subject = no
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
}

gen_crl() {
	ca_db
	openssl ca -config "$OUT/ca-db/openssl.cnf" -gencrl -out "$OUT/crl.pem" 2>/dev/null ||
		die "could not sign the CRL (openssl ca -gencrl)"
	chmod 644 "$OUT/crl.pem"
}

if [ "$revoke" = 1 ]; then
	[ -s "$OUT/ca.crt" ] && [ -s "$OUT/ca.key" ] || die "no CA in $OUT"
	[ $# -ge 1 ] || usage
	ca_db
	for till in "$@"; do
		[ -s "$OUT/$till.crt" ] || die "no certificate $OUT/$till.crt"
		openssl ca -config "$OUT/ca-db/openssl.cnf" -revoke "$OUT/$till.crt" \
			-crl_reason keyCompromise 2>/dev/null ||
			die "could not revoke $till (already revoked?)"
		echo "gen-certs: revoked $till"
	done
	gen_crl
	exit 0
fi

if [ "$force" = 1 ]; then
	rm -rf "$OUT/ca-db"
	rm -f "$OUT"/ca.crt "$OUT"/ca.key "$OUT"/crl.pem
fi

# 1. The CA.
if [ -s "$OUT/ca.crt" ] && [ -s "$OUT/ca.key" ]; then
	echo "gen-certs: keeping the CA in $OUT (use --force for a new one)"
else
	rm -rf "$OUT/ca-db"
	selfsigned_ca ca "/O=Kassa/OU=Development/CN=Kassa Development CA"
	echo "gen-certs: new CA $OUT/ca.crt"
fi

# 2. The server certificate.
if ! current ca server "/CN=localhost"; then
	leaf ca server "/CN=localhost" \
		"subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
	echo "gen-certs: server certificate $OUT/server.crt"
fi

# 3. One client certificate per till.
first_till=S001-T1
first_store=S001
n=0
for arg in "$@"; do
	case "$arg" in
	?*:?*) ;;
	*) die "expected STORE:TILL, got '$arg'" ;;
	esac
	store=${arg%%:*}
	till=${arg#*:}
	case "$store$till" in
	*[!A-Za-z0-9_.-]*) die "store and till codes are letters, digits, '-', '_' or '.': '$arg'" ;;
	esac
	case "$till" in
	ca|ca-db|server|rogue|rogue-ca|crl) die "'$till' is a reserved file name" ;;
	esac
	if [ $n = 0 ]; then
		first_store=$store
		first_till=$till
	fi
	n=$((n + 1))
	if ! current ca "$till" "/O=Kassa/OU=$store/CN=$till"; then
		leaf ca "$till" "/O=Kassa/OU=$store/CN=$till" "extendedKeyUsage=clientAuth"
		echo "gen-certs: till certificate $OUT/$till.crt ($store)"
	fi
done

# 4. The rogue CA and a till certificate it signed, with a real till's name.
if ! { [ -s "$OUT/rogue-ca.crt" ] && [ -s "$OUT/rogue-ca.key" ]; }; then
	selfsigned_ca rogue-ca "/O=Kassa/OU=Development/CN=Kassa Development CA"
fi
if ! current rogue-ca rogue "/O=Kassa/OU=$first_store/CN=$first_till"; then
	leaf rogue-ca rogue "/O=Kassa/OU=$first_store/CN=$first_till" "extendedKeyUsage=clientAuth"
	echo "gen-certs: rogue certificate $OUT/rogue.crt (CN=$first_till, untrusted CA)"
fi

# 5. The CRL. Optional: kassad runs without one ([tls] crl empty).
if [ ! -s "$OUT/crl.pem" ] ||
	! openssl crl -in "$OUT/crl.pem" -CAfile "$OUT/ca.crt" -noout 2>/dev/null; then
	gen_crl
	echo "gen-certs: CRL $OUT/crl.pem"
fi
