#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_merge: `kassa-office member import` and `member merge` as an
# administrator uses them (client/office/merge_cmds.c).
#  - import --dry-run: the report says rows and problems, nothing is written;
#  - import with a bad row: the good rows are members, exit 1, the report
#    names the bad row's line and column in the user's language (zh_CN and
#    en), --rejected writes the rejected row with a problem column;
#  - import --all-or-nothing with a bad row: nothing written;
#  - merge without --yes off a terminal: refused, nothing merged; with
#    --yes: JSON with the counts, the merged record points at the survivor.
# Needs KASSA_TEST_ENV and KASSA_TILL (see lib_office.sh).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

# three phones no other test uses: +86 139 then 8 digits from the pid and time
base=$(( ($$ * 7919 + $(date +%s)) % 90000000 + 10000000 ))
p1=139$base
p2=139$(( (base + 1) % 90000000 + 10000000 ))
p3=139$(( (base + 2) % 90000000 + 10000000 ))
members() { sql "SELECT count(*) FROM members WHERE phone IN ('+86$p1', '+86$p2', '+86$p3')"; }

printf 'phone,name,birthday\r\n%s,Office One,1980-01-02\r\n%s,,\r\n%s,Office Three,\r\n' \
	"$p1" "$p2" "$p3" >"$tmp/in.csv"

admin member import "$tmp/in.csv" --dry-run --lang en >"$tmp/dry.txt" 2>&1
rc=$?
check "dry run exits 1 (a problem)" "$([ "$rc" = 1 ]; echo $?)"
grep -q '^rows: 3, imported: 0, rejected: 1$' "$tmp/dry.txt"
check "dry run reports the rows" $?
grep -q '^line 3, column name: a name is required (NAME_REQUIRED)$' "$tmp/dry.txt"
check "dry run names the line and column" $?
check "dry run wrote nothing" "$([ "$(members)" = 0 ]; echo $?)"

admin member import "$tmp/in.csv" --all-or-nothing --lang en >"$tmp/aon.txt" 2>&1
grep -q '^not committed: nothing was written$' "$tmp/aon.txt"
check "all or nothing: not committed" $?
check "all or nothing wrote nothing" "$([ "$(members)" = 0 ]; echo $?)"

admin member import "$tmp/in.csv" --rejected "$tmp/rejected.csv" --lang zh_CN >"$tmp/ok.txt" 2>&1
rc=$?
check "valid rows: exit 1 for the bad row" "$([ "$rc" = 1 ]; echo $?)"
grep -q '^第 3 行，列 name：姓名必填（NAME_REQUIRED）$' "$tmp/ok.txt"
check "the report in Chinese" $?
check "the two good rows are members" "$([ "$(members)" = 2 ]; echo $?)"
printf 'phone,name,birthday,problem\r\n%s,,,name:NAME_REQUIRED\r\n' "$p2" | cmp -s - "$tmp/rejected.csv"
check "--rejected holds the bad row with its problem" $?

keep=$(sql "SELECT member_id FROM members WHERE phone = '+86$p1'")
gone=$(sql "SELECT member_id FROM members WHERE phone = '+86$p3'")
admin member merge "$keep" "$gone" --reason "same customer" </dev/null >"$tmp/m0.json" 2>&1
rc=$?
check "merge without --yes off a terminal is refused" "$([ "$rc" = 2 ]; echo $?)"
check "nothing merged" "$([ -z "$(sql "SELECT merged_into FROM members WHERE member_id = $gone")" ]; echo $?)"
admin member merge "$keep" "$gone" --reason "same customer" --yes >"$tmp/m.json" 2>&1
check "merge exits 0" $?
check "merge answers the survivor" "$([ "$(json_field keep_member_id <"$tmp/m.json")" = "$keep" ]; echo $?)"
check "the merged record points at the survivor" \
	"$([ "$(sql "SELECT merged_into FROM members WHERE member_id = $gone")" = "$keep" ]; echo $?)"
summary
