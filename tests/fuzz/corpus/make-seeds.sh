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

# regress-* are inputs that once crashed a target (scripts/fuzz-short.sh): they stay
find request frame money ruleset filter tender records csv -maxdepth 1 -type f \
	! -name 'regress-*' -delete 2>/dev/null || true

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

# ---- ruleset: RuleSetPut.config_json documents (server/loyalty/ruleset.c) ----
# The shipped rule set, as migrations/0003_loyalty.sql inserts it.
mkdir -p ruleset
sed -n "/^INSERT INTO rule_versions (version, note, config) VALUES (1, 'defaults', '{/,/^}');/p" \
	../../../migrations/0003_loyalty.sql | sed -e '1s/.*/{/' -e '$s/.*/}/' > ruleset/shipped
emit ruleset/full "$(hx_str '{"tier_basis":"points","tiers":[{"name":"A","threshold":0,"discount_bp":0,"multiplier_x100":100},{"name":"B","threshold":5,"discount_bp":500,"multiplier_x100":150}],"downgrade_window_months":6,"earn":{"minor_per_point":100,"stored_value_earns":true},"redeem":{"points_step":10,"step_value_minor":100,"cap_bp":10000},"multipliers":{"combine":"multiply","member_day_x100":200,"member_weekdays":[1,7],"member_monthdays":[1,15,31],"birthday":"month","birthday_x100":300,"campaigns":[{"from":"2026-01-01","to":"2026-01-31","x100":200}]},"points_expiry":"months:12","topup_bonus":[{"min_minor":100,"bonus_minor":1},{"min_minor":200,"bonus_minor":3}],"refund_approval_minor":0}')"
emit ruleset/minimal "$(hx_str '{"tiers":[{"name":"R","threshold":0}]}')"
emit ruleset/not_object "$(hx_str '[1,2,3]')"
emit ruleset/duplicate_key "$(hx_str '{"tiers":[],"tiers":[]}')"
emit ruleset/bad_threshold "$(hx_str '{"tiers":[{"name":"R","threshold":0},{"name":"S","threshold":0}]}')"
emit ruleset/huge_numbers "$(hx_str '{"tiers":[{"name":"R","threshold":0,"discount_bp":99999999999999999999}],"earn":{"minor_per_point":-1}}')"
emit ruleset/long_name "$(hx_str '{"tiers":[{"name":"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ","threshold":0}]}')"
emit ruleset/deep "$(hx_str '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]')"

# ---- filter: Kassa.v1.MemberFilter (server/members/filter.c) ----
emit filter/empty ""
emit filter/phone "$(f_str 1 '+86 138 1234 5678')"
emit filter/suffix "$(f_str 1 5678)"
emit filter/everything "$(f_str 2 C0000042; f_str 3 '李'; f_str 4 vip; f_str 5 Gold; f_str 6 at_risk
	f_varint 7 12; f_varint 8 1; f_str 9 2026-01-01; f_str 10 2026-12-31; f_varint 11 100
	f_varint 12 99999; f_varint 13 1)"
emit filter/bad_month "$(f_varint 7 13)"
emit filter/bad_date "$(f_str 9 2026-02-30; f_str 10 2026-13-01)"
emit filter/reversed "$(f_str 9 2026-12-31; f_str 10 2026-01-01; f_varint 11 500; f_varint 12 100)"
emit filter/negative "$(f_varint 8 -1; f_varint 11 -5; f_varint 13 7)"
emit filter/bad_class "$(f_str 6 'high_value; DROP TABLE members')"

# ---- tender: Kassa.v1.Tender (server/loyalty/tender_json.c tender_check*) ----
emit tender/cash "$(f_varint 1 1; f_varint 2 10000)"
emit tender/card "$(f_varint 1 2; f_varint 2 2350; f_str 3 T-0001)"
emit tender/card_number "$(f_varint 1 2; f_varint 2 100; f_str 3 'ref 4111 1111 1111 1111')"
emit tender/no_reference "$(f_varint 1 3; f_varint 2 100)"
emit tender/stored_value "$(f_varint 1 4; f_varint 2 500)"
emit tender/unknown_kind "$(f_varint 1 9; f_varint 2 1)"
emit tender/negative "$(f_varint 1 1; f_varint 2 -1)"
emit tender/foreign "$(f_varint 1 1; f_varint 2 0; f_str 4 USD; f_varint 5 1000; f_varint 6 3)"
emit tender/foreign_bad "$(f_varint 1 2; f_str 3 X; f_str 4 ZZZ; f_varint 5 -7; f_varint 6 0)"

# ---- records: tender and coupon JSON from the database (tender_json.c, coupon_json.c) ----
emit records/tenders "$(hx_str '[{"tender_no":1,"kind":1,"amount":10000,"ref":""},{"tender_no":2,"kind":2,"amount":2350,"ref":"T-0001","currency":"USD","foreign":500,"rate":7100000,"rate_version":3}]')"
emit records/coupons "$(hx_str '[{"code":"CPN-1","name":"5 off","kind":1,"value":500,"percent_bp":0,"cap":0,"min_spend":1000,"item_sku":"","valid_to":"2026-12-31","stackable":true}]')"
emit records/codes "$(hx_str '["CPN-1","CPN-2",3,null]')"
emit records/sale "$(hx_str '{"txn":{"tenders":[{"kind":1}]},"usable_coupons":[{"code":"X"}],"coupon_codes":["A"]}')"
emit records/odd "$(hx_str '[1,"two",null,[],{},{"kind":"1","amount":1e40,"ref":7}]')"

# ---- csv: MemberImport.csv files (server/members/import_csv.c) ----
mkdir -p csv
printf 'phone,name,birthday,email,consent,language\r\n+8613900001111,Li Lei,1990-05-01,li@example.com,yes,zh_CN\r\n13900002222,"Han, Meimei",,,no,en\r\n' > csv/good
printf '\xef\xbb\xbfname,phone,tags,notes\n"Wang ""Xiao"" Er",+86 139 0000 3333,vip;new,"two\nlines"\n\nZhao,12,,\n,+8613900004444,,\n' > csv/mixed
printf 'phone,name\n+8613900005555,A\n+8613900005555,B\n"unterminated,C\n' > csv/bad
printf 'phone,phone,nom\n1,2,3\n' > csv/header
