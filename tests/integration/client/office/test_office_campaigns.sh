#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_campaigns: campaigns with a holdout as head office runs them
# with kassa-office: `campaign create` on a saved segment of our own new
# members (refusals: an unknown segment, coupon or template, a holdout over
# 50%), `campaign launch` (the holdout gets no coupon and no message, every
# target member one coupon and a message when they consented; the split
# recomputed here from the stored seed, by an independent SipHash-2-4, is
# the stored one), a retry with the same key and a relaunch issue nothing
# twice, a launch cut short after one batch carries on without issuing
# twice, a member who withdrew consent gets no message of the next campaign
# (but its coupon), `campaign show|list`, and `campaign report` on sales of
# known amounts in the window: members, buyers, visits, sales, basket, per
# member, redemption and the uplift with its Welch interval as computed by
# hand here; in English and Chinese, as a table, CSV and JSON. Needs
# KASSA_TEST_ENV and KASSA_TILL (as test_office.sh).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

sql() {
	psql "$KASSA_CONNINFO" -qAtc "$1"
}

# py EXPR: evaluate a Python expression over the JSON object on stdin (as o); exit 0 if true
py() {
	python3 -c "import json,sys; o=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}

# split SEED BP IDS...: the ids held out, by SipHash-2-4 as server/crm/holdout.c documents it
split() {
	python3 - "$@" <<'EOF'
import struct, sys
M = (1 << 64) - 1
def rotl(x, b): return ((x << b) | (x >> (64 - b))) & M
def siphash24(key, msg):
	k0, k1 = struct.unpack('<QQ', key)
	v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]
	def rnd():
		v[0] = (v[0] + v[1]) & M; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32)
		v[2] = (v[2] + v[3]) & M; v[3] = rotl(v[3], 16); v[3] ^= v[2]
		v[0] = (v[0] + v[3]) & M; v[3] = rotl(v[3], 21); v[3] ^= v[0]
		v[2] = (v[2] + v[1]) & M; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32)
	b = (len(msg) & 0xff) << 56
	for i in range(0, len(msg) - len(msg) % 8, 8):
		m, = struct.unpack('<Q', msg[i:i + 8])
		v[3] ^= m; rnd(); rnd(); v[0] ^= m
	tail = msg[len(msg) - len(msg) % 8:]
	for i, c in enumerate(tail): b |= c << (8 * i)
	v[3] ^= b; rnd(); rnd(); v[0] ^= b
	v[2] ^= 0xff
	rnd(); rnd(); rnd(); rnd()
	return v[0] ^ v[1] ^ v[2] ^ v[3]
seed, bp = int(sys.argv[1]), int(sys.argv[2])
key = struct.pack('<Q', seed) + b'kassa-ho'
print(' '.join(i for i in sys.argv[3:]
	       if siphash24(key, struct.pack('<q', int(i))) % 10000 < bp))
EOF
}

# ok NAME COMMAND...: a check that passes when COMMAND succeeds
ok() {
	local name=$1
	shift
	"$@"
	check "$name" $?
}

out_f=$tmp/out
run=$$-$(date +%s)
tag="cmp$run"
seg="CMP $run"
tpl="cmp-$run"

# ---- our own members, endpoint, template and coupon ---------------------------
# 40 new members tagged $tag, SMS as their channel; members 1-5 without
# consent. An SMS file endpoint named to sort last (another part's test
# endpoint, if any, takes precedence: any endpoint will do).
n_members=40
ids=$(sql "INSERT INTO members (phone, card_no, name, tags, marketing_consent, preferred_channel,
		cumulative_spend_minor, points_balance)
	SELECT '+86137' || lpad(((extract(epoch FROM now())::bigint * 7 + $$ * 131 + n)
		% 100000000)::text, 8, '0'), 'CMP' || $$ || '-' || n, 'Campaign ' || n,
		ARRAY['$tag'], n > 5, 1, 0, 0
	FROM generate_series(1, $n_members) n ORDER BY n RETURNING member_id" | tr '\n' ' ')
read -r -a M <<<"$ids"
idlist=$(IFS=,; echo "${M[*]}")
ok "$n_members members registered" test "${#M[@]}" -eq "$n_members"
sql "INSERT INTO endpoints (name, kind, file, channels)
	VALUES ('zz-cmp-$$', 'file', 'cmp-$$.jsonl', '{1}') ON CONFLICT DO NOTHING;
     INSERT INTO message_templates (name, language, version, body)
	VALUES ('$tpl', 'zh_CN', 1, '{name}: {campaign} {coupon}'),
	       ('$tpl', 'en', 1, '{name}: {campaign} {coupon}')"
def=$(sql "INSERT INTO coupon_defs (name, kind, value_minor) VALUES ('CMP $run', 'fixed', 500)
	RETURNING def_id")
# at the end: our endpoint off, and what is still queued to it cancelled
cleanup_endpoint() {
	sql "UPDATE endpoints SET active = false WHERE name = 'zz-cmp-$$';
	     UPDATE outbox SET state = 'cancelled' WHERE endpoint = 'zz-cmp-$$' AND state = 'pending'" || true
}
trap 'cleanup_endpoint; on_exit' EXIT

out=$(admin segment save "$seg" tag="$tag")
ok "segment saved" grep -q '"ok":true' <<<"$out"

today=$(sql "SELECT current_date")
from=$(sql "SELECT current_date - 1")
to=$(sql "SELECT current_date + 1")

# ---- refusals -----------------------------------------------------------------
admin campaign create name=x segment="no such $run" holdout=10% coupon="$def" from="$from" \
	to="$to" >"$out_f" 2>&1; rc=$?
ok "unknown segment: exit 1 SEGMENT_NOT_FOUND" test $rc -eq 1 -a -n "$(grep SEGMENT_NOT_FOUND "$out_f")"
admin campaign create name=x segment="$seg" holdout=10% coupon=999999999 from="$from" to="$to" \
	>"$out_f" 2>&1; rc=$?
ok "unknown coupon: exit 1 COUPON_DEF_NOT_FOUND" test $rc -eq 1 -a -n "$(grep COUPON_DEF_NOT_FOUND "$out_f")"
admin campaign create name=x segment="$seg" holdout=10% template=nosuch-$run from="$from" \
	to="$to" >"$out_f" 2>&1; rc=$?
ok "unknown template: exit 1 TEMPLATE_NOT_FOUND" test $rc -eq 1 -a -n "$(grep TEMPLATE_NOT_FOUND "$out_f")"
admin campaign create name=x segment="$seg" holdout=60% coupon="$def" from="$from" to="$to" \
	>"$out_f" 2>&1; rc=$?
ok "holdout over 50%: exit 1 BAD_HOLDOUT" test $rc -eq 1 -a -n "$(grep BAD_HOLDOUT "$out_f")"
admin campaign create name=x segment="$seg" holdout=10% coupon="$def" from="$to" to="$from" \
	>"$out_f" 2>&1; rc=$?
ok "to before from: exit 1 BAD_DATES" test $rc -eq 1 -a -n "$(grep BAD_DATES "$out_f")"
admin campaign create name=x segment="$seg" from="$from" to="$to" >"$out_f" 2>&1; rc=$?
ok "no holdout given: usage, exit 2" test $rc -eq 2
manager campaign create name=x segment="$seg" holdout=10% coupon="$def" from="$from" to="$to" \
	>"$out_f" 2>&1; rc=$?
ok "a manager may not create one: PERMISSION_DENIED" grep -q PERMISSION_DENIED "$out_f"

# ---- create and launch --------------------------------------------------------
seed=1234567890123
out=$(admin campaign create name="Spring $run" segment="$seg" holdout=30% seed=$seed \
	coupon="$def" template="$tpl" from="$from" to="$to")
ok "campaign created as a draft" py "o['ok'] and o['campaign']['state'] == 'draft' and o['campaign']['seed'] == '$seed' and o['campaign']['holdout_bp'] == 3000 and o['campaign']['segment_version'] == 1" <<<"$out"
C1=$(json_field campaign_id <<<"$out")
audit=$(sql "SELECT count(*) FROM audit_log WHERE action = 'campaign.create' AND subject = 'campaign:$C1'")
ok "create audited" test "$audit" = 1

key=$(python3 -c 'import uuid; print(uuid.uuid4())')
out=$(admin campaign launch "$C1" key="$key")
ok "launched" py "o['campaign']['state'] == 'launched' and o['campaign']['target_members'] + o['campaign']['holdout_members'] == $n_members" <<<"$out"
targets=$(json_field target_members <<<"$out")
holdouts=$(json_field holdout_members <<<"$out")
echo "# campaign $C1: target $targets holdout $holdouts"
ok "both groups have members" test "$targets" -gt 0 -a "$holdouts" -gt 0

held_db=$(sql "SELECT member_id FROM campaign_members WHERE campaign_id = $C1 AND grp = 'holdout'
	ORDER BY member_id" | tr '\n' ' ')
held_py=$(split "$seed" 3000 "${M[@]}")
ok "the split recomputed from the stored seed is the stored one" test "${held_db% }" = "$held_py"

n=$(sql "SELECT count(*) FROM campaign_members cm JOIN coupons c ON c.member_id = cm.member_id
	AND c.def_id = $def WHERE cm.campaign_id = $C1 AND cm.grp = 'holdout'")
ok "no holdout member holds the campaign's coupon" test "$n" = 0
n=$(sql "SELECT count(*) FROM campaign_members cm JOIN outbox o ON o.member_id = cm.member_id
	WHERE cm.campaign_id = $C1 AND cm.grp = 'holdout' AND o.campaign_id = $C1")
ok "no holdout member was messaged" test "$n" = 0
n=$(sql "SELECT count(*) FROM campaign_members cm WHERE cm.campaign_id = $C1 AND cm.grp = 'target'
	AND (SELECT count(*) FROM coupons c WHERE c.member_id = cm.member_id AND c.def_id = $def) = 1
	AND cm.coupon_id IS NOT NULL")
ok "every target member holds exactly one coupon" test "$n" = "$targets"
nocons=$(sql "SELECT count(*) FROM campaign_members cm JOIN members m USING (member_id)
	WHERE cm.campaign_id = $C1 AND cm.grp = 'target' AND NOT m.marketing_consent")
n=$(sql "SELECT count(*) FROM outbox o WHERE o.campaign_id = $C1")
ok "a message to every consenting target member, none to the others" \
	test "$n" = $((targets - nocons))
n=$(sql "SELECT count(*) FROM outbox o JOIN members m USING (member_id)
	WHERE o.campaign_id = $C1 AND NOT m.marketing_consent")
ok "no message to a member without consent" test "$n" = 0
ok "excluded_no_consent counts them" py "o['campaign']['excluded_no_consent'] == $nocons and o['campaign']['messages_queued'] == $targets - $nocons and o['campaign']['coupons_issued'] == $targets" <<<"$out"
n=$(sql "SELECT count(*) FROM campaign_members cm JOIN outbox o ON o.outbox_id = cm.outbox_id
	JOIN coupons c ON c.member_id = cm.member_id AND c.coupon_id = cm.coupon_id
	WHERE cm.campaign_id = $C1 AND o.purpose = 'marketing' AND o.template = '$tpl'
	  AND o.vars ->> 'coupon' = c.code AND o.vars ->> 'campaign' = 'Spring $run'")
ok "each message is the campaign's marketing message naming the member's own coupon" \
	test "$n" = $((targets - nocons))
audit=$(sql "SELECT count(*) FROM audit_log WHERE action = 'campaign.launch' AND subject = 'campaign:$C1'")
ok "launch audited once" test "$audit" = 1

# ---- retry and relaunch --------------------------------------------------------
coupons_before=$(sql "SELECT count(*) FROM coupons WHERE def_id = $def")
out=$(admin campaign launch "$C1" key="$key")
ok "a retry with the same key answers the same" py "o['campaign']['state'] == 'launched' and o['campaign']['target_members'] == $targets" <<<"$out"
out=$(admin campaign launch "$C1")
ok "a relaunch under a new key changes nothing" py "o['campaign']['coupons_issued'] == $targets" <<<"$out"
n=$(sql "SELECT count(*) FROM coupons WHERE def_id = $def")
ok "no coupon issued twice" test "$n" = "$coupons_before"
n=$(sql "SELECT count(*) FROM outbox WHERE campaign_id = $C1")
ok "no message queued twice" test "$n" = $((targets - nocons))

# ---- consent withdrawn: the next campaign sends that member no message --------------
# a consenting target member of C1 withdraws; C2 holds nobody out
X=$(sql "SELECT cm.member_id FROM campaign_members cm JOIN members m USING (member_id)
	WHERE cm.campaign_id = $C1 AND cm.grp = 'target' AND m.marketing_consent
	ORDER BY cm.member_id LIMIT 1")
sql "UPDATE members SET marketing_consent = false, updated_at = now() WHERE member_id = $X"
out=$(admin campaign create name="Summer $run" segment="$seg" holdout_bp=0 coupon="$def" \
	template="$tpl" from="$from" to="$to")
C2=$(json_field campaign_id <<<"$out")
# a launch cut short: the first batch of the members (kassa_campaign_launch_batch, not last)
first=$(printf '%s,' "${M[@]:0:10}")
sql "SELECT r_state FROM kassa_campaign_launch_batch(NULL, NULL, NULL, 9001, $C2,
	'{${first%,}}', '{f,f,f,f,f,f,f,f,f,f}', false) AS (r_id bigint, r_name text,
	r_segment text, r_segment_version integer, r_holdout_bp integer, r_seed text,
	r_coupon_def_id bigint, r_template text, r_starts_on text, r_ends_on text, r_state text,
	r_target bigint, r_holdout bigint, r_coupons bigint, r_messages bigint, r_excluded bigint,
	r_created_at text, r_launched_at text, r_created_by bigint)" >/dev/null
out=$(admin campaign launch "$C2")
ok "the launch carried on: every member once" py "o['campaign']['state'] == 'launched' and o['campaign']['target_members'] == $n_members and o['campaign']['holdout_members'] == 0 and o['campaign']['coupons_issued'] == $n_members" <<<"$out"
n=$(sql "SELECT count(*) FROM campaign_members cm WHERE cm.campaign_id = $C2
	AND (SELECT count(*) FROM coupons c WHERE c.member_id = cm.member_id AND c.def_id = $def
	     AND c.coupon_id = cm.coupon_id) = 1")
ok "each member of C2 got exactly one C2 coupon" test "$n" = "$n_members"
n=$(sql "SELECT count(*) FROM outbox WHERE campaign_id = $C2 AND member_id = $X")
ok "the member who withdrew consent got no message of the next campaign" test "$n" = 0
n=$(sql "SELECT count(*) FROM campaign_members WHERE campaign_id = $C2 AND member_id = $X
	AND coupon_id IS NOT NULL AND outbox_id IS NULL")
ok "... but the campaign's coupon (documented)" test "$n" = 1
ok "C2 excluded the 5 without consent and the one who withdrew" py "o['campaign']['excluded_no_consent'] == 6 and o['campaign']['messages_queued'] == $n_members - 6" <<<"$out"

# ---- two launches at once: they take turns, nothing is issued twice ------------------
out=$(admin campaign create name="Autumn $run" segment="$seg" holdout=25% coupon="$def" \
	from="$from" to="$to")
C3=$(json_field campaign_id <<<"$out")
admin campaign launch "$C3" >"$tmp/l1" 2>&1 &
p1=$!
admin campaign launch "$C3" >"$tmp/l2" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
ok "two concurrent launches both answer the launched campaign" test $r1 -eq 0 -a $r2 -eq 0 \
	-a -n "$(grep '"state":"launched"' "$tmp/l1")" -a -n "$(grep '"state":"launched"' "$tmp/l2")"
n=$(sql "SELECT count(*) || ' ' || count(DISTINCT cm.coupon_id) || ' ' ||
	(SELECT target_members + holdout_members || ' ' || coupons_issued FROM campaigns
	 WHERE campaign_id = $C3) FROM campaign_members cm WHERE cm.campaign_id = $C3")
read -r rows coupons3 members3 issued3 <<<"$n"
c3_coupons=$(sql "SELECT count(*) FROM campaign_members cm JOIN coupons c
	ON c.member_id = cm.member_id AND c.coupon_id = cm.coupon_id WHERE cm.campaign_id = $C3")
ok "... every member once, one coupon per target member" test "$rows" = "$n_members" \
	-a "$members3" = "$n_members" -a "$coupons3" = "$issued3" -a "$c3_coupons" = "$issued3"
audit=$(sql "SELECT count(*) FROM audit_log WHERE action = 'campaign.launch' AND subject = 'campaign:$C3'")
ok "... audited once" test "$audit" = 1

# ---- the report on known sales ------------------------------------------------
# in the window: member k (1-based) of C1 buys k * 1.00 if k % 3 == 0, twice when
# k % 6 == 0; out of the window (10 days ago) every member buys 99.00, which must
# not count. Two target members use their coupon. Spend stays equal to the sales.
sql "INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency, total_minor,
	tendered_minor, change_minor, gross_minor, created_at)
	SELECT t.store_id, t.till_id, 1001, m.id, 'CNY', m.k * 100, m.k * 100, 0, m.k * 100, now()
	FROM unnest('{$idlist}'::bigint[]) WITH ORDINALITY AS m(id, k), tills t,
	     generate_series(1, 2) r
	WHERE t.code = 'S001-T1' AND m.k % 3 = 0 AND (r = 1 OR m.k % 6 = 0);
     INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency, total_minor,
	tendered_minor, change_minor, gross_minor, created_at)
	SELECT t.store_id, t.till_id, 1001, m.id, 'CNY', 9900, 9900, 0, 9900, now() - interval '10 days'
	FROM unnest('{$idlist}'::bigint[]) AS m(id), tills t WHERE t.code = 'S001-T1';
     UPDATE members m SET cumulative_spend_minor = (SELECT coalesce(sum(total_minor), 0)
	FROM transactions t WHERE t.member_id = m.member_id AND t.kind = 'sale')
	WHERE m.member_id = ANY ('{$idlist}'::bigint[]);
     UPDATE coupons c SET state = 'used', used_at = now(), used_txn = (SELECT max(txn_id)
	FROM transactions t WHERE t.member_id = c.member_id)
	WHERE (c.member_id, c.coupon_id) IN (SELECT member_id, coupon_id FROM campaign_members
		WHERE campaign_id = $C1 AND grp = 'target' ORDER BY member_id LIMIT 2);
     UPDATE coupon_defs SET uses_total = uses_total + 2 WHERE def_id = $def"
expect=$(python3 - "$held_py" "${M[@]}" <<'EOF'
import json, math, statistics, sys
held = set(sys.argv[1].split())
ids = sys.argv[2:]
g = {'target': [], 'holdout': []}
for k, i in enumerate(ids, 1):
	visits = (2 if k % 6 == 0 else 1) if k % 3 == 0 else 0
	g['holdout' if i in held else 'target'].append((visits, visits * k * 100))
out = {}
for name, rows in g.items():
	n = len(rows); sales = sum(s for _, s in rows); visits = sum(v for v, _ in rows)
	out[name] = dict(members=n, buyers=sum(1 for v, _ in rows if v), visits=visits, sales=sales,
		basket=round(sales / visits) if visits else None, per=round(sales / n),
		mean=sales / n, var=statistics.variance([s for _, s in rows]))
t, h = out['target'], out['holdout']
d = t['mean'] - h['mean']
half = 1.96 * math.sqrt(t['var'] / t['members'] + h['var'] / h['members'])
out['uplift'] = round(d); out['low'] = round(d - half); out['high'] = round(d + half)
out['rel'] = round(d / h['mean'] * 10000) if h['mean'] > 0 else None
print(json.dumps(out))
EOF
)
echo "# expected: $expect"
analyst --format json campaign report "$C1" >"$out_f" 2>&1
ok "report as JSON" py "o['report'] == 'campaign_report' and [r['group'] for r in o['rows']] == ['target', 'holdout']" <"$out_f"
cp "$out_f" "$out_f.report"
python3 - "$out_f.report" "$expect" "$targets" <<'EOF' >"$out_f" 2>&1
import json, sys
o = json.load(open(sys.argv[1])); e = json.loads(sys.argv[2]); targets = int(sys.argv[3])
bad = []
def eq(what, got, want):
	if got != want: bad.append(f'{what}: got {got!r}, want {want!r}')
for r in o['rows']:
	x = e[r['group']]
	for k, col in (('members', 'members'), ('buyers', 'buyers'), ('visits', 'visits'),
		       ('sales', 'sales'), ('basket', 'basket'), ('per', 'sales_per_member')):
		eq(f"{r['group']} {col}", r[col], x[k])
t = o['rows'][0]
eq('coupons_issued', t['coupons_issued'], targets); eq('coupons_used', t['coupons_used'], 2)
eq('redemption_bp', t['redemption_bp'], round(2 * 10000 / targets))
eq('holdout coupons', o['rows'][1]['coupons_issued'], 0)
n = o['notes']
eq('uplift', int(n['uplift_minor']), e['uplift']); eq('ci_low', int(n['ci_low_minor']), e['low'])
eq('ci_high', int(n['ci_high_minor']), e['high'])
eq('relative', n['relative_uplift_bp'] and int(n['relative_uplift_bp']), e['rel'])
eq('currency', o['currency'], 'CNY')
print('\n'.join(bad))
sys.exit(1 if bad else 0)
EOF
rc=$?
cat "$out_f"
ok "the report's numbers are the hand-computed ones (uplift and its Welch interval too)" test $rc -eq 0

analyst campaign report "$C1" --lang en >"$out_f" 2>&1
ok "report table in English" grep -q "Sales per member" "$out_f"
ok "... with the uplift notes" grep -q "95% confidence interval, low" "$out_f"
cat "$out_f"
analyst campaign report "$C1" --lang zh_CN >"$out_f" 2>&1
ok "report table in Chinese" grep -q "对照组" "$out_f"
cat "$out_f"
analyst --format csv campaign report "$C1" >"$out_f" 2>&1
ok "report as CSV" grep -q "^group,members,buyers,visits,sales" "$out_f"

# ---- show and list --------------------------------------------------------------
out=$(analyst campaign show "$C1")
ok "show" py "o['campaign']['campaign_id'] == $C1 and o['campaign']['name'] == 'Spring $run'" <<<"$out"
analyst --format json campaign list >"$out_f" 2>&1
ok "list has both campaigns" py "{$C1, $C2} <= {r['campaign_id'] for r in o['rows']}" <"$out_f"
analyst campaign show 999999999 >"$out_f" 2>&1; rc=$?
ok "an unknown campaign: exit 1 NOT_FOUND" test $rc -eq 1 -a -n "$(grep CAMPAIGN_NOT_FOUND "$out_f")"

summary
