/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_member_find: MemberFind and saved segments, as head office uses
 * them. A hand-built set of seven members (names under one prefix of this
 * run; tags, tier, birthday, spend, consent and member_stats rows set in
 * SQL, as the analytics job would write them), one of them erased and one
 * merged: every MemberFilter field alone and combined gives the ids
 * computed by hand, never the erased or merged member; a last-visit range
 * counts business days (a visit one second before a day starts belongs to
 * the day before); count_only counts. Paging by 3 over a tag while another
 * connection registers members with that tag returns every member that
 * was there exactly once, in ascending id order, and the members
 * registered meanwhile after them, none twice. SegmentSave twice makes
 * versions 1 and 2 (a retried key makes none); MemberFind by segment uses
 * the version asked for, or the latest, and says which. Bad values (month
 * 13, a date that does not exist, min above max, a short phone suffix, an
 * unknown class or consent, a made-up cursor, an unknown segment) are
 * INVALID_ARGUMENT or NOT_FOUND with their codes, and a cashier may not
 * search the base.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_BAD KASSA__V1__STATUS_CODE__INVALID_ARGUMENT
#define ST_NOT_FOUND KASSA__V1__STATUS_CODE__NOT_FOUND
#define NSET 7
#define A 0
#define B 1
#define C 2
#define D 3
#define E 4
#define X 5	/* erased */
#define Y 6	/* merged into A */
#define PAGED_INITIAL 10
#define PAGED_NEW_MAX 30
#define MAX_IDS 256

static int64_t ids[NSET];
static char phones[NSET][32];
static char prefix[64], vip[64];

/* The ids found by f (limit 200), ascending, into got (*n); false + failure if refused. */
static bool find(KassaClient *kc, Kassa__V1__MemberFilter *f, int64_t *got, size_t *n)
{
	Kassa__V1__Response *r = NULL;
	bool ok = CHECK(kc_member_find(kc, f, NULL, 0, 200, NULL, false, &r) == KC_OK && r &&
			kc_status(r) == ST_OK && r->member_found, "member find: %s %s",
			r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : kc_last_error(kc));

	*n = 0;
	if (ok)
		for (size_t i = 0; i < r->member_found->n_members && *n < MAX_IDS; i++)
			got[(*n)++] = r->member_found->members[i]->member_id;
	kc_response_free(r);
	return ok;
}

/* Does f find exactly the set members named by want (letters "ABC...")? */
static bool finds(KassaClient *kc, Kassa__V1__MemberFilter *f, const char *want,
		  const char *what)
{
	int64_t got[MAX_IDS], exp[NSET];
	size_t n = 0, ne = 0;
	char gotbuf[256] = "";

	for (const char *w = want; *w; w++)
		exp[ne++] = ids[*w - 'A'];
	if (!find(kc, f, got, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		char one[8] = "?";

		for (int k = 0; k < NSET; k++)
			if (got[i] == ids[k])
				snprintf(one, sizeof(one), "%c", 'A' + k);
		snprintf(gotbuf + strlen(gotbuf), sizeof(gotbuf) - strlen(gotbuf), "%s", one);
	}
	/* ascending ids are the letters' order: members were registered A first */
	return CHECK(n == ne && memcmp(got, exp, n * sizeof(*got)) == 0,
		     "%s: want {%s}, got {%s}", what, want, gotbuf);
}

/* The status and detail MemberFind answers (filter f or segment seg at version, cursor after). */
static bool find_refused(KassaClient *kc, Kassa__V1__MemberFilter *f, const char *seg,
			 uint32_t version, const char *after, Kassa__V1__StatusCode code,
			 const char *detail)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_member_find(kc, f, seg, version, 0, after, false, &r) == KC_OK && r &&
		  kc_status(r) == code && strcmp(kc_detail(r), detail) == 0;

	if (!ok)
		fprintf(stderr, "# expected %s %s, got %s %s\n", kc_status_name(code), detail,
			r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
	return ok;
}

/* Register the hand-built set and give it its attributes in SQL. */
static bool build_set(Harness *h, KassaClient *cashier)
{
	static const char *const first[NSET] = { "Ann", "Bob", "Bea", "Dan", "Eve", "Xia", "Yan" };
	char name[128];

	it_fresh_name("FT", prefix);
	snprintf(vip, sizeof(vip), "vip%ld-%lld", (long)getpid(), (long long)time(NULL));
	strcat(prefix, " ");
	for (int i = 0; i < NSET; i++) {
		snprintf(name, sizeof(name), "%s%s", prefix, first[i]);
		if ((ids[i] = it_register(h, cashier, name, phones[i])) == 0)
			return false;
		if (i > 0 && !CHECK(ids[i] > ids[i - 1], "ids ascend in registration order"))
			return false;
	}
	/* tags, tier, birthday, lifetime spend, consent */
	return it_sqlf(h,
		"UPDATE members SET tags = CASE WHEN member_id IN (%lld, %lld, %lld, %lld)"
		"  THEN ARRAY['%s', 'x'] ELSE ARRAY['y'] END,"
		" tier = CASE WHEN member_id IN (%lld, %lld, %lld, %lld) THEN 'Gold' ELSE 'Regular' END,"
		" birthday = CASE member_id WHEN %lld THEN date '1990-03-15' WHEN %lld THEN"
		"  date '1985-03-02' WHEN %lld THEN date '2000-12-31' WHEN %lld THEN date '1999-03-01'"
		"  WHEN %lld THEN date '1990-03-15' WHEN %lld THEN date '1990-03-15' END,"
		" cumulative_spend_minor = CASE member_id WHEN %lld THEN 5000 WHEN %lld THEN 12000"
		"  WHEN %lld THEN 0 WHEN %lld THEN 30000 WHEN %lld THEN 100 ELSE 5000 END,"
		" marketing_consent = member_id IN (%lld, %lld, %lld, %lld, %lld)"
		" WHERE member_id BETWEEN %lld AND %lld AND name LIKE '%s%%'",
		(long long)ids[A], (long long)ids[C], (long long)ids[X], (long long)ids[Y], vip,
		(long long)ids[A], (long long)ids[C], (long long)ids[X], (long long)ids[Y],
		(long long)ids[A], (long long)ids[B], (long long)ids[C], (long long)ids[E],
		(long long)ids[X], (long long)ids[Y],
		(long long)ids[A], (long long)ids[B], (long long)ids[C], (long long)ids[D],
		(long long)ids[E],
		(long long)ids[A], (long long)ids[C], (long long)ids[E], (long long)ids[X],
		(long long)ids[Y], (long long)ids[A], (long long)ids[Y], prefix) &&
	       /* each member's spend is a sale of that much, as the ledgers everywhere */
	       it_sqlf(h,
		"INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency,"
		" total_minor, tendered_minor, change_minor, gross_minor)"
		" SELECT t.store_id, t.till_id, 1001, m.member_id, 'CNY', m.cumulative_spend_minor,"
		"  m.cumulative_spend_minor, 0, m.cumulative_spend_minor"
		" FROM members m, tills t WHERE t.code = 'S001-T1' AND m.cumulative_spend_minor > 0"
		" AND m.member_id BETWEEN %lld AND %lld AND m.name LIKE '%s%%'",
		(long long)ids[A], (long long)ids[Y], prefix) &&
	       /* the analytics job's rows: class, usual store, last visit (business days) */
	       it_sqlf(h,
		"INSERT INTO member_stats (member_id, visits, class, usual_store_id, usual_hour,"
		" last_visit, avg_basket_minor, fav_categories, visit_interval_days) VALUES"
		" (%lld, 4, 'high_value', (SELECT store_id FROM stores WHERE code = 'S001'), 18,"
		"  date '2026-03-11'::timestamptz, 4550, ARRAY['tea', 'snacks'], 7),"
		" (%lld, 2, 'at_risk', (SELECT store_id FROM stores WHERE code = 'S002'), 9,"
		"  date '2026-03-11'::timestamptz - interval '1 second', 100, '{}', 30),"
		" (%lld, 9, 'active', (SELECT store_id FROM stores WHERE code = 'S001'), 12,"
		"  date '2026-03-16'::timestamptz + interval '12 hours', 100, '{}', 3),"
		" (%lld, 0, 'none', (SELECT store_id FROM stores WHERE code = 'S002'), NULL, NULL,"
		"  0, '{}', 0),"
		" (%lld, 4, 'high_value', (SELECT store_id FROM stores WHERE code = 'S001'), 18,"
		"  date '2026-03-11'::timestamptz, 4550, '{}', 7),"
		" (%lld, 4, 'high_value', (SELECT store_id FROM stores WHERE code = 'S001'), 18,"
		"  date '2026-03-11'::timestamptz, 4550, '{}', 7)",
		(long long)ids[A], (long long)ids[B], (long long)ids[C], (long long)ids[E],
		(long long)ids[X], (long long)ids[Y]) &&
	       /* X is erased (its personal fields kept here, to prove the flag alone hides it) */
	       it_sqlf(h, "UPDATE members SET erased_at = now() WHERE member_id = %lld",
		       (long long)ids[X]) &&
	       it_sqlf(h, "UPDATE members SET merged_into = %lld WHERE member_id = %lld",
		       (long long)ids[A], (long long)ids[Y]);
}

#define RESET(f) (kassa__v1__member_filter__init(&(f)), (f).name_prefix = prefix)

/* The members' own fields: name, phone, card, tag, tier; the class; the birthday. */
static void filters_fields(Harness *h, KassaClient *an)
{
	Kassa__V1__MemberFilter f;
	char phone[40], suffix[16], card[64], bea[128], q[128];

	RESET(f);
	finds(an, &f, "ABCDE", "name prefix: the set without the erased and merged");
	snprintf(bea, sizeof(bea), "%sB", prefix);
	f.name_prefix = bea;
	finds(an, &f, "BC", "name prefix ...B: Bob and Bea");

	/* a whole phone in another notation, without the prefix; the last 6 digits */
	kassa__v1__member_filter__init(&f);
	snprintf(phone, sizeof(phone), "0086 %.3s-%.4s-%.4s", phones[A] + 3, phones[A] + 6,
		 phones[A] + 10);
	f.phone = phone;
	finds(an, &f, "A", "a whole phone (0086 137-xxxx-xxxx)");
	RESET(f);
	snprintf(suffix, sizeof(suffix), "%s", phones[B] + strlen(phones[B]) - 6);
	f.phone = suffix;
	finds(an, &f, "B", "the phone's last 6 digits");
	kassa__v1__member_filter__init(&f);
	snprintf(q, sizeof(q), "SELECT card_no FROM members WHERE member_id = %lld",
		 (long long)ids[C]);
	if (!CHECK(harness_psql_scalar(h, q, card, sizeof(card)), "card of C"))
		return;
	f.card_no = card;
	finds(an, &f, "C", "the card number");
	/* the erased member's phone and card find nothing */
	kassa__v1__member_filter__init(&f);
	f.phone = phones[X];
	finds(an, &f, "", "the erased member's own phone");

	RESET(f);
	f.tag = vip;
	finds(an, &f, "AC", "tag");
	RESET(f);
	f.tier = "Gold";
	finds(an, &f, "AC", "tier Gold");
	RESET(f);
	f.class_ = "high_value";
	finds(an, &f, "A", "class high_value (X erased, Y merged)");
	f.class_ = "at_risk";
	finds(an, &f, "B", "class at_risk");
	f.class_ = "none";
	finds(an, &f, "DE", "class none: no stats row (D) or class none (E)");
	RESET(f);
	f.birthday_month = 3;
	finds(an, &f, "ABE", "birthday in March");
	f.birthday_month = 12;
	finds(an, &f, "C", "birthday in December");
}

/* Usual store, last-visit days, spend, consent, a combination (s1, s2: the stores). */
static void filters_stats(KassaClient *an, int64_t s1, int64_t s2)
{
	Kassa__V1__MemberFilter f;

	RESET(f);
	f.store_id = s1;
	finds(an, &f, "AC", "usual store S001");
	f.store_id = s2;
	finds(an, &f, "BE", "usual store S002");

	/* A's last visit starts 2026-03-11; B's is the second before it: 2026-03-10 */
	RESET(f);
	f.last_visit_from = "2026-03-11";
	f.last_visit_to = "2026-03-11";
	finds(an, &f, "A", "last visit on 2026-03-11 (its first second)");
	f.last_visit_from = "";
	f.last_visit_to = "2026-03-10";
	finds(an, &f, "B", "last visit up to 2026-03-10 (its last second)");
	f.last_visit_from = "2026-03-11";
	f.last_visit_to = "";
	finds(an, &f, "AC", "last visit from 2026-03-11");
	f.last_visit_from = "2026-03-10";
	f.last_visit_to = "2026-03-15";
	finds(an, &f, "AB", "last visit 2026-03-10..15");

	RESET(f);
	f.spend_min_minor = 5000;
	finds(an, &f, "ABD", "spend at least 50.00");
	f.spend_min_minor = 0;
	f.spend_max_minor = 5000;
	finds(an, &f, "ACE", "spend at most 50.00 (0 and 1.00 included)");
	f.spend_min_minor = 5000;
	f.spend_max_minor = 12000;
	finds(an, &f, "AB", "spend 50.00..120.00");
	RESET(f);
	f.consent = KASSA__V1__CONSENT__CONSENT_YES;
	finds(an, &f, "ACE", "consent yes");
	f.consent = KASSA__V1__CONSENT__CONSENT_NO;
	finds(an, &f, "BD", "consent no");
	RESET(f);
	f.tag = vip;
	f.consent = KASSA__V1__CONSENT__CONSENT_YES;
	f.class_ = "active";
	finds(an, &f, "C", "tag + consent + class");

}

/* count_only, and a member's class and portrait in the list. */
static void filters_list(KassaClient *an, int64_t s1)
{
	Kassa__V1__MemberFilter f;
	Kassa__V1__Response *r = NULL;

	/* count_only, and a member's scores and portrait in the list */
	RESET(f);
	if (CHECK(kc_member_find(an, &f, NULL, 0, 0, NULL, true, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->member_found, "count"))
		CHECK(r->member_found->count == 5 && r->member_found->n_members == 0,
		      "count_only: 5, no rows, got %lld", (long long)r->member_found->count);
	kc_response_free(r);
	r = NULL;
	f.tag = vip;
	if (CHECK(kc_member_find(an, &f, NULL, 0, 0, NULL, false, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->member_found && r->member_found->n_members == 2,
		  "A and C")) {
		const Kassa__V1__Member *m = r->member_found->members[0];

		CHECK(m->member_id == ids[A] && m->rfm && strcmp(m->rfm->class_, "high_value") == 0 &&
		      m->portrait && m->portrait->avg_basket_minor == 4550 &&
		      m->portrait->usual_hour == 18 && m->portrait->usual_store_id ==
		      s1 && m->portrait->n_favourite_categories == 2 &&
		      strcmp(m->portrait->favourite_categories[0], "tea") == 0 &&
		      m->portrait->visit_interval_days == 7 && strcmp(m->phone, phones[A]) == 0,
		      "A's class, portrait and whole phone in the list");
		CHECK(r->member_found->next[0] == '\0', "one page: no next");
	}
	kc_response_free(r);
}

/* Values the server refuses, and a role it refuses. */
static void filters_bad(KassaClient *an, KassaClient *cashier)
{
	Kassa__V1__MemberFilter f;

	kassa__v1__member_filter__init(&f);
	f.birthday_month = 13;
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_BIRTHDAY_MONTH"), "month 13");
	kassa__v1__member_filter__init(&f);
	f.last_visit_from = "2026-02-30";
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_DATE"), "30 February");
	kassa__v1__member_filter__init(&f);
	f.last_visit_from = "2026-03-12";
	f.last_visit_to = "2026-03-11";
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_RANGE"), "visits to before from");
	kassa__v1__member_filter__init(&f);
	f.spend_min_minor = 200;
	f.spend_max_minor = 100;
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_RANGE"), "spend min above max");
	kassa__v1__member_filter__init(&f);
	f.phone = "123";
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_PHONE_SUFFIX"), "3 digits");
	f.phone = "13x8";
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_PHONE"), "not a phone");
	kassa__v1__member_filter__init(&f);
	f.class_ = "vip";
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_CLASS"), "unknown class");
	kassa__v1__member_filter__init(&f);
	f.consent = (Kassa__V1__Consent)7;
	CHECK(find_refused(an, &f, NULL, 0, NULL, ST_BAD, "BAD_CONSENT"), "unknown consent");
	CHECK(find_refused(an, NULL, NULL, 0, "abc", ST_BAD, "BAD_CURSOR"), "made-up cursor");
	CHECK(find_refused(an, NULL, NULL, 0, "m1:0", ST_BAD, "BAD_CURSOR"), "cursor id 0");
	CHECK(find_refused(cashier, NULL, NULL, 0, NULL, KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
			   "ROLE_NOT_ALLOWED"), "a cashier may not search the base");
}

/* Every field alone and combined, on the set. */
static void test_filters(Harness *h)
{
	KassaClient *cashier = it_cashier(h);
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	int64_t s1, s2;

	if (cashier == NULL || an == NULL || !build_set(h, cashier))
		goto out;
	s1 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	s2 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	filters_fields(h, an);
	filters_stats(an, s1, s2);
	filters_list(an, s1);
	filters_bad(an, cashier);
out:
	kc_free(an);
	kc_free(cashier);
}

/* ---- paging under concurrent registrations ---- */

typedef struct Registrar {
	KassaClient *kc;		/* owned by the test */
	const char *tag;
	int64_t ids[PAGED_NEW_MAX];	/* registered, in order */
	int done;			/* how many completed (atomic) */
	int stop;			/* the pager is done (atomic) */
	int failed;			/* a registration failed (atomic) */
} Registrar;

static void *registrar_run(void *arg)
{
	Registrar *rg = arg;

	for (int i = 0; i < PAGED_NEW_MAX && !__atomic_load_n(&rg->stop, __ATOMIC_SEQ_CST); i++) {
		Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
		Kassa__V1__Response *r = NULL;
		char phone[32], name[96], *tags[1] = { (char *)rg->tag };

		it_fresh_phone(phone);
		snprintf(name, sizeof(name), "Paged new %d", i);
		reg.name = name;
		reg.phone = phone;
		reg.n_tags = 1;
		reg.tags = tags;
		if (kc_member_register(rg->kc, &reg, NULL, &r) != KC_OK || r == NULL ||
		    kc_status(r) != ST_OK || r->member == NULL) {
			__atomic_store_n(&rg->failed, 1, __ATOMIC_SEQ_CST);
			kc_response_free(r);
			break;
		}
		rg->ids[i] = r->member->member_id;
		kc_response_free(r);
		__atomic_store_n(&rg->done, i + 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

/* Page through tag by 3 into got (*n); *before_last: registrations done before the last page. */
static bool page_all(KassaClient *an, const char *tag, Registrar *rg, int64_t *got, size_t *n,
		     int *before_last, int *pages)
{
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	char next[64] = "";

	f.tag = (char *)tag;
	*n = 0;
	*pages = 0;
	do {
		Kassa__V1__Response *r = NULL;

		if (rg != NULL)
			*before_last = __atomic_load_n(&rg->done, __ATOMIC_SEQ_CST);
		if (!CHECK(kc_member_find(an, &f, NULL, 0, 3, next, false, &r) == KC_OK && r &&
			   kc_status(r) == ST_OK && r->member_found, "page %d: %s", *pages,
			   r ? kc_detail(r) : kc_last_error(an))) {
			kc_response_free(r);
			return false;
		}
		(*pages)++;
		CHECK(r->member_found->n_members <= 3, "at most 3 a page");
		CHECK(r->member_found->next[0] == '\0' || r->member_found->n_members == 3,
		      "a page with a next is full");
		for (size_t i = 0; i < r->member_found->n_members && *n < MAX_IDS; i++)
			got[(*n)++] = r->member_found->members[i]->member_id;
		snprintf(next, sizeof(next), "%s", r->member_found->next);
		kc_response_free(r);
	} while (next[0] != '\0' && *pages < 100);
	return CHECK(next[0] == '\0', "paging ends");
}

static bool contains(const int64_t *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static void test_paging(Harness *h)
{
	KassaClient *cashier = it_cashier(h);
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Registrar rg = { 0 };
	int64_t initial[PAGED_INITIAL], got[MAX_IDS];
	char tag[64], phone[32];
	size_t n = 0;
	int before_last = 0, pages = 0, seen_new = 0;
	pthread_t th;
	bool started = false;
	struct timespec t0, now;

	if (cashier == NULL || an == NULL)
		goto out;
	rg.kc = it_login(h, "S001-T2", 1001, "1234");
	if (rg.kc == NULL)
		goto out;
	it_fresh_name("pg", tag);
	rg.tag = tag;
	for (int i = 0; i < PAGED_INITIAL; i++)
		if ((initial[i] = it_register(h, cashier, "Paged member", phone)) == 0 ||
		    !it_sqlf(h, "UPDATE members SET tags = ARRAY['%s'] WHERE member_id = %lld", tag,
			     (long long)initial[i]))
			goto out;
	/* a member of the tag erased, one merged: never paged over */
	if (!it_sqlf(h, "UPDATE members SET erased_at = now() WHERE member_id = %lld",
		     (long long)initial[3]) ||
	    !it_sqlf(h, "UPDATE members SET merged_into = %lld WHERE member_id = %lld",
		     (long long)initial[0], (long long)initial[6]))
		goto out;
	if (!CHECK(pthread_create(&th, NULL, registrar_run, &rg) == 0, "registrar thread"))
		goto out;
	started = true;
	/* page once the other connection is registering (bounded wait, no sleep) */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (__atomic_load_n(&rg.done, __ATOMIC_SEQ_CST) == 0 &&
	       !__atomic_load_n(&rg.failed, __ATOMIC_SEQ_CST) && now.tv_sec - t0.tv_sec < 10);
	CHECK(rg.done > 0, "the other connection registers members");
	if (!page_all(an, tag, &rg, got, &n, &before_last, &pages))
		goto out;
	__atomic_store_n(&rg.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
	started = false;
	CHECK(!rg.failed, "every concurrent registration succeeded");

	for (size_t i = 1; i < n; i++)
		if (!CHECK(got[i] > got[i - 1], "ascending, none twice: #%zu %lld after %lld", i,
			   (long long)got[i], (long long)got[i - 1]))
			break;
	for (int i = 0; i < PAGED_INITIAL; i++)
		CHECK(contains(got, n, initial[i]) == (i != 3 && i != 6),
		      "initial member %d (%lld) %s", i, (long long)initial[i],
		      i == 3 ? "erased: absent" : i == 6 ? "merged: absent" : "exactly once");
	for (size_t i = 0; i < n; i++) {
		bool known = false;

		for (int k = 0; k < PAGED_INITIAL; k++)
			known = known || got[i] == initial[k];
		if (!known) {
			CHECK(contains(rg.ids, (size_t)rg.done, got[i]) && got[i] > initial[9],
			      "%lld: registered meanwhile, after the initial ones", (long long)got[i]);
			seen_new++;
		}
	}
	for (int i = 0; i < before_last; i++)
		CHECK(contains(got, n, rg.ids[i]), "registered before the last page: %lld found",
		      (long long)rg.ids[i]);
	fprintf(stderr, "# %d pages, %zu members, %d of %d new ones seen\n", pages, n, seen_new,
		rg.done);
	CHECK(pages >= 3, "paged in several pages: %d", pages);

	/* once quiet: all of them, and the count agrees */
	if (page_all(an, tag, NULL, got, &n, &before_last, &pages)) {
		Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
		Kassa__V1__Response *r = NULL;

		CHECK(n == (size_t)(PAGED_INITIAL - 2 + rg.done), "quiet: %d members, got %zu",
		      PAGED_INITIAL - 2 + rg.done, n);
		f.tag = tag;
		CHECK(kc_member_find(an, &f, NULL, 0, 0, NULL, true, &r) == KC_OK && r &&
		      kc_status(r) == ST_OK && r->member_found &&
		      r->member_found->count == PAGED_INITIAL - 2 + rg.done, "the count agrees");
		kc_response_free(r);
	}
out:
	if (started) {
		__atomic_store_n(&rg.stop, 1, __ATOMIC_SEQ_CST);
		pthread_join(th, NULL);
	}
	kc_free(rg.kc);
	kc_free(an);
	kc_free(cashier);
}

/* ---- segments ---- */

/* Save filter as segment name under key; the version (0 + failure if refused). */
static uint32_t save(KassaClient *kc, const char *name, Kassa__V1__MemberFilter *f,
		     const char *key)
{
	Kassa__V1__Response *r = NULL;
	uint32_t v = 0;

	if (CHECK(kc_segment_save(kc, name, "test segment", f, key, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->segment, "segment save: %s",
		  r ? kc_detail(r) : kc_last_error(kc)))
		v = r->segment->version;
	kc_response_free(r);
	return v;
}

/* The ids of segment name at version (into got, *n) and the version it reports. */
static uint32_t find_segment(KassaClient *kc, const char *name, uint32_t version, int64_t *got,
			     size_t *n)
{
	Kassa__V1__Response *r = NULL;
	uint32_t v = 0;

	*n = 0;
	if (CHECK(kc_member_find(kc, NULL, name, version, 0, NULL, false, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->member_found, "find by segment: %s",
		  r ? kc_detail(r) : kc_last_error(kc))) {
		v = r->member_found->segment_version;
		for (size_t i = 0; i < r->member_found->n_members && *n < MAX_IDS; i++)
			got[(*n)++] = r->member_found->members[i]->member_id;
	}
	kc_response_free(r);
	return v;
}

static void test_segments(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *cashier = it_cashier(h);
	Kassa__V1__MemberFilter f1 = KASSA__V1__MEMBER_FILTER__INIT, f2 = f1, bad = f1;
	Kassa__V1__Response *r = NULL;
	char name[64], key1[64], key2[64];
	int64_t got[MAX_IDS];
	size_t n;
	int64_t rows0;

	/* the set of test_filters (built here when this test runs alone) */
	if (an == NULL || cashier == NULL || (ids[A] == 0 && !build_set(h, cashier)))
		goto out;
	it_fresh_name("seg", name);
	it_fresh_name("segkey", key1);
	it_fresh_name("segkey", key2);
	f1.tag = vip;				/* A, C */
	f2.name_prefix = prefix;		/* B, D */
	f2.consent = KASSA__V1__CONSENT__CONSENT_NO;
	CHECK(save(an, name, &f1, key1) == 1, "first save: version 1");
	CHECK(save(an, name, &f1, key1) == 1, "the same key again: still version 1");
	CHECK(save(an, name, &f2, key2) == 2, "second save: version 2");
	CHECK(it_sql_int(h, "SELECT count(*) FROM segments WHERE name = '%s'", name) == 2,
	      "two versions stored");

	CHECK(find_segment(an, name, 1, got, &n) == 1 && n == 2 && got[0] == ids[A] &&
	      got[1] == ids[C], "version 1: A and C");
	CHECK(find_segment(an, name, 0, got, &n) == 2 && n == 2 && got[0] == ids[B] &&
	      got[1] == ids[D], "latest (2): B and D");
	CHECK(find_segment(an, name, 2, got, &n) == 2 && n == 2, "version 2 by number");
	if (CHECK(kc_member_find(an, NULL, name, 1, 0, NULL, true, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->member_found, "count a segment"))
		CHECK(r->member_found->count == 2 && r->member_found->segment_version == 1,
		      "segment count: 2 of version 1");
	kc_response_free(r);
	r = NULL;

	if (CHECK(kc_segment_get(an, name, 0, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->segment, "segment get latest"))
		CHECK(r->segment->version == 2 && r->segment->filter &&
		      r->segment->filter->consent == KASSA__V1__CONSENT__CONSENT_NO &&
		      strcmp(r->segment->filter->name_prefix, prefix) == 0 &&
		      r->segment->created_by == 3001, "latest is version 2, its filter, who saved it");
	kc_response_free(r);
	r = NULL;
	if (CHECK(kc_segment_get(an, name, 1, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->segment, "segment get 1"))
		CHECK(r->segment->version == 1 && strcmp(r->segment->filter->tag, vip) == 0,
		      "version 1 kept its filter");
	kc_response_free(r);
	r = NULL;
	if (CHECK(kc_segment_list(an, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->segment_catalog, "segment list")) {
		int mine = 0;

		for (size_t i = 0; i < r->segment_catalog->n_segments; i++)
			if (strcmp(r->segment_catalog->segments[i]->name, name) == 0)
				mine += r->segment_catalog->segments[i]->version == 2 ? 1 : 100;
		CHECK(mine == 1, "the list has the segment once, at its latest version");
	}
	kc_response_free(r);
	r = NULL;

	/* refusals, and a bad filter stores nothing */
	CHECK(find_refused(an, NULL, name, 3, NULL, ST_NOT_FOUND, "SEGMENT_NOT_FOUND"),
	      "no version 3");
	CHECK(find_refused(an, NULL, "no-such-segment-x", 0, NULL, ST_NOT_FOUND,
			   "SEGMENT_NOT_FOUND"), "unknown segment");
	rows0 = it_sql_int(h, "SELECT count(*) FROM segments");
	bad.birthday_month = 13;
	CHECK(kc_segment_save(an, name, NULL, &bad, NULL, &r) == KC_OK && r &&
	      kc_status(r) == ST_BAD && strcmp(kc_detail(r), "BAD_BIRTHDAY_MONTH") == 0,
	      "a segment with a bad filter is refused");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_segment_save(an, "", NULL, &f1, NULL, &r) == KC_OK && r &&
	      kc_status(r) == ST_BAD && strcmp(kc_detail(r), "BAD_SEGMENT_NAME") == 0,
	      "an empty name is refused");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_segment_save(cashier, name, NULL, &f1, NULL, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
	      "a cashier may not save a segment");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM segments") == rows0, "nothing stored");
	if (CHECK(kc_segment_get(an, "no-such-segment-x", 0, &r) == KC_OK && r, "get unknown"))
		CHECK(kc_status(r) == ST_NOT_FOUND && strcmp(kc_detail(r), "SEGMENT_NOT_FOUND") == 0,
		      "SegmentGet of an unknown name: SEGMENT_NOT_FOUND");
out:
	kc_response_free(r);
	kc_free(cashier);
	kc_free(an);
}

static const HarnessTest tests[] = {
	{ "filters", test_filters },
	{ "paging", test_paging },
	{ "segments", test_segments },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
