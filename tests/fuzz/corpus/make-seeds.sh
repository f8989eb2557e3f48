#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Write the seed corpora for the fuzz targets (tests/fuzz/corpus/<name>/).
# The seeds are committed; run this again only to change them. Protobuf
# messages are encoded by hand here (field numbers from proto/kassa.proto),
# as hex, then written as binary; every seed stays well under 1 KiB.
#   usage: tests/fuzz/corpus/make-seeds.sh
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")"

# ---- hex helpers (hex text is safe in $(...); binary with NULs is not) ----
hx_str() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
hx_varint() {		# unsigned LEB128; a negative int64 gives 10 bytes
	local v=$1 b out=""
	while :; do
		b=$(( v & 0x7f ))
		v=$(( (v >> 7) & 0x01ffffffffffffff ))
		if (( v != 0 )); then out+=$(printf '%02x' $(( b | 0x80 ))); else
			out+=$(printf '%02x' $b); break; fi
	done
	printf '%s' "$out"
}
f_varint() { hx_varint $(( ($1 << 3) | 0 )); hx_varint "$2"; }	# field, value
f_bytes() { hx_varint $(( ($1 << 3) | 2 )); hx_varint $(( ${#2} / 2 )); printf '%s' "$2"; }
f_str() { f_bytes "$1" "$(hx_str "$2")"; }
emit() {		# emit FILE HEX
	mkdir -p "$(dirname "$1")"
	printf '%b' "$(printf '%s' "$2" | sed 's/\(..\)/\\x\1/g')" > "$1"
}
frame() { printf '%08x%s' $(( ${#1} / 2 )) "$1"; }	# 4-byte BE length + body

rm -f request/* frame/* money/*

# ---- request: Kassa.v1.Request (1 request_id, 2 idempotency_key, 10.. body) ----
hello=$(f_varint 1 1; f_bytes 10 "$(f_varint 1 1; f_str 2 kassa-till/0.1.0)")
emit request/hello "$hello"
emit request/login "$(f_varint 1 2; f_bytes 11 "$(f_varint 1 7; f_str 2 1234)")"
reg=$(f_str 1 '李雷'; f_str 2 '138 1234 5678'; f_str 4 1990-05-17; f_varint 5 2
	f_str 6 lilei@example.cn; f_str 7 '上海市 1 号'; f_varint 8 3; f_varint 9 1
	f_str 10 vip; f_str 10 '新客'; f_str 11 'prefers mornings')
emit request/member_register "$(f_varint 1 3; f_str 2 0b7c1f9e-4a4e-4d8c-9a43-2f7d1e5c6b10
	f_bytes 12 "$reg")"
emit request/member_get_phone "$(f_varint 1 4; f_bytes 13 "$(f_str 2 +8613812345678)")"
emit request/member_get_id "$(f_varint 1 5; f_bytes 13 "$(f_varint 1 42)")"
emit request/member_get_qr "$(f_varint 1 6; f_bytes 13 "$(f_str 4 'KASSA:M:42:9f3a')")"
emit request/member_search "$(f_varint 1 7; f_bytes 14 "$(f_str 2 5678; f_varint 3 50)")"
emit request/member_update "$(f_varint 1 8; f_str 2 upd-1; f_bytes 15 "$(f_varint 1 42
	f_bytes 2 "$(f_str 6 new@example.cn; f_str 10 gold)"; f_str 3 email; f_str 3 tags)")"
emit request/product_lookup "$(f_varint 1 9; f_bytes 16 "$(f_str 1 6901234567892)")"
co=$(f_bytes 1 "$(f_str 1 SKU-1; f_varint 2 2)"; f_bytes 1 "$(f_str 1 6901234567892; f_varint 2 1)"
	f_varint 2 42; f_bytes 3 "$(f_varint 1 1; f_varint 2 10000)"
	f_bytes 3 "$(f_varint 1 2; f_varint 2 2350; f_str 3 T-0001)")
emit request/checkout "$(f_varint 1 10; f_str 2 co-1; f_bytes 17 "$co")"
emit request/checkout_negative "$(f_varint 1 11; f_bytes 17 "$(f_bytes 1 "$(f_str 1 X
	f_varint 2 -1)"; f_varint 2 -9223372036854775808; f_bytes 3 "$(f_varint 1 3
	f_varint 2 -5)")")"
emit request/transaction_get "$(f_varint 1 12; f_bytes 18 "$(f_varint 1 1000)")"
# A name that is not UTF-8 (C3 28): unpacks, pbcheck_utf8 must name the field.
emit request/bad_utf8 "$(f_varint 1 13; f_bytes 12 "$(f_bytes 1 c328; f_str 2 13812345678)")"
# Unknown fields (99 varint, 100 bytes), which protobuf-c keeps and repacks.
emit request/unknown_fields "$(f_varint 1 14; f_varint 99 7; f_bytes 100 00ff00)"
# Two members of the oneof: the last one wins.
emit request/two_bodies "$(f_varint 1 15; f_bytes 10 "$(f_varint 1 1)"
	f_bytes 11 "$(f_varint 1 7)")"
# An embedded NUL in a string (protobuf-c cuts the C string there).
emit request/nul_in_string "$(f_varint 1 16; f_bytes 16 "$(f_bytes 1 41004243)")"
# Field number 0 as a non-minimal varint tag (82 00), which protobuf-c 1.4
# accepts as an unknown field but cannot round-trip (see fuzz_request.c).
emit request/tag0_nonminimal 0810820006650a04410042

# ---- frame: 4-byte big-endian length + body ----
emit frame/small "$(frame 616263)"
emit frame/two_frames "$(frame 6162; frame 63)"
emit frame/hello_request "$(frame "$hello")"
emit frame/empty_len 00000000
emit frame/too_large 00100001ff			# default max + 1
emit frame/at_limit 00100000			# exactly the default max: need more
emit frame/max_u32 ffffffff
emit frame/partial_header 0000
emit frame/partial_body 00000010616263

# ---- money: money_parse() and phone_normalize() strings ----
i=0
for s in 12.34 -0.05 +3.00 0 7 92233720368547758.07 -92233720368547758.08 \
	92233720368547758.08 1.234 12. .5 1e3 '1,000' ' 1' \
	'138 1234 5678' '+86-138-1234-5678' '0086 13812345678' '+44 (20) 7946-0958' \
	'+1 415.555.2671' 00441234567890 +8612345 1381234567X '++8613812345678'; do
	i=$((i + 1))
	emit "money/$(printf '%02d' $i)" "$(hx_str "$s")"
done
