/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_admin: stores administered through the protocol (StorePut,
 * StoreList; server/store/store_admin.c, functions/store_admin.sql),
 * against the real kassad and PostgreSQL. An administrator at head office
 * creates and updates a store, audited once and exactly once per key; bad
 * input (currency, zone, code, a taken code, a new currency for a store
 * with sales) is refused with its detail and changes nothing; a manager
 * may not; and a store's time zone is its business day: a sale at a store
 * whose zone is a day away from Shanghai counts on the zone's day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest.h"
#include "kc_analytics.h"
#include "kc_org.h"

#define ADMIN 9001
#define ADMIN_PIN "0000"
#define MANAGER 2001
#define MANAGER_PIN "9999"

typedef struct Answer {
	Kassa__V1__StatusCode code;
	char detail[64];
	bool ok;
	Kassa__V1__StoreInfo info;	/* a copy; strings not kept */
	int64_t n_stores;
	bool listed;			/* StoreList: the store asked for is there */
} Answer;

static Answer put(KassaClient *kc, const Kassa__V1__StorePut *p, const char *key)
{
	Kassa__V1__Response *r = NULL;
	Answer a = { 0 };

	if (kc_store_put(kc, p, key, &r) == KC_OK && r != NULL) {
		a.ok = true;
		a.code = kc_status(r);
		snprintf(a.detail, sizeof(a.detail), "%s", kc_detail(r));
		if (r->body_case == KASSA__V1__RESPONSE__BODY_STORE_INFO) {
			a.info = *r->store_info;
			a.info.code = a.info.name = a.info.currency = a.info.timezone = NULL;
		}
	}
	kc_response_free(r);
	return a;
}

static bool is(const Answer *a, Kassa__V1__StatusCode code, const char *detail)
{
	return a->ok && a->code == code && strcmp(a->detail, detail) == 0;
}

static int64_t audits(Harness *h, int64_t store_id)
{
	return it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'store.put'"
			  " AND subject = 'store:%lld'", (long long)store_id);
}

static void fresh_code(char out[32])
{
	char name[64];

	it_fresh_name("T", name);	/* "T-PID-TIME-N": letters, digits and '-' */
	name[31] = '\0';
	memcpy(out, name, 32);
}

/* Guards: create, retry, update, list; each change audited once. */
static void test_create_update_list(Harness *h)
{
	KassaClient *kc = it_login(h, "HQ-OFFICE-1", ADMIN, ADMIN_PIN);
	Kassa__V1__StorePut p = KASSA__V1__STORE_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	char code[32], key[KC_KEY_LEN];
	Answer a, b;
	bool listed = false;

	if (kc == NULL)
		return;
	fresh_code(code);
	p.code = code;
	p.name = (char *)"上海 新店 New";
	p.currency = (char *)"USD";
	p.timezone = (char *)"Europe/London";
	p.negative_stock = KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	kc_new_key(key);
	a = put(kc, &p, key);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && a.info.created && a.info.store_id > 0,
	      "store created: %s", a.detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM stores WHERE store_id = %lld AND code = '%s'"
			 " AND currency = 'USD' AND timezone = 'Europe/London' AND NOT negative_stock"
			 " AND name = '上海 新店 New'", (long long)a.info.store_id, code) == 1,
	      "the row holds what was put");
	CHECK(audits(h, a.info.store_id) == 1, "created: one store.put audit row");
	/* the same key again: the same answer, nothing more written */
	b = put(kc, &p, key);
	CHECK(is(&b, KASSA__V1__STATUS_CODE__OK, "") && b.info.store_id == a.info.store_id &&
	      b.info.created, "a retry answers the same: %s", b.detail);
	CHECK(audits(h, a.info.store_id) == 1, "a retry writes no second audit row");
	/* the same key with another body */
	p.name = (char *)"Other";
	b = put(kc, &p, key);
	CHECK(is(&b, KASSA__V1__STATUS_CODE__ABORTED, "IDEMPOTENCY_KEY_REUSED"),
	      "a key reused for another body: %s", b.detail);
	/* an update keeps what it does not name */
	p.name = (char *)"Renamed";
	p.currency = p.timezone = (char *)"";
	p.negative_stock = KASSA__V1__ORG_SWITCH__ORG_SWITCH_ON;
	b = put(kc, &p, NULL);
	CHECK(is(&b, KASSA__V1__STATUS_CODE__OK, "") && !b.info.created &&
	      b.info.store_id == a.info.store_id && b.info.negative_stock,
	      "store updated: %s", b.detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM stores WHERE store_id = %lld AND name = 'Renamed'"
			 " AND currency = 'USD' AND timezone = 'Europe/London' AND negative_stock",
			 (long long)a.info.store_id) == 1, "update kept currency and zone");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'store.put' AND subject ="
			 " 'store:%lld' AND detail->'was'->>'name' = '上海 新店 New' AND staff_id = %d",
			 (long long)a.info.store_id, ADMIN) == 1,
	      "the update's audit row says who and what it was");
	if (CHECK(kc_store_list(kc, &r) == KC_OK && r && r->store_roster, "store list")) {
		for (size_t i = 0; i < r->store_roster->n_stores; i++)
			listed = listed || (strcmp(r->store_roster->stores[i]->code, code) == 0 &&
					    strcmp(r->store_roster->stores[i]->name, "Renamed") == 0);
		CHECK(listed, "the list has the store with its new name");
	}
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: bad input is refused with a clear detail and changes nothing. */
static void test_bad_input(Harness *h)
{
	KassaClient *kc = it_login(h, "HQ-OFFICE-1", ADMIN, ADMIN_PIN);
	KassaClient *cashier = it_cashier(h);
	Kassa__V1__StorePut p = KASSA__V1__STORE_PUT__INIT;
	int64_t stores0, audit0;
	Answer a;

	if (kc == NULL || cashier == NULL)
		goto out;
	/* S001 has sales: made here so that it surely has */
	CHECK(it_cash_sale(h, cashier, "SA", 0, 100) > 0, "a sale at S001");
	stores0 = it_sql_int(h, "SELECT count(*) FROM stores");
	audit0 = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'store.put'");
	static const struct {
		const char *code, *name, *currency, *zone;
		bool create;
		Kassa__V1__StatusCode st;
		const char *detail;
	} bad[] = {
		{ "", "x", "", "", false, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE_CODE" },
		{ "S 1", "x", "", "", false, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "BAD_STORE_CODE" },
		{ "ZZNEW1", "x", "usd", "", false, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "BAD_CURRENCY" },
		{ "ZZNEW1", "x", "US", "", false, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "BAD_CURRENCY" },
		{ "ZZNEW1", "x", "", "Mars/Olympus", false, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "UNKNOWN_TIMEZONE" },
		{ "ZZNEW1", "x", "", "Asia/Shanghai'; --", false,
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_TIMEZONE" },
		{ "ZZNEW1", "", "", "", false, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "NAME_REQUIRED" },
		{ "ZZNEW1", "a\nb", "", "", false, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "BAD_NAME" },
		{ "S002", "Dup", "", "", true, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
		  "STORE_EXISTS" },
		{ "S001", "", "USD", "", false, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
		  "CURRENCY_IN_USE" },
		{ "S001", "Renamed S001", "", "Nowhere/Land", false,
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_TIMEZONE" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		p.code = (char *)bad[i].code;
		p.name = (char *)bad[i].name;
		p.currency = (char *)bad[i].currency;
		p.timezone = (char *)bad[i].zone;
		p.create = bad[i].create;
		a = put(kc, &p, NULL);
		CHECK(is(&a, bad[i].st, bad[i].detail), "case %zu (%s): expected %s, got %d %s", i,
		      bad[i].code, bad[i].detail, a.code, a.detail);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM stores") == stores0, "no store made");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'store.put'") == audit0,
	      "nothing audited");
	CHECK(it_sql_int(h, "SELECT count(*) FROM stores WHERE code = 'S001' AND currency = 'CNY'"
			 " AND name = 'Shanghai Xujiahui' AND timezone = 'Asia/Shanghai'") == 1,
	      "S001 unchanged");
out:
	kc_free(cashier);
	kc_free(kc);
}

/* Guards: StorePut is an administrator's. */
static void test_manager_refused(Harness *h)
{
	KassaClient *kc = it_login(h, "HQ-OFFICE-1", MANAGER, MANAGER_PIN);
	Kassa__V1__StorePut p = KASSA__V1__STORE_PUT__INIT;
	Answer a;

	if (kc == NULL)
		return;
	p.code = (char *)"S001";
	p.name = (char *)"Taken over";
	a = put(kc, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED"),
	      "a manager may not put a store: %s", a.detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM stores WHERE name = 'Taken over'") == 0,
	      "nothing changed");
	kc_free(kc);
}

/* The date of now in zone (TZ=zone), "YYYY-MM-DD". */
static void zone_day(const char *zone, char out[16])
{
	char env[64];
	const char *old = getenv("TZ");
	char keep[64] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (old)
		snprintf(keep, sizeof(keep), "%s", old);
	snprintf(env, sizeof(env), "%s", zone);
	setenv("TZ", env, 1);
	tzset();
	localtime_r(&now, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
	if (old)
		setenv("TZ", keep, 1);
	else
		unsetenv("TZ");
	tzset();
}

/*
 * Guards: stores.timezone is the store's business day. S001 is put in a
 * zone whose date differs from Shanghai's right now; its sale is then
 * counted by the analytics run on the zone's day (a day no S001 sale had
 * before). S001 gets Asia/Shanghai back at the end.
 */
static void test_business_day_in_store_zone(Harness *h)
{
	KassaClient *kc = it_login(h, "HQ-OFFICE-1", ADMIN, ADMIN_PIN);
	KassaClient *cashier = it_cashier(h);
	Kassa__V1__StorePut p = KASSA__V1__STORE_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	time_t now = time(NULL);
	struct tm utc;
	char day[16], sh_day[16];
	const char *zone;
	int64_t before;
	Answer a;

	if (kc == NULL || cashier == NULL)
		goto out;
	gmtime_r(&now, &utc);
	/* UTC+14 is Shanghai's tomorrow from 10:00 to 16:00 UTC; UTC-12 its yesterday else */
	zone = utc.tm_hour >= 10 && utc.tm_hour < 16 ? "Etc/GMT-14" : "Etc/GMT+12";
	zone_day(zone, day);
	zone_day("Asia/Shanghai", sh_day);
	if (!CHECK(strcmp(day, sh_day) != 0, "%s's day %s is not Shanghai's %s", zone, day, sh_day))
		goto out;
	/* the zone's day may be Shanghai's yesterday, with earlier tests' late sales */
	before = it_sql_int(h, "SELECT coalesce(sum(a.total_minor), 0) FROM agg_sales_day a"
			    " JOIN stores s USING (store_id) WHERE s.code = 'S001' AND a.day = '%s'", day);
	p.code = (char *)"S001";
	p.name = (char *)"";
	p.currency = (char *)"";
	p.timezone = (char *)zone;
	a = put(kc, &p, NULL);
	if (!CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "S001 to %s: %s", zone, a.detail))
		goto out;
	CHECK(it_cash_sale(h, cashier, "TZ", 0, 4321) > 0, "a sale at S001");
	CHECK(kc_analytics_run(kc, false, false, NULL, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__OK, "analytics run: %s",
	      r ? kc_detail(r) : "no answer");
	kc_response_free(r);
	CHECK(it_sql_int(h, "SELECT coalesce(sum(a.total_minor), 0) FROM agg_sales_day a"
			 " JOIN stores s USING (store_id) WHERE s.code = 'S001' AND a.day = '%s'",
			 day) >= before + 4321, "the sale counts on the store's day %s", day);
	/* whatever failed above, S001 gets its zone back */
	p.timezone = (char *)"Asia/Shanghai";
	a = put(kc, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "S001 back to Asia/Shanghai: %s", a.detail);
out:
	kc_free(cashier);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "create_update_list", test_create_update_list },
	{ "bad_input", test_bad_input },
	{ "manager_refused", test_manager_refused },
	{ "business_day_in_store_zone", test_business_day_in_store_zone },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
