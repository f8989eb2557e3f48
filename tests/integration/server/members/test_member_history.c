/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_member_history: MemberHistory, a member's purchases across stores
 * for head office. 25 sales of one member at two stores (and sales of
 * another member between them), paged 10 at a time by an analyst: every
 * sale exactly once, newest first, the other member's never, including
 * across a page boundary where several sales share one time (the cursor's
 * txn_id breaks the tie); the newest sale's lines and tender as sold; the
 * last page says there is no more. A cursor not given by the server is
 * BAD_CURSOR, an unknown member MEMBER_NOT_FOUND, and a cashier gets only
 * their own store's sales of the member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define SALES 25
#define OTHER_SALES 3
#define PAGE 10

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

	if (!CHECK(kr == KC_OK && r && kc_status(r) == ST_OK && r->transaction, "quote: %s",
		   r ? kc_detail(r) : kc_last_error(kc))) {
		kc_response_free(r);
		return 0;
	}
	t.amount_minor = r->transaction->total_minor;
	s.tenders = &t;
	s.ntenders = 1;
	kc_response_free(r);
	r = NULL;
	it_fresh_name("hist", key);
	if (CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->transaction, "sale: %s", r ? kc_detail(r) : kc_last_error(kc))) {
		id = r->transaction->txn_id;
		*total = r->transaction->total_minor;
	}
	kc_response_free(r);
	return id;
}

/* One page; NULL + failure unless it is a MemberHistoryPage. */
static Kassa__V1__Response *page(KassaClient *kc, int64_t member, uint32_t limit,
				 const char *before)
{
	Kassa__V1__Response *r = NULL;

	if (CHECK(kc_member_history(kc, member, limit, before, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->member_history_page, "history page: %s %s",
		  r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : kc_last_error(kc)))
		return r;
	kc_response_free(r);
	return NULL;
}

/* The status and detail member's history answers with before. */
static bool refused(KassaClient *kc, int64_t member, const char *before,
		    Kassa__V1__StatusCode code, const char *detail)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_member_history(kc, member, 0, before, &r) == KC_OK && r &&
		  kc_status(r) == code && strcmp(kc_detail(r), detail) == 0;

	kc_response_free(r);
	return ok;
}

/* Page through member's history PAGE at a time; the ids newest first into ids (*n). */
static bool walk(Harness *h, KassaClient *kc, int64_t member, int64_t *ids, size_t max,
		 size_t *n, int *pages)
{
	char next[128] = "";

	*n = 0;
	*pages = 0;
	do {
		Kassa__V1__Response *r = page(kc, member, PAGE, next);
		const Kassa__V1__MemberHistoryPage *p;

		if (r == NULL)
			return false;
		p = r->member_history_page;
		(*pages)++;
		CHECK(p->n_transactions <= PAGE, "at most %d a page, got %zu", PAGE,
		      p->n_transactions);
		for (size_t i = 0; i < p->n_transactions && *n < max; i++)
			ids[(*n)++] = p->transactions[i]->txn_id;
		CHECK(p->next[0] == '\0' || p->n_transactions == PAGE,
		      "a page with a next is full");
		snprintf(next, sizeof(next), "%s", p->next);
		kc_response_free(r);
	} while (next[0] != '\0' && *pages < 20);
	(void)h;
	return true;
}

static void test_history(Harness *h)
{
	KassaClient *s1 = it_cashier(h);
	KassaClient *s2 = it_login(h, "S002-T1", 1002, "2345");
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r = NULL;
	int64_t member, other, txn[SALES], total[SALES], got[SALES + 8], s1_store, o;
	char sku[64], phone[32];
	size_t n = 0;
	int pages = 0, at_s1 = 0;

	if (s1 == NULL || s2 == NULL || an == NULL)
		goto out;
	it_fresh_name("HIST", sku);
	member = it_register(h, s1, "History Member", phone);
	other = it_register(h, s1, "History Other", phone);
	if (member == 0 || other == 0 ||
	    !it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', "
		     "'History tea', 700)", sku))
		goto out;
	for (int i = 0; i < SALES; i++) {
		/* odd sales at S002; the other member buys now and then in between */
		txn[i] = sell(i % 2 ? s2 : s1, member, sku, 1 + i % 3, &total[i]);
		if (txn[i] == 0 || (i % 9 == 4 && sell(s1, other, sku, 1, &o) == 0))
			goto out;
		at_s1 += i % 2 == 0;
	}
	/* sales 13..17 at one time: the page boundary (after the 10th newest) falls inside */
	if (!it_sqlf(h, "UPDATE transactions SET created_at = (SELECT created_at FROM transactions"
		     " WHERE txn_id = %lld) WHERE txn_id BETWEEN %lld AND %lld AND member_id = %lld",
		     (long long)txn[15], (long long)txn[13], (long long)txn[17], (long long)member))
		goto out;

	if (!walk(h, an, member, got, SALES + 8, &n, &pages))
		goto out;
	CHECK(pages == 3 && n == SALES, "25 sales in 3 pages of 10, got %zu in %d", n, pages);
	for (size_t i = 0; i < n && i < SALES; i++)
		if (!CHECK(got[i] == txn[SALES - 1 - i], "newest first: #%zu is %lld, want %lld",
			   i, (long long)got[i], (long long)txn[SALES - 1 - i]))
			break;
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)other) == OTHER_SALES, "the other member has its own sales");

	/* the newest sale as sold: its line and its cash tender */
	if ((r = page(an, member, 1, "")) != NULL) {
		const Kassa__V1__MemberHistoryPage *p = r->member_history_page;
		const Kassa__V1__Transaction *t = p->n_transactions ? p->transactions[0] : NULL;
		int q = 1 + (SALES - 1) % 3;

		CHECK(t != NULL && t->txn_id == txn[SALES - 1] && t->member_id == member &&
		      t->total_minor == total[SALES - 1] && t->n_lines == 1 &&
		      strcmp(t->lines[0]->sku, sku) == 0 && t->lines[0]->quantity == q &&
		      t->lines[0]->line_total_minor == 700 * q && t->n_tenders == 1 &&
		      t->tenders[0]->kind == CASH &&
		      t->tenders[0]->amount_minor == total[SALES - 1] && t->created_at[0] != '\0',
		      "the newest sale with its line (%d x %s) and tender", q, sku);
		CHECK(p->next[0] != '\0', "limit 1 of 25: a next cursor");
		kc_response_free(r);
		r = NULL;
	}

	CHECK(refused(an, member, "not-a-cursor", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		      "BAD_CURSOR"), "a made-up cursor is BAD_CURSOR");
	CHECK(refused(an, member, "2025-02-30T10:00:00.000000Z/5",
		      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR"),
	      "a cursor with no such day is BAD_CURSOR");
	CHECK(refused(an, INT64_C(999999999999), "", KASSA__V1__STATUS_CODE__NOT_FOUND,
		      "MEMBER_NOT_FOUND"), "an unknown member is MEMBER_NOT_FOUND");

	/* a cashier: the member's sales at their own store only */
	s1_store = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	if ((r = page(s1, member, 100, "")) != NULL) {
		const Kassa__V1__MemberHistoryPage *p = r->member_history_page;
		bool own = true;

		for (size_t i = 0; i < p->n_transactions; i++)
			own = own && p->transactions[i]->store_id == s1_store;
		CHECK(own && (int)p->n_transactions == at_s1 && p->next[0] == '\0',
		      "a cashier at S001: its %d sales only, got %zu", at_s1, p->n_transactions);
	}
out:
	kc_response_free(r);
	kc_free(an);
	kc_free(s2);
	kc_free(s1);
}

static const HarnessTest tests[] = {
	{ "history", test_history },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
