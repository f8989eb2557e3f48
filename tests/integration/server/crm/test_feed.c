/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_feed: the event feed for other systems (docs/care/feed.md).
 * Guards that the feed, read page by page while several members' sales
 * run in threads and the feed job numbers them, and replayed from
 * sequence 0 and from the middle, gives every event exactly once and in
 * order: seq 1.. without gaps, member_seq 1.. without gaps per member,
 * each member's sale.completed events in the order of their sales, the
 * same event (id, seq, member_seq) every time it is read; that an endpoint
 * subscribed to member.* gets outbox rows for member events only; that
 * FeedExport refuses bad pages; and that an erasure leaves no personal
 * data in the member's events and outbox rows while the feed still tells
 * a receiver about it (member.erased).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"
#include "kc_feed.h"
#include "kc_rights.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define MEMBERS 4
#define SALES 15

typedef struct Ev {
	int64_t seq, member, mseq, txn;
	char type[32];
	char id[40];
} Ev;

typedef struct Evs {
	Ev *v;
	size_t n, cap;
} Evs;

static void evs_add(Evs *e, const Kassa__V1__FeedEvent *f)
{
	json_t *d = json_loads(f->data_json, 0, NULL);
	Ev *x;

	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 256;
		e->v = realloc(e->v, e->cap * sizeof(*e->v));
		if (e->v == NULL)
			abort();
	}
	x = &e->v[e->n++];
	x->seq = f->seq;
	x->member = f->member_id;
	x->mseq = f->member_seq;
	x->txn = json_integer_value(json_object_get(d, "txn_id"));
	snprintf(x->type, sizeof(x->type), "%s", f->type);
	snprintf(x->id, sizeof(x->id), "%s", f->event_id);
	json_decref(d);
}

static bool mine(const int64_t *members, int64_t m)
{
	for (int i = 0; i < MEMBERS; i++)
		if (members[i] == m)
			return true;
	return false;
}

/*
 * Read the feed from *pos to the head (types: none = all): every event
 * must be the one after the previous (without a filter); members' events
 * of members (NULL: everyone's) go to out. False on a failure (CHECKed).
 */
static bool read_to_head(Harness *h, KassaClient *kc, int64_t *pos, const int64_t *members,
			 Evs *out)
{
	(void)h;
	for (;;) {
		Kassa__V1__Response *r = NULL;
		bool ok, more;

		ok = kc_feed_export(kc, *pos, 5000, NULL, 0, &r) == KC_OK && r != NULL &&
		     kc_status(r) == ST_OK && r->feed_page != NULL;
		if (!CHECK(ok, "FeedExport after %lld: %s", (long long)*pos,
			   r ? kc_detail(r) : kc_last_error(kc))) {
			kc_response_free(r);
			return false;
		}
		for (size_t i = 0; i < r->feed_page->n_events; i++) {
			const Kassa__V1__FeedEvent *f = r->feed_page->events[i];

			if (!CHECK(f->seq == *pos + 1, "seq %lld follows %lld", (long long)f->seq,
				   (long long)*pos)) {
				kc_response_free(r);
				return false;
			}
			*pos = f->seq;
			if (members == NULL || mine(members, f->member_id))
				evs_add(out, f);
		}
		more = r->feed_page->last_seq < r->feed_page->head_seq;
		CHECK(r->feed_page->last_seq == *pos, "last_seq %lld is the last event %lld",
		      (long long)r->feed_page->last_seq, (long long)*pos);
		kc_response_free(r);
		if (!more)
			return true;
	}
}

static bool job_feed(KassaClient *kc)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_job_run(kc, "feed", NULL, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->job_done != NULL && strcmp(r->job_done->job, "feed") == 0;

	kc_response_free(r);
	return ok;
}

static char g_sku[64];

static bool make_product(Harness *h)
{
	it_fresh_name("FEED", g_sku);
	return it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', 'Feed', 500)",
		       g_sku);
}

/* One cash sale of g_sku to member; its txn_id, 0 on failure (no CHECK: threads). */
static int64_t sell(KassaClient *kc, int64_t member)
{
	KcLine line = { .code = g_sku, .quantity = 1 };
	KcTender t = { KASSA__V1__TENDER_KIND__TENDER_CASH, 500, NULL };
	KcSale s = { .lines = &line, .nlines = 1, .tenders = &t, .ntenders = 1,
		     .member_id = member };
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;
	char key[KC_KEY_LEN];

	kc_new_key(key);
	if (kc_checkout(kc, &s, key, false, &r) == KC_OK && r && kc_status(r) == ST_OK &&
	    r->transaction)
		id = r->transaction->txn_id;
	else
		fprintf(stderr, "  sale to %lld refused: %s\n", (long long)member,
			r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
	return id;
}

typedef struct Seller {
	KassaClient *kc;
	int64_t member;
	int64_t txns[SALES];
	int done;
	pthread_t th;
} Seller;

static void *seller_main(void *arg)
{
	Seller *s = arg;

	for (int i = 0; i < SALES; i++) {
		s->txns[i] = sell(s->kc, s->member);
		if (s->txns[i] == 0)
			break;
		s->done++;
	}
	return NULL;
}

/* Each member's events in seq order: member_seq 1.., created first, sales in order. */
static void check_member_order(Harness *h, const Evs *e, const Seller *sl)
{
	for (int m = 0; m < MEMBERS; m++) {
		int64_t next = 1, sales = 0, created = 0;

		for (size_t i = 0; i < e->n; i++) {
			const Ev *x = &e->v[i];

			if (x->member != sl[m].member)
				continue;
			if (!CHECK(x->mseq == next, "member %lld: member_seq %lld, want %lld",
				   (long long)x->member, (long long)x->mseq, (long long)next))
				return;
			next++;
			created += next == 2 && strcmp(x->type, "member.created") == 0;
			if (strcmp(x->type, "sale.completed") == 0) {
				CHECK(sales < SALES && x->txn == sl[m].txns[sales],
				      "member %lld: sale %lld is txn %lld, sold %lld",
				      (long long)x->member, (long long)sales, (long long)x->txn,
				      sales < SALES ? (long long)sl[m].txns[sales] : -1LL);
				sales++;
			}
		}
		CHECK(created == 1, "member %lld: member.created comes first", (long long)sl[m].member);
		CHECK(sales == SALES, "member %lld: %lld sales in the feed, %d made",
		      (long long)sl[m].member, (long long)sales, SALES);
		CHECK(next - 1 == it_sql_int(h, "SELECT count(*) FROM events WHERE member_id = %lld",
					     (long long)sl[m].member),
		      "member %lld: every event of theirs is in the feed", (long long)sl[m].member);
	}
}

static bool same_events(const Evs *a, size_t from, const Evs *b)
{
	if (a->n - from != b->n)
		return false;
	for (size_t i = 0; i < b->n; i++)
		if (a->v[from + i].seq != b->v[i].seq || a->v[from + i].mseq != b->v[i].mseq ||
		    strcmp(a->v[from + i].id, b->v[i].id) != 0)
			return false;
	return true;
}

/* Guards: exactly once and in order, read live under concurrent sales and replayed. */
static void test_replay(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *reg = it_cashier(h);
	Seller sl[MEMBERS] = { 0 };
	int64_t members[MEMBERS] = { 0 }, pos = 0, start, mid, zero = 0;
	Evs live = { 0 }, all = { 0 }, tail = { 0 };
	char phone[32];
	size_t from;

	if (admin == NULL || reg == NULL || !make_product(h))
		goto out;
	if (!CHECK(job_feed(admin), "JobRun feed") || !read_to_head(h, admin, &pos, members, &all))
		goto out;
	start = pos;
	for (int m = 0; m < MEMBERS; m++) {
		members[m] = sl[m].member = it_register(h, reg, "Feed Reader", phone);
		sl[m].kc = it_cashier(h);
		if (members[m] == 0 || sl[m].kc == NULL)
			goto out;
	}
	for (int m = 0; m < MEMBERS; m++)
		pthread_create(&sl[m].th, NULL, seller_main, &sl[m]);
	/* read while they sell: the job numbers as the sales commit */
	for (int round = 0; round < 200; round++) {
		if (!job_feed(admin) || !read_to_head(h, admin, &pos, members, &live))
			break;
		if (live.n > 0 && round > 3)
			break;
	}
	for (int m = 0; m < MEMBERS; m++)
		pthread_join(sl[m].th, NULL);
	for (int m = 0; m < MEMBERS; m++)
		CHECK(sl[m].done == SALES, "member %lld: %d of %d sales", (long long)members[m],
		      sl[m].done, SALES);
	it_sqlf(h, "UPDATE members SET email = 'reader-%lld@example.com' WHERE member_id = %lld",
		(long long)members[0], (long long)members[0]);
	/* then to the end: every event of theirs numbered and read */
	for (int round = 0; round < 100; round++) {
		if (!CHECK(job_feed(admin), "JobRun feed") ||
		    !read_to_head(h, admin, &pos, members, &live))
			goto out;
		if (it_sql_int(h, "SELECT count(*) FROM events WHERE seq IS NULL AND member_id IN"
			       " (%lld, %lld, %lld, %lld)", (long long)members[0],
			       (long long)members[1], (long long)members[2],
			       (long long)members[3]) == 0 && round > 0)
			break;
	}
	check_member_order(h, &live, sl);
	CHECK(live.n > 0 && strcmp(live.v[live.n - 1].type, "member.updated") == 0,
	      "the e-mail change is the last event of theirs");

	/* from sequence 0: the whole feed without a gap, their events the same */
	free(all.v);
	memset(&all, 0, sizeof(all));
	if (!read_to_head(h, admin, &zero, members, &all))
		goto out;
	CHECK(zero >= pos, "the replay reaches the head (%lld >= %lld)", (long long)zero,
	      (long long)pos);
	CHECK(same_events(&all, 0, &live), "from 0: the same %zu events of theirs (%zu)", live.n,
	      all.n);
	/* from the middle of their sales: exactly the rest */
	mid = start + (pos - start) / 2;
	for (from = 0; from < live.n && live.v[from].seq <= mid; from++)
		;
	if (!read_to_head(h, admin, &mid, members, &tail))
		goto out;
	CHECK(same_events(&live, from, &tail), "from the middle: the %zu events after it (%zu)",
	      live.n - from, tail.n);
	CHECK(it_sql_int(h, "SELECT count(*) FROM (SELECT member_seq, row_number() OVER"
			 " (PARTITION BY member_id ORDER BY seq) AS n FROM events"
			 " WHERE seq IS NOT NULL) x WHERE member_seq <> n") == 0,
	      "every member's member_seq is 1.. without gaps in seq order");
out:
	for (int m = 0; m < MEMBERS; m++)
		kc_free(sl[m].kc);
	free(live.v);
	free(all.v);
	free(tail.v);
	kc_free(reg);
	kc_free(admin);
}

/* Number events until member has none unnumbered; false after a bounded wait. */
static bool numbered(Harness *h, KassaClient *admin, int64_t member)
{
	for (int i = 0; i < 50; i++) {
		if (!job_feed(admin))
			return false;
		if (it_sql_int(h, "SELECT count(*) FROM events WHERE member_id = %lld"
			       " AND seq IS NULL", (long long)member) == 0)
			return true;
	}
	return false;
}

/* Guards: an endpoint subscribed to member.* gets outbox rows for member events only. */
static void test_endpoint_patterns(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *kc = it_cashier(h);
	char name[64], ep[40], phone[32];
	int64_t member;

	if (admin == NULL || kc == NULL || !make_product(h))
		goto out;
	it_fresh_name("fd", name);
	snprintf(ep, sizeof(ep), "feed-%lld", (long long)(it_sql_int(h, "SELECT count(*) FROM"
		 " endpoints") * 1000 + (int64_t)(getpid() % 1000)));
	if (!it_sqlf(h, "INSERT INTO endpoints (name, kind, file, events)"
		     " VALUES ('%s', 'file', '%s.jsonl', '{member.*}')", ep, ep))
		goto out;
	member = it_register(h, kc, "Feed Subscriber", phone);
	CHECK(member > 0 && sell(kc, member) > 0, "a sale to the member");
	it_sqlf(h, "UPDATE members SET name = 'Feed Subscriber 2' WHERE member_id = %lld",
		(long long)member);
	if (!CHECK(numbered(h, admin, member), "the member's events are numbered"))
		goto out;
	CHECK(it_sql_int(h, "SELECT count(*) FROM outbox o JOIN events e ON e.seq = o.event_seq"
			 " WHERE o.endpoint = '%s' AND o.kind = 'event'"
			 " AND e.type NOT LIKE 'member.%%'", ep) == 0,
	      "no row of another type");
	CHECK(it_sql_int(h, "SELECT count(*) FROM outbox o JOIN events e ON e.seq = o.event_seq"
			 " WHERE o.endpoint = '%s' AND e.member_id = %lld", ep,
			 (long long)member) == 2, "member.created and member.updated queued");
	CHECK(it_sql_int(h, "SELECT count(*) FROM events e WHERE e.member_id = %lld"
			 " AND e.type = 'sale.completed' AND e.seq IS NOT NULL", (long long)member) == 1,
	      "their sale is in the feed too (not queued there)");
	CHECK(it_sql_int(h, "SELECT count(*) FROM outbox o JOIN events e ON e.seq = o.event_seq"
			 " WHERE o.endpoint = '%s' AND o.member_id = e.member_id", ep) ==
	      it_sql_int(h, "SELECT count(*) FROM outbox WHERE endpoint = '%s'", ep),
	      "each row names the event's member");
out:
	if (admin != NULL)
		it_sqlf(h, "UPDATE endpoints SET active = false WHERE name = '%s'", ep);
	kc_free(kc);
	kc_free(admin);
}

/* Guards: JobRun "feed" is exactly once per key: a retry answers the same run. */
static void job_run_once(Harness *h, KassaClient *admin)
{
	Kassa__V1__Response *a = NULL, *b = NULL;
	char key[KC_KEY_LEN];
	int64_t runs;

	kc_new_key(key);
	runs = it_sql_int(h, "SELECT count(*) FROM job_runs WHERE kind = 'feed'");
	CHECK(kc_job_run(admin, "feed", key, &a) == KC_OK && a && kc_status(a) == ST_OK &&
	      a->job_done && a->job_done->run_id > 0, "JobRun feed: %s", a ? kc_detail(a) : "-");
	CHECK(kc_job_run(admin, "feed", key, &b) == KC_OK && b && kc_status(b) == ST_OK &&
	      b->job_done && a && a->job_done && b->job_done->run_id == a->job_done->run_id &&
	      b->job_done->changed == a->job_done->changed, "a retry answers the same run");
	CHECK(it_sql_int(h, "SELECT count(*) FROM job_runs WHERE kind = 'feed'") >= runs + 1,
	      "the run is recorded");
	kc_response_free(a);
	kc_response_free(b);
}

/* Guards: bad pages are refused; a filtered page answers only matching types. */
static void test_export_args(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	const char *bad[] = { "member" }, *good[] = { "member.*", "sale.completed" };

	if (admin == NULL)
		return;
	CHECK(kc_feed_export(admin, 0, 5001, NULL, 0, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	      strcmp(kc_detail(r), "BAD_LIMIT") == 0, "limit 5001 refused");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_feed_export(admin, -1, 0, NULL, 0, &r) == KC_OK && r &&
	      strcmp(kc_detail(r), "BAD_AFTER_SEQ") == 0, "after_seq -1 refused");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_feed_export(admin, 0, 0, bad, 1, &r) == KC_OK && r &&
	      strcmp(kc_detail(r), "BAD_TYPES") == 0, "pattern \"member\" refused");
	kc_response_free(r);
	r = NULL;
	if (CHECK(kc_feed_export(admin, 0, 200, good, 2, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->feed_page, "a filtered page")) {
		for (size_t i = 0; i < r->feed_page->n_events; i++) {
			const char *t = r->feed_page->events[i]->type;

			CHECK(strncmp(t, "member.", 7) == 0 || strcmp(t, "sale.completed") == 0,
			      "type %s matches", t);
		}
		CHECK(r->feed_page->n_events < 200 ||
		      r->feed_page->last_seq == r->feed_page->events[199]->seq,
		      "a full page ends at its last event");
	}
	kc_response_free(r);
	r = NULL;
	job_run_once(h, admin);
	kc_free(admin);
}

/* Guards: after an erasure the member's events and outbox rows hold no personal data. */
static void test_erasure(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	char phone[32], name[64];
	int64_t member;

	if (admin == NULL || kc == NULL || !make_product(h))
		goto out;
	it_fresh_name("张三Feed", name);
	member = it_register(h, kc, name, phone);
	if (!CHECK(member > 0 && sell(kc, member) > 0, "a sale to the member"))
		goto out;
	it_sqlf(h, "UPDATE members SET email = 'erase-me-%lld@example.com' WHERE member_id = %lld",
		(long long)member, (long long)member);
	it_sqlf(h, "INSERT INTO outbox (endpoint, kind, member_id, channel, purpose, template,"
		" vars) SELECT name, 'message', %lld, 1, 'service', 'greeting',"
		" jsonb_build_object('name', '%s') FROM endpoints ORDER BY name LIMIT 1",
		(long long)member, name);
	if (it_sql_int(h, "SELECT (to_regclass('complaints') IS NOT NULL)::int") == 1)
		it_sqlf(h, "INSERT INTO complaints (member_id, store_id, category, description,"
			" opened_by, opened_till, source) SELECT %lld, store_id, 'service',"
			" 'call %s back', 1001, till_id, 'till' FROM tills WHERE code = 'S001-T1'",
			(long long)member, phone);
	if (!CHECK(numbered(h, admin, member), "numbered before the erasure"))
		goto out;
	CHECK(it_sql_int(h, "SELECT count(*) FROM events WHERE member_id = %lld"
			 " AND strpos(data::text, '%s') > 0", (long long)member, phone + 1) > 0,
	      "the feed carried the phone before");
	if (!CHECK(kc_member_erase(admin, member, "asked to be forgotten", NULL, &r) == KC_OK &&
		   r && kc_status(r) == ST_OK, "erased: %s", r ? kc_detail(r) : kc_last_error(admin)))
		goto out;
	CHECK(it_sql_int(h, "SELECT count(*) FROM events WHERE member_id = %lld AND"
			 " (strpos(data::text, '%s') > 0 OR strpos(data::text, '%s') > 0 OR"
			 " strpos(data::text, 'erase-me') > 0 OR data ? 'name')", (long long)member,
			 phone + 1, name) == 0, "no phone, name or e-mail left in their events");
	CHECK(it_sql_int(h, "SELECT count(*) FROM events WHERE member_id = %lld"
			 " AND type = 'sale.completed' AND data ? 'txn_id'", (long long)member) == 1,
	      "the sale's event keeps its ids");
	CHECK(it_sql_int(h, "SELECT count(*) FROM outbox WHERE member_id = %lld AND"
			 " (vars <> '{}' OR (kind = 'message' AND state <> 'cancelled'))",
			 (long long)member) == 0, "their outbox rows emptied, the message cancelled");
	if (it_sql_int(h, "SELECT (to_regclass('complaints') IS NOT NULL)::int") == 1)
		CHECK(it_sql_int(h, "SELECT count(*) FROM complaints WHERE member_id = %lld"
				 " AND description <> '[erased]'", (long long)member) == 0,
		      "their complaint's description cleared");
	CHECK(numbered(h, admin, member) &&
	      it_sql_int(h, "SELECT count(*) FROM events WHERE member_id = %lld"
			 " AND type = 'member.erased' AND seq IS NOT NULL", (long long)member) == 1,
	      "the feed tells receivers: member.erased");
out:
	kc_response_free(r);
	kc_free(kc);
	kc_free(admin);
}

static const HarnessTest tests[] = {
	{ "replay", test_replay },
	{ "endpoint_patterns", test_endpoint_patterns },
	{ "export_args", test_export_args },
	{ "erasure", test_erasure },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
