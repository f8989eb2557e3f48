/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_admin: configuring the loyalty engine through the protocol, end to
 * end over TLS into PostgreSQL. An administrator's new rule-set version
 * prices the very next sale; a bad one never becomes a version; concurrent
 * saves get consecutive versions. Coupons are defined, issued by a manager
 * or claimed with a code (once), given at registration, and used at a
 * checkout. A manager sets a tier by hand, with a reason, audited. Every
 * change is exactly once per idempotency key, and only the roles allowed
 * may make it.
 *
 * The tests share the database with the others: rule changes are put back
 * (as a newer version with the old document), and the registration coupon
 * is valid today only and switched off at the end.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"
#include "ruleset.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ST(x) KASSA__V1__STATUS_CODE__##x

/* ---- connections and requests (sent with the client library) ---- */

static KassaClient *admin_login(Harness *h)
{
	return it_login(h, "HQ-OFFICE-1", 9001, "0000");
}

static KassaClient *manager_login(Harness *h)
{
	return it_login(h, "S001-T2", 2001, "9999");
}

/* The client library's answer r (with its result kr); NULL + CHECK if there is none. */
static Kassa__V1__Response *answered(KcResult kr, Kassa__V1__Response *r, const char *what)
{
	CHECK(kr == KC_OK && r != NULL, "%s: no answer (%s)", what, kc_result_name(kr));
	return r;
}

/* Is r an answer with status code and detail? CHECKs with what on a mismatch. */
static bool expect(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail,
		   const char *what)
{
	return CHECK(r && kc_status(r) == code && strcmp(kc_detail(r), detail) == 0,
		     "%s: expected %s/%s, got %s/%s (%s)", what, kc_status_name(code), detail,
		     r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : "-",
		     r ? kc_message(r) : "no answer");
}

static bool is_ok(const Kassa__V1__Response *r, const char *what)
{
	return expect(r, ST(OK), "", what);
}

static Kassa__V1__Response *rules_get(KassaClient *kc)
{
	Kassa__V1__Response *r = NULL;
	KcResult kr = kc_rule_set_get(kc, &r);

	return answered(kr, r, "RuleSetGet");
}

static Kassa__V1__Response *rules_put(KassaClient *kc, const char *config, const char *note,
				      const char *key)
{
	Kassa__V1__Response *r = NULL;
	KcResult kr = kc_rule_set_put(kc, config, note, key, &r);

	return answered(kr, r, "RuleSetPut");
}

static Kassa__V1__Response *coupon_define(KassaClient *kc, const Kassa__V1__CouponDefine *d,
					  const char *key)
{
	Kassa__V1__Response *r = NULL;
	KcResult kr = kc_coupon_define(kc, d, key, &r);

	return answered(kr, r, "CouponDefine");
}

/* Issue by definition id (def_id > 0) or by claim code; key NULL = a fresh one. */
static Kassa__V1__Response *coupon_issue(KassaClient *kc, int64_t member_id, int64_t def_id,
					 const char *claim, const char *key)
{
	Kassa__V1__Response *r = NULL;
	KcResult kr = kc_coupon_issue(kc, member_id, def_id, claim, key, &r);

	return answered(kr, r, "CouponIssue");
}

/* key NULL = a fresh one. */
static Kassa__V1__Response *tier_set(KassaClient *kc, int64_t member_id, const char *tier,
				     const char *reason, const char *key)
{
	Kassa__V1__Response *r = NULL;
	KcResult kr = kc_tier_set(kc, member_id, tier, reason, key, &r);

	return answered(kr, r, "TierSet");
}

/* A checkout of lines with cash, and coupons (may be NULL); the answer. */
static Kassa__V1__Response *sale(KassaClient *kc, int64_t member_id, const KcLine *lines,
				 size_t n, const char *coupon)
{
	KcTender cash[] = { { CASH, 100000, NULL } };
	const char *codes[1] = { coupon };
	KcSale s = { .lines = lines, .nlines = n, .member_id = member_id, .tenders = cash,
		     .ntenders = 1, .coupon_codes = codes, .ncoupons = coupon ? 1 : 0 };
	char key[KC_KEY_LEN];
	Kassa__V1__Response *r = NULL;

	kc_new_key(key);
	CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK, "checkout sent");
	return r;
}

/* config with tier `tier`'s discount set to bp (malloc'd JSON), NULL if it has no such tier. */
static char *config_with_discount(const char *config, const char *tier, int bp)
{
	json_t *root = json_loads(config, 0, NULL), *t;
	char *out = NULL;
	size_t i;

	json_array_foreach(json_object_get(root, "tiers"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));

		if (name && strcmp(name, tier) == 0) {
			json_object_set_new(t, "discount_bp", json_integer(bp));
			out = json_dumps(root, JSON_COMPACT);
		}
	}
	json_decref(root);
	return out;
}

/* ---- rules ---- */

/* Guards: the rule set in force reads back whole, and it is one kassad can parse. */
static void test_rules_get(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r;
	RuleSet rs;
	char err[256];

	if (kc == NULL)
		return;
	r = rules_get(kc);
	if (is_ok(r, "a cashier reads the rules") &&
	    CHECK(r->body_case == KASSA__V1__RESPONSE__BODY_RULE_SET_INFO, "a RuleSetInfo")) {
		Kassa__V1__RuleSetInfo *i = r->rule_set_info;

		CHECK(i->version >= 1, "version %d", (int)i->version);
		CHECK(i->version == it_sql_int(h, "SELECT max(version) FROM rule_versions"),
		      "the newest version");
		CHECK(ruleset_parse(i->config_json, i->version, &rs, err, sizeof(err)),
		      "the document parses: %s", err);
		CHECK(strlen(i->created_at) == 20 && i->created_at[10] == 'T' &&
		      i->created_at[19] == 'Z', "created_at RFC 3339 UTC: %s", i->created_at);
	}
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: a new version prices the next sale, is audited, replays, and is put back. */
static void test_rules_put_applies(Harness *h)
{
	KassaClient *ad = admin_login(h), *ca = it_cashier(h);
	Kassa__V1__Response *g = NULL, *p = NULL, *p2 = NULL, *p3 = NULL, *s = NULL, *back = NULL;
	char key[KC_KEY_LEN], note[64], phone[32], *config = NULL, *silver = NULL, err[256];
	KcLine tea[] = { { "SKU-TEA", 2, false } };	/* 20.00 */
	int32_t v0;
	int64_t id;
	RuleSet rs;

	if (ad == NULL || ca == NULL)
		goto out;
	g = rules_get(ad);
	if (!is_ok(g, "rules get"))
		goto out;
	v0 = g->rule_set_info->version;
	config = strdup(g->rule_set_info->config_json);
	silver = config_with_discount(config, "Silver", 1500);
	if (!CHECK(silver != NULL, "the rule set has a Silver tier"))
		goto out;

	it_fresh_name("itest admin silver 15%", note);
	kc_new_key(key);
	p = rules_put(ad, silver, note, key);
	if (!is_ok(p, "admin puts Silver 15%"))
		goto out;
	CHECK(p->rule_set_info->version == v0 + 1, "version %d after %d",
	      (int)p->rule_set_info->version, (int)v0);
	CHECK(p->rule_set_info->staff_id == 9001 && strcmp(p->rule_set_info->note, note) == 0,
	      "who and why kept");
	CHECK(ruleset_parse(p->rule_set_info->config_json, v0 + 1, &rs, err, sizeof(err)) &&
	      rs.tiers[ruleset_tier_index(&rs, "Silver")].discount_bp == 1500,
	      "stored document has Silver at 1500: %s", err);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'rules.set'"
			 " AND subject = 'rules:%d' AND staff_id = 9001 AND till_id IS NOT NULL"
			 " AND detail->>'note' = '%s' AND (detail->>'previous')::int = %d",
			 (int)(v0 + 1), note, (int)v0) == 1, "audited");

	/* the same key again: the same answer, no new version */
	p2 = rules_put(ad, silver, note, key);
	CHECK(is_ok(p2, "replay") && it_same_response(p, p2), "a replay answers the same");
	p3 = rules_put(ad, config, note, key);
	expect(p3, ST(ABORTED), "IDEMPOTENCY_KEY_REUSED", "same key, another document");
	CHECK(it_sql_int(h, "SELECT max(version) FROM rule_versions") == v0 + 1,
	      "one version for one key");

	/* a Silver member's next sale: 15% off, priced with the new version */
	id = it_register(h, ca, "Silver Admin", phone);
	if (id > 0) {
		char sql[128];

		snprintf(sql, sizeof(sql),
			 "UPDATE members SET tier = 'Silver' WHERE member_id = %lld",
			 (long long)id);
		CHECK(harness_psql_exec(h, sql), "make the member Silver");
		s = sale(ca, id, tea, 1, NULL);
		if (is_ok(s, "Silver checkout")) {
			Kassa__V1__Transaction *t = s->transaction;

			CHECK(t->gross_minor == 2000 && t->tier_saving_minor == 300 &&
			      t->total_minor == 1700, "15%% of 20.00 off: gross %lld saving %lld "
			      "total %lld", (long long)t->gross_minor,
			      (long long)t->tier_saving_minor, (long long)t->total_minor);
			CHECK(t->rule_version == v0 + 1, "priced with version %d, not %d",
			      (int)(v0 + 1), (int)t->rule_version);
			CHECK(strcmp(t->tier, "Silver") == 0, "tier Silver: %s", t->tier);
		}
		it_check_ledgers(h, id);
	}
out:
	if (p && kc_status(p) == ST(OK)) {
		/* put the original document back, as a newer version */
		kc_new_key(key);
		back = rules_put(ad, config, "itest admin: restore", key);
		CHECK(is_ok(back, "restore") &&
		      strcmp(back->rule_set_info->config_json, config) == 0,
		      "the original document is back in force");
	}
	free(config);
	free(silver);
	kc_response_free(g);
	kc_response_free(p);
	kc_response_free(p2);
	kc_response_free(p3);
	kc_response_free(s);
	kc_response_free(back);
	kc_free(ad);
	kc_free(ca);
}

/* Guards: a bad document never becomes a version; only an administrator saves one. */
static void test_rules_refused(Harness *h)
{
	KassaClient *ad = admin_login(h), *ca = it_cashier(h), *mg = manager_login(h);
	Kassa__V1__Response *g = NULL, *r;
	char key[KC_KEY_LEN], *big = NULL, *bad_tier = NULL;
	int64_t v0 = it_sql_int(h, "SELECT max(version) FROM rule_versions");
	int64_t a0 = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'rules.set'");

	if (ad == NULL || ca == NULL || mg == NULL)
		goto out;
	g = rules_get(ad);
	if (!is_ok(g, "rules get"))
		goto out;

	const char *bad[] = { "", "{", "[]", "{\"tiers\": []}", "null" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		kc_new_key(key);
		r = rules_put(ad, bad[i], "bad", key);
		if (expect(r, ST(INVALID_ARGUMENT), "BAD_RULES", bad[i]))
			CHECK(kc_message(r)[0] != '\0', "the parser says why");
		kc_response_free(r);
	}
	bad_tier = config_with_discount(g->rule_set_info->config_json, "Silver", 20000);
	kc_new_key(key);
	r = rules_put(ad, bad_tier ? bad_tier : "", "bad", key);
	if (expect(r, ST(INVALID_ARGUMENT), "BAD_RULES", "a discount of 200%"))
		CHECK(strstr(kc_message(r), "discount_bp") != NULL, "names the field: %s",
		      kc_message(r));
	kc_response_free(r);

	/* valid, but over 64 KiB: the limit, not the parser, refuses it */
	size_t n = strlen(g->rule_set_info->config_json), total = 64 * 1024 + 1;
	big = malloc(total + 1);
	memset(big, ' ', total);
	memcpy(big, g->rule_set_info->config_json, n);
	big[total] = '\0';
	kc_new_key(key);
	r = rules_put(ad, big, "too big", key);
	expect(r, ST(INVALID_ARGUMENT), "BAD_RULES", "65537 bytes");
	kc_response_free(r);

	kc_new_key(key);
	r = rules_put(ca, g->rule_set_info->config_json, "cashier", key);
	expect(r, ST(PERMISSION_DENIED), "ROLE_NOT_ALLOWED", "a cashier puts rules");
	kc_response_free(r);
	kc_new_key(key);
	r = rules_put(mg, g->rule_set_info->config_json, "manager", key);
	expect(r, ST(PERMISSION_DENIED), "ROLE_NOT_ALLOWED", "a manager puts rules");
	kc_response_free(r);

	CHECK(it_sql_int(h, "SELECT max(version) FROM rule_versions") == v0, "no new version");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'rules.set'") == a0,
	      "no audit row");
out:
	free(big);
	free(bad_tier);
	kc_response_free(g);
	kc_free(ad);
	kc_free(ca);
	kc_free(mg);
}

typedef struct PutThread {
	Harness *h;
	const char *config;		/* borrowed */
	pthread_barrier_t *go;
	KassaClient *kc;
	int32_t version;		/* out: 0 on failure */
} PutThread;

static void *put_thread(void *arg)
{
	PutThread *t = arg;
	char key[KC_KEY_LEN];
	Kassa__V1__Response *r;

	kc_new_key(key);
	pthread_barrier_wait(t->go);
	r = rules_put(t->kc, t->config, "itest admin: concurrent", key);
	if (is_ok(r, "concurrent put"))
		t->version = r->rule_set_info->version;
	kc_response_free(r);
	return NULL;
}

/* Guards: two saves at once from two connections get two consecutive versions. */
static void test_rules_concurrent(Harness *h)
{
	PutThread t[2] = { { 0 } };
	pthread_t th[2];
	pthread_barrier_t go;
	Kassa__V1__Response *g = NULL;
	int32_t v0, lo, hi;

	t[0].kc = admin_login(h);
	t[1].kc = admin_login(h);
	if (t[0].kc == NULL || t[1].kc == NULL)
		goto out;
	g = rules_get(t[0].kc);
	if (!is_ok(g, "rules get"))
		goto out;
	v0 = g->rule_set_info->version;
	pthread_barrier_init(&go, NULL, 2);
	for (int i = 0; i < 2; i++) {
		t[i].h = h;
		t[i].config = g->rule_set_info->config_json;	/* unchanged: prices stay */
		t[i].go = &go;
		pthread_create(&th[i], NULL, put_thread, &t[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	lo = t[0].version < t[1].version ? t[0].version : t[1].version;
	hi = t[0].version < t[1].version ? t[1].version : t[0].version;
	CHECK(lo == v0 + 1 && hi == v0 + 2, "versions %d and %d after %d", (int)t[0].version,
	      (int)t[1].version, (int)v0);
	CHECK(it_sql_int(h, "SELECT count(*) FROM rule_versions WHERE version > %d", (int)v0) == 2,
	      "two new versions");
out:
	kc_response_free(g);
	kc_free(t[0].kc);
	kc_free(t[1].kc);
}

/* ---- coupons ---- */

static Kassa__V1__CouponDefine fixed_def(const char *name, int64_t value)
{
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;

	d.name = (char *)name;
	d.kind = KASSA__V1__COUPON_KIND__COUPON_FIXED;
	d.value_minor = value;
	d.max_uses_per_member = 1;
	d.issue_on = "manual";
	return d;
}

/* Define d; its def_id, 0 (with a CHECK) on failure. */
static int64_t define_ok(KassaClient *ad, const Kassa__V1__CouponDefine *d)
{
	char key[KC_KEY_LEN];
	Kassa__V1__Response *r;
	int64_t id = 0;

	kc_new_key(key);
	r = coupon_define(ad, d, key);
	if (is_ok(r, d->name) &&
	    CHECK(r->body_case == KASSA__V1__RESPONSE__BODY_COUPON_DEFINED, "CouponDefined"))
		id = r->coupon_defined->def_id;
	kc_response_free(r);
	return id;
}

/* One definition the server must refuse with code/detail. */
static void define_refused(KassaClient *kc, const Kassa__V1__CouponDefine *d,
			   Kassa__V1__StatusCode code, const char *detail, const char *what)
{
	char key[KC_KEY_LEN];
	Kassa__V1__Response *r;

	kc_new_key(key);
	r = coupon_define(kc, d, key);
	expect(r, code, detail, what);
	kc_response_free(r);
}

/* Guards: each bad definition is refused with its own detail and writes nothing. */
static void test_coupon_define_refused(Harness *h)
{
	KassaClient *ad = admin_login(h), *mg = manager_login(h);
	int64_t n0 = it_sql_int(h, "SELECT count(*) FROM coupon_defs");
	Kassa__V1__CouponDefine d;

	if (ad == NULL || mg == NULL)
		goto out;
	d = fixed_def("", 100);
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_NAME", "an empty name");
	d = fixed_def("itest bad", 0);
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_VALUE", "a fixed coupon of 0");
	d = fixed_def("itest bad", 100);
	d.kind = KASSA__V1__COUPON_KIND__COUPON_PERCENT;
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_PERCENT", "a percent coupon of 0%");
	d.percent_bp = 10001;
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_PERCENT", "a percent coupon of 100.01%");
	d.percent_bp = 1000;
	d.cap_minor = -1;
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_CAP", "a negative cap");
	d = fixed_def("itest bad", 100);
	d.kind = KASSA__V1__COUPON_KIND__COUPON_UNSPECIFIED;
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_COUPON_KIND", "no kind");
	d.kind = KASSA__V1__COUPON_KIND__COUPON_FREE_ITEM;
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_ITEM_SKU", "a free item without SKU");
	d.item_sku = "NO-SUCH-SKU";
	define_refused(ad, &d, ST(NOT_FOUND), "UNKNOWN_PRODUCT", "a free item nobody sells");
	d = fixed_def("itest bad", 100);
	d.valid_to = "2030-02-30";
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_DATE", "30 February");
	d.valid_from = "2030-02-02";
	d.valid_to = "2030-02-01";
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_DATE", "from after to");
	d = fixed_def("itest bad", 100);
	d.max_uses_per_member = -1;
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_MAX_USES", "a negative limit");
	d = fixed_def("itest bad", 100);
	d.issue_on = "sometimes";
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_ISSUE_ON", "an unknown issue_on");
	d.issue_on = "code";
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_CLAIM_CODE", "code without a claim code");
	d.claim_code = "AB";
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_CLAIM_CODE", "a claim code too short");
	d.issue_on = "manual";
	d.claim_code = "ITEST-MANUAL";
	define_refused(ad, &d, ST(INVALID_ARGUMENT), "BAD_CLAIM_CODE", "a claim code on manual");
	d = fixed_def("itest bad", 100);
	define_refused(mg, &d, ST(PERMISSION_DENIED), "ROLE_NOT_ALLOWED", "a manager defines");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupon_defs") == n0, "no definition written");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'coupon.define'"
			 " AND detail->>'name' = 'itest bad'") == 0, "no audit row");
out:
	kc_free(ad);
	kc_free(mg);
}

/* Guards: define, issue by id (manager only), use at a checkout; replays answer the same. */
static void test_coupon_issue_and_use(Harness *h)
{
	KassaClient *ad = admin_login(h), *mg = manager_login(h), *ca = it_cashier(h);
	Kassa__V1__Response *r = NULL, *r2 = NULL, *s = NULL, *f = NULL;
	char name[64], key[KC_KEY_LEN], phone[32], code[80] = "";
	KcLine tea[] = { { "SKU-TEA", 1, false } };	/* 10.00 */
	Kassa__V1__CouponDefine d;
	int64_t def, id, n0, v0;

	if (ad == NULL || mg == NULL || ca == NULL)
		goto out;
	it_fresh_name("itest fixed 5.00", name);
	d = fixed_def(name, 500);
	kc_new_key(key);
	v0 = it_sql_int(h, "SELECT max(version) FROM rule_versions");
	r = coupon_define(ad, &d, key);
	if (!is_ok(r, "define"))
		goto out;
	def = r->coupon_defined->def_id;
	r2 = coupon_define(ad, &d, key);
	CHECK(is_ok(r2, "define replay") && r2->coupon_defined->def_id == def,
	      "a replayed define answers the same definition");
	CHECK(it_sql_int(h, "SELECT max(version) FROM rule_versions") == v0 + 1 &&
	      it_sql_int(h, "SELECT count(*) FROM rule_versions r, rule_versions p"
			 " WHERE r.version = %lld AND p.version = %lld AND r.config = p.config",
			 (long long)v0 + 1, (long long)v0) == 1,
	      "the definition makes one new rule version, same rules (replay included)");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupon_defs WHERE name = '%s'", name) == 1,
	      "one definition for one key");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'coupon.define'"
			 " AND subject = 'coupon_def:%lld' AND staff_id = 9001",
			 (long long)def) == 1,
	      "define audited");
	kc_response_free(r);
	kc_response_free(r2);
	r = r2 = NULL;

	id = it_register(h, ca, "Coupon Admin", phone);
	if (id == 0)
		goto out;
	r = coupon_issue(ca, id, def, NULL, NULL);
	expect(r, ST(PERMISSION_DENIED), "ROLE_NOT_ALLOWED", "a cashier issues by definition");
	kc_response_free(r);
	n0 = it_sql_int(h, "SELECT count(*) FROM coupons WHERE def_id = %lld", (long long)def);
	CHECK(n0 == 0, "the refused issue wrote nothing");

	kc_new_key(key);
	r = coupon_issue(mg, id, def, NULL, key);
	if (!is_ok(r, "a manager issues by definition") ||
	    !CHECK(r->body_case == KASSA__V1__RESPONSE__BODY_COUPON, "a Coupon"))
		goto out;
	snprintf(code, sizeof(code), "%s", r->coupon->code);
	CHECK(strlen(code) == 12 && code[0] == 'C' && strspn(code, "ABCDEFGHJKLMNPQRSTUVWXYZ"
							  "23456789") == 12,
	      "code 'C' + 11 of the alphabet: %s", code);
	CHECK(r->coupon->kind == KASSA__V1__COUPON_KIND__COUPON_FIXED &&
	      r->coupon->value_minor == 500 && strcmp(r->coupon->name, name) == 0,
	      "the coupon as defined");
	r2 = coupon_issue(mg, id, def, NULL, key);
	CHECK(is_ok(r2, "issue replay") && strcmp(r2->coupon->code, code) == 0,
	      "a replayed issue gives the same coupon");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE def_id = %lld AND member_id = %lld",
			 (long long)def, (long long)id) == 1, "one coupon for one key");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'coupon.issue'"
			 " AND subject = 'member:%lld' AND staff_id = 2001"
			 " AND detail->>'code' = '%s'",
			 (long long)id, code) == 1, "issue audited");

	/* a manager may give another; the till sees both */
	f = coupon_issue(mg, id, def, NULL, NULL);
	CHECK(is_ok(f, "a second by definition") && strcmp(f->coupon->code, code) != 0,
	      "a second coupon, another code");

	s = sale(ca, id, tea, 1, code);
	if (is_ok(s, "checkout with the coupon")) {
		Kassa__V1__Transaction *t = s->transaction;

		CHECK(t->coupon_off_minor == 500 && t->total_minor == 500, "5.00 off 10.00: "
		      "off %lld total %lld", (long long)t->coupon_off_minor,
		      (long long)t->total_minor);
		CHECK(t->n_coupon_codes == 1 && strcmp(t->coupon_codes[0], code) == 0,
		      "the sale names the coupon");
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE code = '%s' AND state = 'used'",
			 code) == 1, "the coupon is used");
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_response_free(r2);
	kc_response_free(s);
	kc_response_free(f);
	kc_free(ad);
	kc_free(mg);
	kc_free(ca);
}

/* Guards: a claim code works once per member, in any case, and only while the coupon lives. */
static void test_coupon_claim(Harness *h)
{
	KassaClient *ad = admin_login(h), *ca = it_cashier(h);
	Kassa__V1__Response *r = NULL, *r2 = NULL;
	char name[64], claim[64], lower[64], old_claim[64], key[KC_KEY_LEN], phone[32];
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;
	int64_t def, id;

	if (ad == NULL || ca == NULL)
		goto out;
	it_fresh_name("itest claim 10%", name);
	it_fresh_name("ITEST", claim);
	d.name = name;
	d.kind = KASSA__V1__COUPON_KIND__COUPON_PERCENT;
	d.percent_bp = 1000;
	d.cap_minor = 2000;
	d.max_uses_per_member = 1;
	d.issue_on = "code";
	d.claim_code = claim;
	def = define_ok(ad, &d);
	if (def == 0)
		goto out;

	/* a second definition may not take the same code */
	it_fresh_name("itest claim twin", name);
	kc_new_key(key);
	r = coupon_define(ad, &d, key);
	expect(r, ST(ALREADY_EXISTS), "CLAIM_CODE_TAKEN", "a claim code used twice");
	kc_response_free(r);

	id = it_register(h, ca, "Claim Admin", phone);
	if (id == 0)
		goto out;
	for (size_t i = 0; claim[i]; i++)
		lower[i] = (char)(claim[i] >= 'A' && claim[i] <= 'Z' ? claim[i] + 32 : claim[i]);
	lower[strlen(claim)] = '\0';
	kc_new_key(key);
	r = coupon_issue(ca, id, 0, lower, key);
	if (is_ok(r, "a cashier claims with the code in lower case")) {
		CHECK(r->coupon->kind == KASSA__V1__COUPON_KIND__COUPON_PERCENT &&
		      r->coupon->percent_bp == 1000 && r->coupon->cap_minor == 2000,
		      "the coupon as defined");
		r2 = coupon_issue(ca, id, 0, lower, key);
		CHECK(is_ok(r2, "claim replay") && strcmp(r2->coupon->code, r->coupon->code) == 0,
		      "a replayed claim gives the same coupon, not a refusal");
		kc_response_free(r2);
	}
	kc_response_free(r);
	r = coupon_issue(ca, id, 0, claim, NULL);
	expect(r, ST(FAILED_PRECONDITION), "COUPON_ALREADY_CLAIMED", "a second claim");
	kc_response_free(r);
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE def_id = %lld",
			 (long long)def) == 1, "one coupon for the member");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'coupon.issue'"
			 " AND subject = 'member:%lld' AND detail->>'by' = 'claim_code'",
			 (long long)id) == 1, "the claim audited once");

	r = coupon_issue(ca, id, 0, "NO-SUCH-CLAIM", NULL);
	expect(r, ST(NOT_FOUND), "CLAIM_CODE_NOT_FOUND", "an unknown claim code");
	kc_response_free(r);
	r = coupon_issue(ca, id, 0, "", NULL);
	expect(r, ST(INVALID_ARGUMENT), "BAD_COUPON_ISSUE", "neither id nor code");
	kc_response_free(r);

	/* a code coupon that ended long ago */
	it_fresh_name("itest claim old", name);
	it_fresh_name("ITOLD", old_claim);
	d.name = name;
	d.claim_code = old_claim;
	d.valid_from = "2020-01-01";
	d.valid_to = "2020-01-31";
	if (define_ok(ad, &d) > 0) {
		r = coupon_issue(ca, id, 0, old_claim, NULL);
		expect(r, ST(FAILED_PRECONDITION), "COUPON_EXPIRED", "a claim after the end");
		kc_response_free(r);
	}
	it_check_ledgers(h, id);
out:
	kc_free(ad);
	kc_free(ca);
}

/* Guards: a new member gets the first-order coupon once, even when the registration is retried. */
static void test_registration_coupon(Harness *h)
{
	KassaClient *ad = admin_login(h), *ca = it_cashier(h);
	Kassa__V1__Response *r = NULL, *r2 = NULL, *g = NULL;
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	char name[64], today[16], key[KC_KEY_LEN], phone[32], sql[160];
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;
	int64_t def = 0, id;
	bool seen = false;

	if (ad == NULL || ca == NULL ||
	    !CHECK(harness_psql_scalar(h, "SELECT current_date::text", today, sizeof(today)),
		   "today"))
		goto out;
	it_fresh_name("itest first order", name);
	d.name = name;
	d.kind = KASSA__V1__COUPON_KIND__COUPON_FIXED;
	d.value_minor = 300;
	d.max_uses_per_member = 1;
	d.issue_on = "registration";
	d.valid_from = today;	/* today only: other tests' members get it today at most */
	d.valid_to = today;
	def = define_ok(ad, &d);
	if (def == 0)
		goto out;

	it_fresh_phone(phone);
	reg.name = "First Order";
	reg.phone = phone;
	kc_new_key(key);
	if (kc_member_register(ca, &reg, key, &r) != KC_OK || !is_ok(r, "register"))
		goto out;
	id = r->member->member_id;
	CHECK(kc_member_register(ca, &reg, key, &r2) == KC_OK && is_ok(r2, "register replay") &&
	      r2->member->member_id == id, "a replayed registration is the same member");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE def_id = %lld AND member_id = %lld",
			 (long long)def, (long long)id) == 1, "one first-order coupon, not two");
	CHECK(kc_member_get_by_id(ca, id, &g) == KC_OK && is_ok(g, "member get"), "member get");
	for (size_t i = 0; g && g->member && i < g->member->n_coupons; i++)
		seen = seen || (strcmp(g->member->coupons[i]->name, name) == 0 &&
				g->member->coupons[i]->value_minor == 300);
	CHECK(seen, "MemberGet lists the first-order coupon");
out:
	if (def > 0) {
		snprintf(sql, sizeof(sql),
			 "UPDATE coupon_defs SET active = false WHERE def_id = %lld",
			 (long long)def);
		CHECK(harness_psql_exec(h, sql), "switch the registration coupon off");
	}
	kc_response_free(r);
	kc_response_free(r2);
	kc_response_free(g);
	kc_free(ad);
	kc_free(ca);
}

/* ---- tiers ---- */

/* Guards: a tier set by hand needs a known tier and a reason, is audited, and prices the sale. */
static void test_tier_set(Harness *h)
{
	KassaClient *mg = manager_login(h), *ca = it_cashier(h);
	Kassa__V1__Response *r = NULL, *r2 = NULL, *s = NULL;
	char phone[32], key[KC_KEY_LEN];
	KcLine tea[] = { { "SKU-TEA", 1, false } };	/* 10.00 */
	int64_t id, a0, bp;

	if (mg == NULL || ca == NULL)
		goto out;
	id = it_register(h, ca, "Tier Admin", phone);
	if (id == 0)
		goto out;
	a0 = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE subject = 'member:%lld'",
			(long long)id);
	r = tier_set(mg, id, "Platinum", "itest", NULL);
	expect(r, ST(INVALID_ARGUMENT), "UNKNOWN_TIER", "a tier the rules lack");
	kc_response_free(r);
	r = tier_set(mg, id, "Gold", "", NULL);
	expect(r, ST(INVALID_ARGUMENT), "BAD_REASON", "no reason");
	kc_response_free(r);
	r = tier_set(mg, id, "Gold", "   ", NULL);
	expect(r, ST(INVALID_ARGUMENT), "BAD_REASON", "a blank reason");
	kc_response_free(r);
	r = tier_set(ca, id, "Gold", "itest", NULL);
	expect(r, ST(PERMISSION_DENIED), "ROLE_NOT_ALLOWED", "a cashier sets a tier");
	kc_response_free(r);
	r = tier_set(mg, 999999999, "Gold", "itest", NULL);
	expect(r, ST(NOT_FOUND), "MEMBER_NOT_FOUND", "no such member");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE subject = 'member:%lld'",
			 (long long)id) == a0, "refusals audit nothing");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld"
			 " AND tier = 'Regular' AND NOT tier_manual", (long long)id) == 1,
	      "refusals change nothing");

	bp = it_sql_int(h, "SELECT (t->>'discount_bp')::bigint FROM rule_versions r,"
			" jsonb_array_elements(r.config->'tiers') t WHERE t->>'name' = 'Gold'"
			" AND r.version = (SELECT max(version) FROM rule_versions)");
	kc_new_key(key);
	r = tier_set(mg, id, "Gold", "itest: loyal customer", key);
	if (is_ok(r, "a manager sets Gold") &&
	    CHECK(r->body_case == KASSA__V1__RESPONSE__BODY_MEMBER, "a Member")) {
		CHECK(r->member->member_id == id && strcmp(r->member->tier, "Gold") == 0 &&
		      r->member->tier_discount_bp == bp && strcmp(r->member->phone, phone) == 0,
		      "the member, Gold at %lld bp, phone whole for a manager", (long long)bp);
		r2 = tier_set(mg, id, "Gold", "itest: loyal customer", key);
		CHECK(is_ok(r2, "tier replay") && it_same_response(r, r2),
		      "a replay answers the same");
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld AND tier = 'Gold'"
			 " AND tier_manual AND tier_since > now() - interval '1 minute'",
			 (long long)id) == 1, "stored: Gold, manual, since now");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'tier.set'"
			 " AND subject = 'member:%lld' AND staff_id = 2001"
			 " AND detail = '{\"from\": \"Regular\", \"to\": \"Gold\","
			 " \"reason\": \"itest: loyal customer\"}'::jsonb", (long long)id) == 1,
	      "audited once with from, to and reason");

	s = sale(ca, id, tea, 1, NULL);
	if (is_ok(s, "a Gold sale"))
		CHECK(strcmp(s->transaction->tier, "Gold") == 0 &&
		      s->transaction->tier_saving_minor == (1000 * bp + 5000) / 10000,
		      "priced as Gold: saving %lld", (long long)s->transaction->tier_saving_minor);
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_response_free(r2);
	kc_response_free(s);
	kc_free(mg);
	kc_free(ca);
}

static const HarnessTest tests[] = {
	{ "rules_get", test_rules_get },
	{ "rules_put_applies", test_rules_put_applies },
	{ "rules_refused", test_rules_refused },
	{ "rules_concurrent", test_rules_concurrent },
	{ "coupon_define_refused", test_coupon_define_refused },
	{ "coupon_issue_and_use", test_coupon_issue_and_use },
	{ "coupon_claim", test_coupon_claim },
	{ "registration_coupon", test_registration_coupon },
	{ "tier_set", test_tier_set },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
