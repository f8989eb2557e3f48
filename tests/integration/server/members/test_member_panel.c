/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_member_panel: what MemberGet shows the cashier besides the record.
 * Guards the birthday flag (today in kassad's zone; not the day before),
 * the last five purchases newest first with their receipt number, total,
 * units and store, and the hints: "Birthday today", what is left to reach
 * the next tier of the rule set in force (from the member's rolling-window
 * basis, net of refunds) and the product the member bought most in the
 * last 90 days, refunded lines left out. A member list carries no panel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest.h"
#include "money.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ST_OK KASSA__V1__STATUS_CODE__OK

/* A product at price_minor; its SKU in sku. */
static bool product(Harness *h, const char *name, int64_t price_minor, char sku[64])
{
	it_fresh_name("PNL", sku);
	return it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', '%s', %lld)",
		       sku, name, (long long)price_minor);
}

/* A cash sale of qty x sku to member; its txn_id (total in *total), 0 + failure otherwise. */
static int64_t sell(KassaClient *kc, int64_t member, const char *sku, int qty, int64_t *total)
{
	KcLine line = { 0 };
	KcTender t = { CASH, 0, NULL };
	KcSale s = { 0 };
	Kassa__V1__Response *r = NULL;
	char key[64];
	int64_t id = 0;

	line.code = sku;
	line.quantity = qty;
	s.lines = &line;
	s.nlines = 1;
	s.member_id = member;
	/* pay exactly what a quote says is due, whatever the tier discount */
	KcResult kr = kc_checkout(kc, &s, NULL, true, &r);

	if (!CHECK(kr == KC_OK && r && kc_status(r) == ST_OK && r->transaction, "quote: %s %s",
		   r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : kc_last_error(kc))) {
		kc_response_free(r);
		return 0;
	}
	t.amount_minor = r->transaction->total_minor;
	s.tenders = &t;
	s.ntenders = 1;
	kc_response_free(r);
	r = NULL;
	it_fresh_name("panel", key);
	if (CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->transaction, "sale: %s", r ? kc_detail(r) : kc_last_error(kc))) {
		id = r->transaction->txn_id;
		*total = r->transaction->total_minor;
	}
	kc_response_free(r);
	return id;
}

/* Register a member born on the day days from today, 30 years ago. */
static int64_t born(Harness *h, KassaClient *kc, const char *name, int days)
{
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;
	char phone[32], bday[48];
	int64_t id = 0;

	localtime_r(&t, &tm);
	snprintf(bday, sizeof(bday), "%04d-%02d-%02d", tm.tm_year + 1900 - 30, tm.tm_mon + 1,
		 tm.tm_mday);
	it_fresh_phone(phone);
	reg.name = (char *)name;
	reg.phone = phone;
	reg.birthday = bday;
	if (CHECK(kc_member_register(kc, &reg, NULL, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->member, "register %s born %s: %s", name, bday,
		  r ? kc_detail(r) : "-"))
		id = r->member->member_id;
	kc_response_free(r);
	(void)h;
	return id;
}

/* The hint expected for the next tier of the rule set in force, into want. */
static void tier_hint(Harness *h, int64_t member, char *want, size_t len)
{
	char name[64], basis_kind[32], num[MONEY_FMT_LEN];
	int64_t threshold, basis;
	const char *rules = "(SELECT config FROM rule_versions ORDER BY version DESC LIMIT 1)";

	want[0] = '\0';
	if (!harness_psql_scalar(h, "SELECT config->>'tier_basis' FROM rule_versions"
				 " ORDER BY version DESC LIMIT 1", basis_kind, sizeof(basis_kind)))
		return;
	threshold = it_sql_int(h, "SELECT min((t->>'threshold')::bigint) FROM"
			       " jsonb_array_elements((SELECT config->'tiers' FROM %s r)) t"
			       " WHERE (t->>'threshold')::bigint > 0", rules);
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT t->>'name' FROM jsonb_array_elements((SELECT"
		 " config->'tiers' FROM %s r)) t WHERE (t->>'threshold')::bigint = %lld", rules,
		 (long long)threshold);
	if (!harness_psql_scalar(h, sql, name, sizeof(name)))
		return;
	basis = it_sql_int(h, "SELECT kassa_tier_basis(%lld, %s, (SELECT (config->>"
			   "'downgrade_window_months')::integer FROM %s r))", (long long)member,
			   strcmp(basis_kind, "points_earned") == 0 ? "true" : "false", rules);
	if (basis >= threshold)
		return;
	if (strcmp(basis_kind, "points_earned") == 0) {
		snprintf(want, len, "%lld more points to reach %s", (long long)(threshold - basis),
			 name);
		return;
	}
	money_format(threshold - basis, num, sizeof(num));
	snprintf(want, len, "\u00a5%s more to reach %s", num, name);
}

static bool has(const Kassa__V1__Member *m, const char *text)
{
	for (size_t i = 0; i < m->n_suggestions; i++)
		if (strcmp(m->suggestions[i], text) == 0)
			return true;
	return false;
}

/* Guards: recent purchases newest first, the hints, and the birthday flag. */
static void test_panel(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	char x[64], y[64], xname[64], store[128], want[160], usual[160];
	int64_t member, txn[6], total[6];
	int qty[6] = { 1, 3, 2, 1, 1, 2 };
	int64_t refund_txn;

	if (kc == NULL)
		return;
	it_fresh_name("Panel X", xname);
	member = born(h, kc, "Panel Birthday", 0);
	if (member == 0 || !product(h, xname, 1000, x) || !product(h, "Panel Y", 300, y) ||
	    !harness_psql_scalar(h, "SELECT name FROM stores WHERE code = 'S001'", store,
				 sizeof(store)))
		goto out;
	/* X: 1 + 1 + 2 = 4 units; Y: 3 + 2 + 1 = 6, but the 3 are refunded */
	for (int i = 0; i < 6; i++) {
		txn[i] = sell(kc, member, i % 3 == 0 || i == 5 ? x : y, qty[i], &total[i]);
		if (txn[i] == 0)
			goto out;
	}
	refund_txn = txn[1];
	CHECK(kc_refund(kc, refund_txn, NULL, 0, 0, NULL, NULL, NULL, &r) == KC_OK && r &&
	      kc_status(r) == ST_OK, "refund: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	if (!it_sqlf(h, "UPDATE transactions SET receipt_no = 'PNL-%lld' WHERE txn_id = %lld",
		     (long long)txn[5], (long long)txn[5]))
		goto out;

	if (!CHECK(kc_member_get_by_id(kc, member, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		   r->member, "get: %s", r ? kc_detail(r) : "-"))
		goto out;
	const Kassa__V1__Member *m = r->member;

	CHECK(m->birthday_today, "born today 30 years ago: birthday today (%s)", m->birthday);
	CHECK(m->n_recent == 5, "the last 5 purchases, got %zu", m->n_recent);
	for (size_t i = 0; i < m->n_recent && i < 5; i++) {
		const Kassa__V1__PurchaseSummary *p = m->recent[i];
		int k = 5 - (int)i;	/* newest first */

		CHECK(p->txn_id == txn[k] && p->total_minor == total[k] && p->items == qty[k] &&
		      strcmp(p->store_name, store) == 0 && p->created_at[0] != '\0',
		      "purchase %zu: txn %lld total %lld items %d store %s", i,
		      (long long)p->txn_id, (long long)p->total_minor, p->items, p->store_name);
	}
	if (m->n_recent > 0)
		CHECK(strncmp(m->recent[0]->receipt_no, "PNL-", 4) == 0, "with its receipt number");
	CHECK(m->n_suggestions >= 1 && m->n_suggestions <= 3 &&
	      strcmp(m->suggestions[0], "Birthday today") == 0, "the birthday first");
	tier_hint(h, member, want, sizeof(want));
	CHECK(want[0] == '\0' || has(m, want), "the tier hint \"%s\" (got \"%s\")", want,
	      m->n_suggestions > 1 ? m->suggestions[1] : "");
	CHECK(want[0] != '\0', "the member is below the next tier");
	snprintf(usual, sizeof(usual), "Usually buys: %s", xname);
	CHECK(has(m, usual), "\"%s\": refunded units do not count (got \"%s\")", usual,
	      m->n_suggestions > 0 ? m->suggestions[m->n_suggestions - 1] : "");
	kc_response_free(r);
	r = NULL;

	/* born tomorrow: no flag, no birthday hint, no purchases, no usual product */
	member = born(h, kc, "Panel Tomorrow", 1);
	CHECK(member != 0 && kc_member_get_by_id(kc, member, &r) == KC_OK && r && r->member &&
	      !r->member->birthday_today && r->member->n_recent == 0 &&
	      !has(r->member, "Birthday today"), "born tomorrow: not today");
	kc_response_free(r);
	r = NULL;
	/* a list carries no panel */
	CHECK(kc_member_search_name(kc, "Panel Birthday", 50, &r) == KC_OK && r && r->member_list &&
	      r->member_list->n_members > 0 && r->member_list->members[0]->n_recent == 0 &&
	      r->member_list->members[0]->n_suggestions == 0, "a list has no panel");
out:
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "panel", test_panel },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
