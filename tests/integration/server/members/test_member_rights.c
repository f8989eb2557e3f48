/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_member_rights: a member's data rights (MemberDataExport,
 * MemberErase). A member with a distinctive phone, name, e-mail, card and
 * birthday buys three times (points, stored value, an e-wallet reference
 * naming the phone), holds a coupon, rates a sale with a comment naming
 * them, has a line refunded, is looked up by
 * phone, card and QR, and is the filter of a saved segment. Then:
 *
 *   export (admin): the JSON holds all of it, and one 'member.export' audit
 *   row is written; an analyst is refused;
 *   erase (admin): unknown member NOT_FOUND, a reason naming the member
 *   refused, then erased; again (a new key) the same answer;
 *   afterwards pg_dump --data-only of the whole test database, and the
 *   kassad and PostgreSQL logs, hold none of the phone (E.164 and
 *   national), name, e-mail, card or comment, in text or as the hex of a
 *   bytea; the sales, ledgers and balances are all still there under the
 *   id and every ledger equals its balance; the member is not found by id,
 *   phone, card, QR, name or phone suffix, nor by MemberFind; a sale naming
 *   them is refused MEMBER_ERASED and writes nothing, while an offline sale
 *   made before the erasure still lands under the tombstone; the register key's
 *   replay does not bring them back; and the phone registers again as a
 *   new member.
 *
 * export_bounded: a member with more sales than a frame holds is exported
 * within [server] max_frame, the newest sales first, with their count.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "itest.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_NOT_FOUND KASSA__V1__STATUS_CODE__NOT_FOUND
#define SALES 3

/* The member's distinctive values (unique per run). */
typedef struct Person {
	char phone[32];		/* E.164 */
	char national[32];	/* without +86 */
	char name[64], email[96], card[40], comment[128], reason[128], wallet_ref[64];
	char bad_reason[128];	/* an erasure's reason naming the member */
} Person;

static void person_make(Person *p)
{
	unsigned long u = (unsigned long)getpid() * 7919UL + (unsigned long)time(NULL) % 100000UL;

	it_fresh_phone(p->phone);
	snprintf(p->national, sizeof(p->national), "%s", p->phone + 3);
	snprintf(p->name, sizeof(p->name), "Zorvalda Qwimbleton %lu", u);
	snprintf(p->email, sizeof(p->email), "zorvalda.%lu@rights-erase.example", u);
	snprintf(p->card, sizeof(p->card), "ZQV-%lu", u);
	snprintf(p->comment, sizeof(p->comment), "Zorvalda %lu loved it, call %s", u, p->national);
	/* never a personal value: a refund's reason is also in the append-only audit chain */
	snprintf(p->reason, sizeof(p->reason), "broken cup");
	snprintf(p->bad_reason, sizeof(p->bad_reason), "asked by %s", p->name);
	snprintf(p->wallet_ref, sizeof(p->wallet_ref), "wxpay-%s", p->national);
}

/*
 * A sale of one sku to member, paid as the quote says: cash, or half
 * stored value and the rest by e-wallet with reference ref. Its txn_id, or
 * 0; *code/detail get the refusal.
 */
static int64_t sell(KassaClient *kc, int64_t member, const char *sku, bool wallet,
		    const char *ref, Kassa__V1__StatusCode *code, char *detail, size_t dlen)
{
	KcLine line = { 0 };
	KcTender t[2] = { { KASSA__V1__TENDER_KIND__TENDER_CASH, 0, NULL } };
	KcSale s = { 0 };
	Kassa__V1__Response *r = NULL;
	char key[64];
	int64_t id = 0;

	line.code = sku;
	line.quantity = 1;
	s.lines = &line;
	s.nlines = 1;
	s.member_id = member;
	*code = KASSA__V1__STATUS_CODE__INTERNAL;
	if (kc_checkout(kc, &s, NULL, true, &r) != KC_OK || r == NULL || kc_status(r) != ST_OK) {
		if (r != NULL)
			*code = kc_status(r);
		snprintf(detail, dlen, "%s", r ? kc_detail(r) : kc_last_error(kc));
		kc_response_free(r);
		return 0;
	}
	t[0].amount_minor = r->transaction->total_minor;
	s.ntenders = 1;
	if (wallet) {
		t[0].kind = KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE;
		t[0].amount_minor = r->transaction->total_minor / 2;
		t[1].kind = KASSA__V1__TENDER_KIND__TENDER_EWALLET;
		t[1].amount_minor = r->transaction->total_minor - t[0].amount_minor;
		t[1].reference = ref;
		s.ntenders = 2;
	}
	s.tenders = t;
	kc_response_free(r);
	r = NULL;
	it_fresh_name("rights", key);
	if (kc_checkout(kc, &s, key, false, &r) == KC_OK && r && kc_status(r) == ST_OK &&
	    r->transaction)
		id = r->transaction->txn_id;
	*code = r ? kc_status(r) : KASSA__V1__STATUS_CODE__INTERNAL;
	snprintf(detail, dlen, "%s", r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
	return id;
}

/* The status a MemberGet of member answers (by id, phone, card or QR). */
static Kassa__V1__StatusCode get_status(KassaClient *kc, int how, int64_t id, const char *s)
{
	Kassa__V1__Response *r = NULL;
	Kassa__V1__StatusCode st = KASSA__V1__STATUS_CODE__INTERNAL;
	KcResult kr = how == 0 ? kc_member_get_by_id(kc, id, &r)
		    : how == 1 ? kc_member_get_by_phone(kc, s, &r)
		    : how == 2 ? kc_member_get_by_card(kc, s, &r) : kc_member_get_by_qr(kc, s, &r);

	if (kr == KC_OK && r)
		st = kc_status(r);
	kc_response_free(r);
	return st;
}

/* reg: p with every personal field (strings borrowed; tags: one slot). */
static void person_reg(const Person *p, Kassa__V1__MemberRegister *reg, char **tags)
{
	tags[0] = (char *)"rights-vip";
	reg->name = (char *)p->name;
	reg->phone = (char *)p->phone;
	reg->card_no = (char *)p->card;
	reg->email = (char *)p->email;
	reg->birthday = (char *)"1977-03-14";
	reg->gender = KASSA__V1__GENDER__GENDER_FEMALE;
	reg->address = (char *)"12 Zorvalda Lane, Qwimbleton";
	reg->notes = (char *)"prefers Zorvalda tea";
	reg->marketing_consent = true;
	reg->n_tags = 1;
	reg->tags = tags;
}

/* Register p with every personal field; its id (0 + failure). key: the idempotency key used. */
static int64_t register_person(KassaClient *kc, const Person *p, const char *key)
{
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	char *tags[1];
	int64_t id = 0;

	person_reg(p, &reg, tags);
	if (CHECK(kc_member_register(kc, &reg, key, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member, "register: %s", r ? kc_detail(r) : kc_last_error(kc)))
		id = r->member->member_id;
	kc_response_free(r);
	return id;
}

/* The status registering p (the same body as register_person()) with key answers. */
static Kassa__V1__StatusCode register_person_status(KassaClient *kc, const Person *p,
						    const char *key)
{
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	char *tags[1];
	Kassa__V1__StatusCode st = KASSA__V1__STATUS_CODE__INTERNAL;

	person_reg(p, &reg, tags);
	if (kc_member_register(kc, &reg, key, &r) == KC_OK && r)
		st = kc_status(r);
	kc_response_free(r);
	return st;
}

/* The lower-case hex of s's bytes into out. */
static void hex_of(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++)
		o += (size_t)snprintf(out + o, len - o, "%02x", (unsigned char)*s);
	out[o] = '\0';
}

/* Does file path hold needle (text, or case-insensitively its hex)? -1 if unreadable. */
static int file_holds(const char *path, const char *needle)
{
	char hex[256], cmd[2048];
	int rc;

	hex_of(needle, hex, sizeof(hex));
	snprintf(cmd, sizeof(cmd), "grep -q -F -e '%s' '%s' || grep -q -i -F -e '%s' '%s'",
		 needle, path, hex, path);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) > 1)
		return -1;
	return WEXITSTATUS(rc) == 0;
}

/* Assert that no value of p is in path (a dump or a log). */
static void assert_clean(const char *path, const Person *p)
{
	const char *vals[] = { p->phone, p->national, p->name, p->email, p->card, p->comment,
			       p->wallet_ref, "Zorvalda" };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		int rc = file_holds(path, vals[i]);

		CHECK(rc == 0, "%s still holds \"%s\" (or its hex): %d", path, vals[i], rc);
	}
}

/* The JSON export of member by kc; NULL + failure unless OK. */
static json_t *export_json(KassaClient *kc, int64_t member)
{
	Kassa__V1__Response *r = NULL;
	json_t *doc = NULL;

	if (CHECK(kc_member_data_export(kc, member, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member_data, "export: %s", r ? kc_detail(r) : kc_last_error(kc))) {
		CHECK(r->member_data->member_id == member, "export names the member");
		doc = json_loads(r->member_data->json, 0, NULL);
		CHECK(doc != NULL, "the export is JSON");
	}
	kc_response_free(r);
	return doc;
}

static bool json_has_str(json_t *o, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL && strcmp(v, want) == 0;
}

/* Check the export of p (before the erasure). */
static void check_export(Harness *h, KassaClient *ad, KassaClient *an, int64_t m, const Person *p)
{
	json_t *doc = export_json(ad, m), *mem, *fb, *tx;
	Kassa__V1__Response *r = NULL;
	int64_t before = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = "
				    "'member.export' AND subject = 'member:%lld'", (long long)m);

	if (doc == NULL)
		return;
	mem = json_object_get(doc, "member");
	CHECK(json_has_str(mem, "phone", p->phone) && json_has_str(mem, "name", p->name) &&
	      json_has_str(mem, "email", p->email) && json_has_str(mem, "card_no", p->card) &&
	      json_has_str(mem, "birthday", "1977-03-14"), "the member row is in the export");
	CHECK(json_integer_value(json_object_get(doc, "transactions_total")) == SALES,
	      "all %d sales", SALES);
	tx = json_array_get(json_object_get(doc, "transactions"), 0);
	CHECK(json_array_size(json_object_get(tx, "lines")) == 1 &&
	      json_array_size(json_object_get(tx, "tenders")) >= 1, "a sale with its lines/tenders");
	CHECK(json_integer_value(json_object_get(doc, "refunds_total")) == 1, "the refund");
	CHECK(json_integer_value(json_object_get(doc, "coupons_total")) >= 1, "the coupon");
	CHECK(json_integer_value(json_object_get(doc, "points_ledger_total")) >= SALES,
	      "the points ledger");
	CHECK(json_integer_value(json_object_get(doc, "wallet_ledger_total")) >= 2,
	      "the stored value ledger");
	CHECK(json_integer_value(json_object_get(json_object_get(doc, "wallet"), "balance_minor")) ==
	      it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)m), "the stored value balance");
	fb = json_array_get(json_object_get(doc, "feedback"), 0);
	CHECK(json_has_str(fb, "comment", p->comment), "the feedback comment");
	CHECK(json_object_get(doc, "rfm_portrait") != NULL && json_object_get(doc, "consents"),
	      "portrait and consents");
	json_decref(doc);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'member.export' AND "
			 "subject = 'member:%lld' AND staff_id = 9001", (long long)m) >= 1 &&
	      before >= 1, "the export is audited, with who");
	/* an analyst reads reports, not a person's whole record */
	CHECK(kc_member_data_export(an, m, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "analyst refused: %s",
	      r ? kc_status_name(kc_status(r)) : kc_last_error(an));
	kc_response_free(r);
}

/* Erase m with key (NULL: a fresh one); the answer (NULL + failure unless OK). */
static Kassa__V1__Response *erase(KassaClient *kc, int64_t m, const char *reason,
				  const char *key)
{
	Kassa__V1__Response *r = NULL;

	if (CHECK(kc_member_erase(kc, m, reason, key, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member_erased, "erase: %s %s", r ? kc_status_name(kc_status(r)) : "-",
		  r ? kc_detail(r) : kc_last_error(kc)))
		return r;
	kc_response_free(r);
	return NULL;
}

/* The status and detail erasing m with reason answers. */
static bool erase_refused(KassaClient *kc, int64_t m, const char *reason,
			  Kassa__V1__StatusCode code, const char *detail)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_member_erase(kc, m, reason, NULL, &r) == KC_OK && r && kc_status(r) == code &&
		  strcmp(kc_detail(r), detail) == 0;

	if (!ok)
		fprintf(stderr, "# expected %s %s, got %s %s\n", kc_status_name(code), detail,
			r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
	return ok;
}

/*
 * An analyst's member export filtered by their phone. Its exports row keeps
 * the filter for the later pages (the erasure clears it); its audit row,
 * which nothing may change, only says that a phone was given: the dump
 * after the erasure must not find the phone in either.
 */
static void export_by_phone(Harness *h, KassaClient *an, const Person *p)
{
	Kassa__V1__ExportPage page = KASSA__V1__EXPORT_PAGE__INIT;
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	f.phone = (char *)p->national;
	page.kind = (char *)"members";
	page.filter = &f;
	page.limit = 10;
	CHECK(kc_export_page(an, &page, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK &&
	      r->export_chunk != NULL && r->export_chunk->n_rows == 1,
	      "an export of the members with their phone: %s", r ? kc_detail(r) : kc_last_error(an));
	if (r && r->export_chunk)
		id = r->export_chunk->export_id;
	kc_response_free(r);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'export.start' AND"
			 " subject = 'export:%lld' AND detail->'params'->'filter'->'personal' ="
			 " '[\"phone\"]' AND strpos(detail::text, '%s') = 0", (long long)id,
			 p->national + 3) == 1,
	      "its audit row names the phone filter, without the phone");
}

/* 1. The member and everything they did, then 2. the export. */
static int64_t setup(Harness *h, KassaClient *ca, KassaClient *ad, const Person *p,
		     const char *regkey, const char *sku, int64_t txn[SALES])
{
	Kassa__V1__Response *r = NULL;
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	Kassa__V1__StatusCode st;
	char detail[128], qr[64], seg[64];
	int64_t m, def;
	int32_t line = 1;
	KcResult kr;

	if ((m = register_person(ca, p, regkey)) == 0 || !it_give_wallet(h, m, 5000))
		return 0;
	for (int i = 0; i < SALES; i++)
		if (!CHECK((txn[i] = sell(ca, m, sku, i == 1, p->wallet_ref, &st, detail,
					  sizeof(detail))) > 0, "sale %d: %s", i, detail))
			return 0;
	def = it_sql_int(h, "INSERT INTO coupon_defs (name, kind, value_minor) VALUES "
			 "('Rights coupon', 'fixed', 100) RETURNING def_id");
	kr = kc_coupon_issue(ad, m, def, NULL, NULL, &r);
	CHECK(kr == KC_OK && r && kc_status(r) == ST_OK, "coupon issue %lld: %d %s %s",
	      (long long)def, (int)kr, r ? kc_status_name(kc_status(r)) : "-",
	      r ? kc_detail(r) : kc_last_error(ca));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_feedback(ca, txn[0], NULL, 5, p->comment, NULL, &r) == KC_OK && r &&
	      kc_status(r) == ST_OK, "feedback: %s", r ? kc_detail(r) : kc_last_error(ca));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_refund(ca, txn[2], &line, 1, 0, NULL, p->reason, NULL, &r) == KC_OK && r &&
	      kc_status(r) == ST_OK, "refund: %s", r ? kc_detail(r) : kc_last_error(ca));
	kc_response_free(r);
	r = NULL;
	/* looked up every way a till does */
	snprintf(qr, sizeof(qr), "KASSA1:%s", p->card);
	CHECK(get_status(ca, 1, 0, p->national) == ST_OK && get_status(ca, 2, 0, p->card) == ST_OK &&
	      get_status(ca, 3, 0, qr) == ST_OK && get_status(ca, 0, m, NULL) == ST_OK,
	      "found by phone, card, QR and id before");
	/* a saved segment whose filter is their phone */
	it_fresh_name("rights-seg", seg);
	f.phone = (char *)p->national;
	CHECK(kc_segment_save(ad, seg, "", &f, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK,
	      "segment save: %s", r ? kc_detail(r) : kc_last_error(ad));
	kc_response_free(r);
	return m;
}

/* 4. Nothing of p in the whole database, nor in the logs. */
static void check_nothing_left(Harness *h, const Person *p)
{
	char dump[HARNESS_PATH_LEN + 32], path[HARNESS_PATH_LEN + 32], cmd[4096];
	int rc;

	snprintf(dump, sizeof(dump), "%s/rights-dump.sql", h->env);
	/* its warnings (circular foreign keys, harmless here) to a file beside it */
	snprintf(cmd, sizeof(cmd), "pg_dump --data-only --dbname=\"%s\" --file='%s' 2>'%s.err'",
		 h->conninfo, dump, dump);
	rc = system(cmd);
	if (!CHECK(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "pg_dump: %d", rc))
		return;
	CHECK(file_holds(dump, "erased-") == 1, "the dump is of this database (the tombstone)");
	assert_clean(dump, p);
	snprintf(path, sizeof(path), "%s/kassad.log", h->env);
	assert_clean(path, p);
	snprintf(path, sizeof(path), "%s/pg/log/postgresql.log", h->env);
	if (access(path, R_OK) == 0)
		assert_clean(path, p);
}

/*
 * An offline sale of sku to member made an hour ago (before the erasure),
 * replayed now as a till's journal does: its txn_id, or 0 (*detail why).
 */
static int64_t offline_sale(KassaClient *kc, int64_t member, const char *sku, char *detail,
			    size_t dlen)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine line = KASSA__V1__SALE_LINE__INIT, *lp = &line;
	Kassa__V1__Tender t = KASSA__V1__TENDER__INIT, *tp = &t;
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN], at[32];
	time_t then = time(NULL) - 3600;
	struct tm tm;
	int64_t id = 0;

	gmtime_r(&then, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	line.code = (char *)sku;
	line.quantity = 1;
	t.kind = KASSA__V1__TENDER_KIND__TENDER_CASH;
	t.amount_minor = 1000;
	co.n_lines = 1;
	co.lines = &lp;
	co.n_tenders = 1;
	co.tenders = &tp;
	co.member_id = member;
	co.sold_at = at;
	co.offline = true;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	kc_new_key(key);
	req.idempotency_key = key;
	if (kc_call(kc, &req, &r) == KC_OK && r && kc_status(r) == ST_OK && r->transaction)
		id = r->transaction->txn_id;
	snprintf(detail, dlen, "%s", r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
	return id;
}

/* 5. The tombstone: found no way, earns nothing; the phone is free again. */
static void check_tombstone(Harness *h, KassaClient *ca, KassaClient *an, int64_t m,
			    const Person *p, const char *regkey, const char *sku)
{
	Kassa__V1__Response *r = NULL;
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	Kassa__V1__StatusCode st;
	char detail[128], qr[64];
	int64_t txns = it_sql_int(h, "SELECT count(*) FROM transactions"), again;

	snprintf(qr, sizeof(qr), "KASSA1:%s", p->card);
	CHECK(get_status(ca, 0, m, NULL) == ST_NOT_FOUND, "not found by id");
	CHECK(get_status(ca, 1, 0, p->national) == ST_NOT_FOUND, "not found by phone");
	CHECK(get_status(ca, 2, 0, p->card) == ST_NOT_FOUND, "not found by card");
	CHECK(get_status(ca, 3, 0, qr) == ST_NOT_FOUND, "not found by QR");
	CHECK(kc_member_search_name(ca, "erased-", 200, &r) == KC_OK && r && kc_status(r) == ST_OK &&
	      r->member_list, "search by name");
	for (size_t i = 0; r && r->member_list && i < r->member_list->n_members; i++)
		CHECK(r->member_list->members[i]->member_id != m, "not found by name");
	kc_response_free(r);
	r = NULL;
	f.phone = (char *)p->phone;
	CHECK(kc_member_find(an, &f, NULL, 0, 0, NULL, false, &r) == KC_OK && r &&
	      kc_status(r) == ST_OK && r->member_found && r->member_found->n_members == 0,
	      "MemberFind by phone finds nobody");
	kc_response_free(r);
	r = NULL;
	/* MemberUpdate cannot give the tombstone data again */
	{
		Kassa__V1__MemberRegister v = KASSA__V1__MEMBER_REGISTER__INIT;
		const char *fields[1] = { "name" };

		v.name = (char *)"Back Again";
		CHECK(kc_member_update(ca, m, &v, fields, 1, NULL, &r) == KC_OK && r &&
		      kc_status(r) == ST_NOT_FOUND, "MemberUpdate of the tombstone: %s",
		      r ? kc_status_name(kc_status(r)) : kc_last_error(ca));
		kc_response_free(r);
		r = NULL;
	}
	/* a sale naming them is refused and writes nothing */
	CHECK(sell(ca, m, sku, false, NULL, &st, detail, sizeof(detail)) == 0 &&
	      st == ST_NOT_FOUND && strcmp(detail, "MEMBER_ERASED") == 0,
	      "a sale naming the erased member: %s %s", kc_status_name(st), detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions") == txns, "and writes nothing");
	/* but a sale the till made offline before the erasure is kept, under the tombstone */
	CHECK(offline_sale(ca, m, sku, detail, sizeof(detail)) > 0,
	      "an offline sale from before the erasure lands: %s", detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)m) == SALES + 1, "under the tombstone");
	it_check_ledgers(h, m);
	/* the first registration's key replayed: answers no one, creates no one */
	{
		Person q = *p;

		CHECK(register_person_status(ca, &q, regkey) == ST_NOT_FOUND,
		      "the register key's replay finds no member");
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE phone = '%s'", p->phone) == 0,
	      "and registers no one");
	/* the phone and card are free again (only they: a rerun greps for the rest) */
	{
		Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;

		reg.name = (char *)"Rights returning member";
		reg.phone = (char *)p->phone;
		reg.card_no = (char *)p->card;
		again = 0;
		if (kc_member_register(ca, &reg, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		    r->member)
			again = r->member->member_id;
		kc_response_free(r);
	}
	CHECK(again > 0 && again != m, "the phone registers again as a new member (%lld)",
	      (long long)again);
}

static void test_member_rights(Harness *h)
{
	KassaClient *ca = it_cashier(h);
	KassaClient *ad = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r1 = NULL, *r2 = NULL, *r3 = NULL;
	Person p;
	char regkey[64], sku[64], erkey[64];
	int64_t m, txn[SALES], points, wallet, spend;

	if (ca == NULL || ad == NULL || an == NULL)
		goto out;
	person_make(&p);
	it_fresh_name("rights-reg", regkey);
	it_fresh_name("RIGHTS", sku);
	if (!it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', 'Rights tea',"
		     " 1000)", sku) || (m = setup(h, ca, ad, &p, regkey, sku, txn)) == 0)
		goto out;
	check_export(h, ad, an, m, &p);
	export_by_phone(h, an, &p);

	/* 3. the erasure: refusals first, then once, then again */
	CHECK(erase_refused(ad, 987654321098LL, "customer request", ST_NOT_FOUND,
			    "MEMBER_NOT_FOUND"), "an unknown member");
	CHECK(erase_refused(ad, m, p.bad_reason, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
			    "REASON_NAMES_MEMBER"), "a reason naming the member");
	CHECK(erase_refused(an, m, "customer request", KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
			    "ROLE_NOT_ALLOWED"), "an analyst");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld AND "
			 "erased_at IS NULL", (long long)m) == 1, "the refusals erased nothing");
	points = it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			    (long long)m);
	spend = it_sql_int(h, "SELECT cumulative_spend_minor FROM members WHERE member_id = %lld",
			   (long long)m);
	wallet = it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			    (long long)m);
	it_fresh_name("rights-erase", erkey);
	if ((r1 = erase(ad, m, "customer request 2026-12-02, ticket 81", erkey)) == NULL ||
	    (r2 = erase(ad, m, "customer request, asked again", NULL)) == NULL ||
	    (r3 = erase(ad, m, "customer request 2026-12-02, ticket 81", erkey)) == NULL)
		goto out;
	CHECK(r1->member_erased->member_id == m && r1->member_erased->rows_scrubbed >= 4 &&
	      r1->member_erased->erased_at[0] != '\0', "erased: %lld rows",
	      (long long)r1->member_erased->rows_scrubbed);
	CHECK(r2->member_erased->member_id == m &&
	      r2->member_erased->rows_scrubbed == r1->member_erased->rows_scrubbed &&
	      strcmp(r2->member_erased->erased_at, r1->member_erased->erased_at) == 0,
	      "erasing again (another key) answers the same");
	CHECK(it_same_response(r1, r3), "the key replayed answers the same");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'member.erase' AND "
			 "subject = 'member:%lld' AND staff_id = 9001 AND detail->>'reason' = "
			 "'customer request 2026-12-02, ticket 81'", (long long)m) == 1,
	      "one audit row, with who and why");

	/* the money trail stays under the tombstone */
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)m) == SALES, "the sales stay");
	CHECK(it_sql_int(h, "SELECT count(*) FROM refunds WHERE member_id = %lld", (long long)m) == 1,
	      "the refund stays");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)m) == points &&
	      it_sql_int(h, "SELECT cumulative_spend_minor FROM members WHERE member_id = %lld",
			 (long long)m) == spend &&
	      it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)m) == wallet, "the balances stay");
	it_check_ledgers(h, m);
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld AND erased_at IS "
			 "NOT NULL AND phone IS NULL AND card_no IS NULL AND name = 'erased-%lld'"
			 " AND birthday IS NULL AND email = '' AND address = '' AND notes = '' AND"
			 " tags = '{}'", (long long)m, (long long)m) == 1, "the tombstone");

	check_nothing_left(h, &p);
	check_tombstone(h, ca, an, m, &p, regkey, sku);
out:
	kc_response_free(r1);
	kc_response_free(r2);
	kc_response_free(r3);
	kc_free(ca);
	kc_free(ad);
	kc_free(an);
}

/*
 * A member with more than a frame holds: 600 sales of 8 lines each. The
 * export still answers, within [server] max_frame (1 MiB here), with the
 * newest sales up to the bound it chose, the count of all of them, and an
 * audit row that says it was cut.
 */
static void test_export_bounded(Harness *h)
{
	KassaClient *ca = it_cashier(h);
	KassaClient *ad = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	json_t *doc = NULL;
	char phone[32];
	int64_t m, limit;
	size_t n;

	if (ca == NULL || ad == NULL || (m = it_register(h, ca, "Bounded Export", phone)) == 0)
		goto out;
	/*
	 * spend is the sum of the sales, as every ledger invariant of the suite
	 * wants; three years ago at the bench store, outside every other test's
	 * "today at S001" (the export test pages today's lines of S001), each
	 * paid in cash like a bench sale (the backup test checks those)
	 */
	if (!it_sqlf(h, "INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency,"
		     " total_minor, tendered_minor, change_minor, gross_minor, created_at)"
		     " SELECT t.store_id, t.till_id, 1901, %lld, 'CNY', 800, 800, 0, 800,"
		     "  now() - interval '3 years' FROM tills t, generate_series(1, 600)"
		     " WHERE t.code = 'BENCH-1';"
		     " INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity,"
		     "  unit_price_minor, line_total_minor, net_minor)"
		     " SELECT x.txn_id, l, p.product_id, p.sku, p.name, 1, 100, 100, 100"
		     " FROM transactions x, generate_series(1, 8) l,"
		     "  (SELECT product_id, sku, name FROM products ORDER BY product_id LIMIT 1) p"
		     " WHERE x.member_id = %lld;"
		     " INSERT INTO tenders (txn_id, tender_no, kind, amount_minor)"
		     " SELECT x.txn_id, 1, 1, 800 FROM transactions x WHERE x.member_id = %lld;"
		     " UPDATE members SET cumulative_spend_minor = 600 * 800 WHERE member_id = %lld",
		     (long long)m, (long long)m, (long long)m, (long long)m))
		goto out;
	if (!CHECK(kc_member_data_export(ad, m, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		   r->member_data, "export: %s", r ? kc_detail(r) : kc_last_error(ad)))
		goto out;
	n = strlen(r->member_data->json);
	CHECK(n <= 1048576 - 4096 && n > 100000, "the document fits in a frame: %zu bytes", n);
	doc = json_loads(r->member_data->json, 0, NULL);
	limit = json_integer_value(json_object_get(doc, "limit"));
	CHECK(json_integer_value(json_object_get(doc, "transactions_total")) == 600 &&
	      limit >= 1 && limit < 500 &&
	      json_array_size(json_object_get(doc, "transactions")) == (size_t)limit,
	      "the newest %lld of 600 sales, and the count of all", (long long)limit);
	CHECK(json_array_size(json_object_get(json_array_get(json_object_get(doc, "transactions"),
							     0), "lines")) == 8, "with their lines");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'member.export' AND "
			 "subject = 'member:%lld' AND (detail->>'truncated')::boolean AND "
			 "(detail->>'limit')::bigint = %lld", (long long)m, (long long)limit) == 1,
	      "the audit row says the export was cut, and where");
out:
	json_decref(doc);
	kc_response_free(r);
	kc_free(ca);
	kc_free(ad);
}

static const HarnessTest tests[] = {
	{ "member_rights", test_member_rights },
	{ "export_bounded", test_export_bounded },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
