/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_day: a sale's business day is its store's (stores.timezone),
 * not kassad's (server/store/store_day.c, the guard in
 * functions/checkout.sql), against a real kassad and PostgreSQL. A kassad
 * of the test's own runs in zone K ([loyalty] timezone: Asia/Shanghai
 * unless Shanghai's midnight is too near) while store S002 is put in a
 * zone Z whose date differs from K's right now (Pacific/Kiritimati, UTC+14,
 * or Pacific/Pago_Pago, UTC-11, chosen from PostgreSQL at test time).
 * Guards: a price list valid only on Z's date prices the sale, the one
 * valid only on K's date does not; a points multiplier for Z's weekday
 * applies; a late sale at a month's edge gets the lot expiry of Z's day;
 * ProductLookup and CatalogSync show Z's day's price (on both kassads);
 * and when StorePut on the fixture's kassad moves S002 to K, the next sale
 * on the test's kassad (which had Z's day cached) is refused by the guard,
 * read again and priced on K's day. S002 gets Asia/Shanghai back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"
#include "kc_catalog_admin.h"
#include "kc_org.h"
#include "kc_req.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ADMIN 9001
#define ADMIN_PIN "0000"
#define S002_CASHIER 1002
#define S002_PIN "2345"

/* The zones of the run: K is kassad's, Z the store's. */
typedef struct Zones {
	char k[64], z[64];
	char k_day[16], z_day[16];	/* "YYYY-MM-DD" now */
} Zones;

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * K and Z whose dates differ now, from PostgreSQL's tz data: the pair that
 * keeps differing longest (at least an hour), Shanghai for K if it can.
 */
static bool pick_zones(Harness *h, Zones *zs)
{
	char out[160], sql[512];

	if (!harness_psql_scalar(h,
		"WITH p(k, z) AS (VALUES ('Asia/Shanghai', 'Pacific/Kiritimati'),"
		" ('Asia/Shanghai', 'Pacific/Pago_Pago'), ('Etc/UTC', 'Pacific/Kiritimati'),"
		" ('Etc/UTC', 'Pacific/Pago_Pago')),"
		" m AS (SELECT k, z, least(date_trunc('day', now() AT TIME ZONE k)"
		"  + interval '1 day' - (now() AT TIME ZONE k), date_trunc('day', now()"
		"  AT TIME ZONE z) + interval '1 day' - (now() AT TIME ZONE z)) AS margin FROM p"
		"  WHERE (now() AT TIME ZONE k)::date <> (now() AT TIME ZONE z)::date)"
		" SELECT k || ' ' || z FROM m ORDER BY margin >= interval '1 hour' DESC,"
		" k = 'Asia/Shanghai' DESC, margin DESC LIMIT 1", out, sizeof(out)) ||
	    sscanf(out, "%63s %63s", zs->k, zs->z) != 2)
		return false;
	snprintf(sql, sizeof(sql), "SELECT (now() AT TIME ZONE '%s')::date::text", zs->k);
	if (!harness_psql_scalar(h, sql, zs->k_day, sizeof(zs->k_day)))
		return false;
	snprintf(sql, sizeof(sql), "SELECT (now() AT TIME ZONE '%s')::date::text", zs->z);
	return harness_psql_scalar(h, sql, zs->z_day, sizeof(zs->z_day));
}

/* StorePut S002's zone through kc; true if OK. */
static bool store_zone(KassaClient *kc, const char *zone)
{
	Kassa__V1__StorePut p = KASSA__V1__STORE_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	bool ok;

	p.code = (char *)"S002";
	p.name = p.currency = (char *)"";
	p.timezone = (char *)zone;
	ok = kc_store_put(kc, &p, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK;
	if (!ok)
		fprintf(stderr, "# StorePut S002 %s: %s\n", zone, r ? kc_detail(r) : "no answer");
	kc_response_free(r);
	return ok;
}

/* ProductPut a fresh sku at price; true if OK. */
static bool put_product(KassaClient *kc, const char *sku, int64_t price)
{
	Kassa__V1__ProductPut q = KASSA__V1__PRODUCT_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	bool ok;

	q.sku = (char *)sku;
	q.name = (char *)"store day test";
	q.price_minor = price;
	q.barcode = q.category = q.currency = (char *)"";
	ok = kc_product_put(kc, &q, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK;
	kc_response_free(r);
	return ok;
}

/* A price list of store for the one day "YYYY-MM-DD" with sku at price; true if OK. */
static bool put_list(KassaClient *kc, int64_t store, const char *day, int prio,
		     const char *sku, int64_t price)
{
	Kassa__V1__PriceListPut q = KASSA__V1__PRICE_LIST_PUT__INIT;
	Kassa__V1__CatalogPriceItem it = KASSA__V1__CATALOG_PRICE_ITEM__INIT, *ip = &it;
	Kassa__V1__Response *r = NULL;
	char name[64];
	bool ok;

	it_fresh_name("sd-list", name);
	q.name = name;
	q.store_id = store;
	q.valid_from = q.valid_to = (char *)day;
	q.priority = prio;
	it.sku = (char *)sku;
	it.price_minor = price;
	q.n_items = 1;
	q.items = &ip;
	ok = kc_price_list_put(kc, &q, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK;
	if (!ok)
		fprintf(stderr, "# price list %s: %s\n", day, r ? kc_detail(r) : "no answer");
	kc_response_free(r);
	return ok;
}

/* One line of sku, cash tendered, to member (0: none), at sold_at ("": now); its txn or 0. */
static int64_t sell(KassaClient *kc, const char *sku, int64_t cash, int64_t member,
		    const char *sold_at)
{
	KcLine line = { sku, 1, false };
	KcTender t = { CASH, cash, NULL };
	KcSale s = { &line, 1, member, &t, 1, 0, NULL, 0 };
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;
	char key[64];
	KcReq rq;

	it_fresh_name("sd-sale", key);
	kc_req_checkout(&rq, &s, key, false);
	if (sold_at[0]) {
		rq.req.checkout->offline = true;
		rq.req.checkout->sold_at = (char *)sold_at;
	}
	if (kc_call(kc, &rq.req, &r) == KC_OK && r && kc_status(r) == ST_OK && r->transaction)
		id = r->transaction->txn_id;
	else
		fprintf(stderr, "# sale of %s: %s %s\n", sku, r ? kc_detail(r) : "no answer",
			r ? kc_message(r) : "");
	kc_response_free(r);
	kc_req_done(&rq);
	return id;
}

static int64_t unit_price(Harness *h, int64_t txn)
{
	return it_sql_int(h, "SELECT unit_price_minor FROM transaction_lines WHERE txn_id = %lld",
			  (long long)txn);
}

/* ProductLookup's price of sku through kc; -1 on failure. */
static int64_t looked_up(KassaClient *kc, const char *sku)
{
	Kassa__V1__Response *r = NULL;
	int64_t p = -1;

	if (kc_product_lookup(kc, sku, &r) == KC_OK && r && kc_status(r) == ST_OK)
		p = r->product->price->minor;
	kc_response_free(r);
	return p;
}

/* CatalogSync's price of sku (changed after seq after) through kc; -1 if not in the page. */
static int64_t synced(KassaClient *kc, const char *sku, int64_t after)
{
	Kassa__V1__Response *r = NULL;
	int64_t p = -1;

	if (kc_catalog_sync(kc, after, 0, &r) == KC_OK && r && kc_status(r) == ST_OK)
		for (size_t i = 0; i < r->catalog_page->n_products; i++)
			if (strcmp(r->catalog_page->products[i]->sku, sku) == 0)
				p = r->catalog_page->products[i]->price->minor;
	kc_response_free(r);
	return p;
}

/* The S002 cashier on our kassad, waiting (bounded: 10 s) for it to listen. */
static KassaClient *our_till(Harness *h, const ItKassad *k)
{
	for (int i = 0; i < 100; i++) {
		char err[KC_ERR_LEN];
		KassaClient *kc = it_kassad_connect(h, k, "S002-T1", 3000, 15000, err, sizeof(err));
		Kassa__V1__Response *r = NULL;
		bool ok;

		if (kc == NULL) {
			sleep_ms(100);
			continue;
		}
		ok = kc_login(kc, S002_CASHIER, S002_PIN, &r) == KC_OK && kc_status(r) == ST_OK;
		kc_response_free(r);
		if (ok)
			return kc;
		kc_free(kc);
		return NULL;
	}
	return NULL;
}

/*
 * The rule set in force, but with points multiplied by 3 on Z's weekday
 * and lots expiring at the end of the next month; the version before, or 0.
 */
static int64_t rules_for_day(Harness *h, const Zones *zs)
{
	int64_t v0 = it_sql_int(h, "SELECT max(version) FROM rule_versions");

	if (v0 <= 0 || !it_sqlf(h, "INSERT INTO rule_versions (version, note, config)"
		" SELECT version + 1, 'itest store day: 3x on the store''s weekday',"
		" jsonb_set(jsonb_set(jsonb_set(config, '{multipliers,member_weekdays}',"
		" jsonb_build_array(extract(isodow FROM '%s'::date)::integer)),"
		" '{multipliers,member_day_x100}', '300'), '{points_expiry}', '{\"months\": 1}')"
		" FROM rule_versions WHERE version = %lld", zs->z_day, (long long)v0))
		return 0;
	return v0;
}

/*
 * A late sale's time at a month's edge: Z's date then is in another month
 * than K's (Z ahead: K's last half hour of a month; Z behind: K's first
 * half hour), at most about a month ago. Epoch seconds, or 0.
 */
static int64_t month_edge(Harness *h, const Zones *zs)
{
	const char *k = zs->k, *z = zs->z;

	return it_sql_int(h, "SELECT extract(epoch FROM CASE"
		" WHEN (now() AT TIME ZONE '%s') > (now() AT TIME ZONE '%s')"
		"  THEN (date_trunc('month', now() AT TIME ZONE '%s') AT TIME ZONE '%s')"
		"   - interval '30 minutes'"
		" WHEN (date_trunc('month', now() AT TIME ZONE '%s') AT TIME ZONE '%s')"
		"   + interval '30 minutes' < now() - interval '1 minute'"
		"  THEN (date_trunc('month', now() AT TIME ZONE '%s') AT TIME ZONE '%s')"
		"   + interval '30 minutes'"
		" ELSE ((date_trunc('month', now() AT TIME ZONE '%s') - interval '1 month')"
		"   AT TIME ZONE '%s') + interval '30 minutes' END)::bigint",
		z, k, k, k, k, k, k, k, k, k);
}

/* The lot expiry of months: 1 for a sale at epoch t in zone: the end of the next month. */
static int64_t expiry_in(Harness *h, int64_t t, const char *zone)
{
	return it_sql_int(h, "SELECT to_char(date_trunc('month', (to_timestamp(%lld) AT TIME"
			  " ZONE '%s')::date) + interval '2 months' - interval '1 day',"
			  " 'YYYYMMDD')::bigint", (long long)t, zone);
}

/* (c) a late member sale at a month's edge: its lot expires from Z's day, not K's. */
static void late_sale_expiry(Harness *h, KassaClient *kc, const Zones *zs, const char *sku,
			     int64_t member)
{
	int64_t t = month_edge(h, zs), want, other, txn;
	char at[32];
	time_t tt = (time_t)t;

	if (!CHECK(t > 0, "a time at a month's edge"))
		return;
	want = expiry_in(h, t, zs->z);
	other = expiry_in(h, t, zs->k);
	if (!CHECK(want > 0 && other > 0 && want != other, "Z's lot expiry %lld differs from"
		   " K's %lld", (long long)want, (long long)other))
		return;
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	txn = sell(kc, sku, 3000, member, at);
	CHECK(txn > 0 && it_sql_int(h, "SELECT count(*) FROM points_lots WHERE txn_id = %lld"
				    " AND to_char(expires_on, 'YYYYMMDD')::bigint = %lld",
				    (long long)txn, (long long)want) == 1,
	      "the late sale at %s: its lot expires on %lld (the store's day), not %lld", at,
	      (long long)want, (long long)other);
}

/* (d) StorePut on the fixture's kassad moves S002 to K: our kassad's next sale is K's day. */
static void zone_moves(Harness *h, KassaClient *office, KassaClient *ours, const ItKassad *k,
		       const Zones *zs, const char *sku)
{
	int before = it_kassad_log_count(k, "business day is not the one priced with");
	int64_t txn;

	if (!CHECK(store_zone(office, zs->k), "S002 to %s", zs->k))
		return;
	txn = sell(ours, sku, 700, 0, "");
	CHECK(txn > 0 && unit_price(h, txn) == 600, "after the zone moved: K's list (600),"
	      " got %lld", (long long)(txn > 0 ? unit_price(h, txn) : -1));
	CHECK(it_kassad_log_count(k, "business day is not the one priced with") == before + 1,
	      "the guard refused the first attempt once, and kassad read the day again");
	CHECK(looked_up(ours, sku) == 600, "ProductLookup on our kassad now shows K's day's 600");
}

static void test_store_day(Harness *h)
{
	KassaClient *office = it_login(h, "HQ-OFFICE-1", ADMIN, ADMIN_PIN), *ours = NULL;
	KassaClient *fixture_till = it_login(h, "S002-T1", S002_CASHIER, S002_PIN);
	int64_t s002 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	ItKassad k = { 0 };
	Zones zs;
	char zone_env[96], sku[64], plain[64], phone[32];
	int64_t v0 = 0, member, txn, seq;

	if (!CHECK(office && fixture_till && s002 > 0, "set-up") ||
	    !CHECK(pick_zones(h, &zs), "two zones whose dates differ now"))
		goto out;
	printf("# kassad in %s (%s), S002 in %s (%s)\n", zs.k, zs.k_day, zs.z, zs.z_day);
	snprintf(zone_env, sizeof(zone_env), "KASSA_LOYALTY_TIMEZONE=%s", zs.k);
	const char *env[] = { zone_env, "KASSA_CHECKOUT_LATE_SALE_MAX_DAYS=40",
			      "KASSA_CHECKOUT_IDEMPOTENCY_KEEP_DAYS=40",
			      "KASSA_LOYALTY_JOBS_INTERVAL=0", NULL };

	if (!CHECK(it_kassad_spawn(h, &k, "/tmp/kassa-storeday-XXXXXX", env), "our kassad") ||
	    !CHECK((ours = our_till(h, &k)) != NULL, "S002's cashier on our kassad"))
		goto out;
	it_fresh_name("sd-p", sku);
	it_fresh_name("sd-q", plain);
	if (!CHECK(store_zone(office, zs.z), "S002 to %s", zs.z) ||
	    !CHECK(put_product(office, sku, 1000) && put_product(office, plain, 3000),
		   "products") ||
	    !CHECK(put_list(office, s002, zs.z_day, 0, sku, 700) &&
		   put_list(office, s002, zs.k_day, 5, sku, 600), "a list for each day") ||
	    !CHECK((v0 = rules_for_day(h, &zs)) > 0, "the rule set of the store's weekday"))
		goto out;
	/* (a) the store's day's list; (e) what the tills see */
	txn = sell(ours, sku, 700, 0, "");
	CHECK(txn > 0 && unit_price(h, txn) == 700, "Z's day's list prices the sale (700),"
	      " got %lld", (long long)(txn > 0 ? unit_price(h, txn) : -1));
	seq = it_sql_int(h, "SELECT seq FROM products WHERE sku = '%s'", sku);
	CHECK(looked_up(ours, sku) == 700, "ProductLookup on our kassad: 700");
	CHECK(synced(ours, sku, seq - 1) == 700, "CatalogSync on our kassad: 700");
	CHECK(looked_up(fixture_till, sku) == 700, "ProductLookup on the fixture's kassad: 700");
	CHECK(synced(fixture_till, sku, seq - 1) == 700,
	      "CatalogSync on the fixture's kassad: 700");
	/* (b) the multiplier of Z's weekday: 30.00 earns 3 points, 9 at 3x */
	member = it_register(h, ours, "Store Day", phone);
	txn = member > 0 ? sell(ours, plain, 3000, member, "") : 0;
	CHECK(txn > 0 && it_sql_int(h, "SELECT points_earned FROM transactions WHERE txn_id = %lld",
				    (long long)txn) == 9, "3x on %s's weekday: 9 points", zs.z_day);
	late_sale_expiry(h, ours, &zs, plain, member);
	zone_moves(h, office, ours, &k, &zs, sku);
	if (member > 0)
		it_check_ledgers(h, member);
out:
	/* whatever failed above, S002 and the rule set get their defaults back */
	if (office)
		CHECK(store_zone(office, "Asia/Shanghai"), "S002 back to Asia/Shanghai");
	if (v0 > 0)
		(void)it_sqlf(h, "INSERT INTO rule_versions (version, note, config) SELECT"
			      " (SELECT max(version) + 1 FROM rule_versions), 'itest store day:"
			      " restore version %lld', config FROM rule_versions"
			      " WHERE version = %lld", (long long)v0, (long long)v0);
	kc_free(ours);
	kc_free(fixture_till);
	kc_free(office);
	if (k.pid > 0) {
		CHECK(it_kassad_stop(&k, 20) == 0, "SIGTERM: our kassad exits 0");
		it_kassad_keep_log(&k);
		unlink(k.log);
		rmdir(k.dir);
	}
}

static const HarnessTest tests[] = {
	{ "store_day", test_store_day },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
