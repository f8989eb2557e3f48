#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_reco: the recommendations as the clients show them, in the
# shared environment (so no exact numbers: test_reco.c has those). Two new
# members buy today, one SKU-APPLE and SKU-RICE, the other SKU-APPLE and
# SKU-MILK; an administrator runs `kassa-office job run recommendations`;
# then the till's `member find` (kassa-till --script) carries the first
# member's suggestions, none of them what they just bought, each with a sku,
# a name and a reason; `kassa-office member 360` carries the same list and
# the complaints and follow-ups arrays; `report bought_together` answers a
# table in English and Chinese and JSON. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script
}

base=$(( ($$ * 7919 + $(date +%s)) % 10000000 ))
phone1="+86137$(printf '%08d' $base)"
phone2="+86137$(printf '%08d' $(( (base + 1) % 100000000 )))"

out=$(till <<SCRIPT
login 1001 1234
member register name="推荐会员一" phone=$phone1
member register name="Reco Two" phone=$phone2
sale begin
sale add SKU-APPLE
sale add SKU-RICE
sale member phone=$phone1
sale pay cash 100.00
sale finish
sale begin
sale add SKU-APPLE
sale add SKU-MILK
sale member phone=$phone2
sale pay cash 100.00
sale finish
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "the two sales" $([ $rc = 0 ] && [ "$(echo "$out" | grep -c '"cmd":"sale finish".*"ok":true\|"ok":true.*"cmd":"sale finish"')" = 2 ]; echo $?)
mid=$(echo "$out" | grep '"cmd":"member register"' | head -n 1 | json_field member_id)

# ---- the job ------------------------------------------------------------------

admin job run recommendations >"$tmp/job" 2>&1
rc=$?
sed 's/^/# /' "$tmp/job"
check "job run recommendations: ok, baskets examined" $([ $rc = 0 ] &&
	grep -q '"job":"recommendations"' "$tmp/job" &&
	[ "$(json_field examined <"$tmp/job")" -ge 2 ]; echo $?)
check "recorded as a job run" $([ "$(sql "SELECT count(*) FROM job_runs WHERE kind = 'recommendations'
	AND run_id = $(json_field run_id <"$tmp/job" | grep . || echo 0) AND finished_at IS NOT NULL")" = 1 ]; echo $?)

# ---- the till's member find ------------------------------------------------------

out=$(till <<SCRIPT
login 1001 1234
member find phone=$phone1
SCRIPT
)
echo "$out" | sed 's/^/# /'
found=$(echo "$out" | grep '"cmd":"member find"')
recs=$(echo "$found" | sed -n 's/.*"recommendations":\(\[[^]]*\]\).*/\1/p')
check "member find carries suggestions" $(echo "$recs" | grep -q '"sku":"SKU-'; echo $?)
check "each with a name and a reason" $([ "$(echo "$recs" | grep -o '"name":"[^"]' | wc -l)" -ge 1 ] &&
	! echo "$recs" | grep -q '"reason":""'; echo $?)
check "never what they just bought" $(! echo "$recs" | grep -q '"sku":"SKU-APPLE"\|"sku":"SKU-RICE"'; echo $?)
check "never an inactive product" $(! echo "$recs" | grep -q '"sku":"SKU-OLD"'; echo $?)
check "the same as stored" $([ "$(echo "$recs" | grep -o '"sku":"[^"]*"' | wc -l)" = \
	"$(sql "SELECT count(*) FROM member_recommendations r JOIN products p USING (product_id)
		WHERE r.member_id = ${mid:-0} AND p.active")" ]; echo $?)

# ---- the member 360 -----------------------------------------------------------------

analyst member 360 "${mid:-0}" >"$tmp/360" 2>&1
rc=$?
sed 's/^/# /' "$tmp/360"
recs360=$(sed -n 's/.*"recommendations":\(\[[^]]*\]\).*/\1/p' "$tmp/360")
check "member 360: the same suggestions" $([ $rc = 0 ] && [ -n "$recs" ] && [ "$recs360" = "$recs" ]; echo $?)
check "member 360: complaints and follow-ups" $(grep -q '"complaints":\[' "$tmp/360" &&
	grep -q '"followups":\[' "$tmp/360"; echo $?)

# ---- the report -------------------------------------------------------------------------

analyst --lang en report bought_together >"$tmp/en" 2>&1
rc=$?
sed 's/^/# /' "$tmp/en"
check "bought_together as a table in English" $([ $rc = 0 ] &&
	[ "$(sed -n 1p "$tmp/en")" = "Bought together" ] && grep -q 'Lift' "$tmp/en"; echo $?)
analyst --lang zh_CN report bought_together >"$tmp/zh" 2>&1
check "and in Chinese" $([ $? = 0 ] && [ "$(sed -n 1p "$tmp/zh")" = "经常一起购买" ] &&
	grep -q '提升度' "$tmp/zh"; echo $?)
analyst report bought_together --format json >"$tmp/json" 2>&1
rc=$?
check "as JSON: the pairs stored" $([ $rc = 0 ] && grep -q '"lift"' "$tmp/json" &&
	[ "$(grep -o '"support_bp"' "$tmp/json" | wc -l)" -ge 1 ]; echo $?)
analyst report bought_together from=2026-01-01 >"$tmp/range" 2>&1
check "no range: refused" $([ $? != 0 ] && grep -q 'RANGE_NOT_APPLICABLE' "$tmp/range"; echo $?)

summary
