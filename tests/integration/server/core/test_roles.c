/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_roles: who may make which request, proven against the running
 * kassad, one cell at a time. The table below is this test's own
 * expectation, written from the security issue (cashier, manager, office
 * analyst, admin; admin requests only from office certificates), not read
 * from server/routes.c: for every request type of the protocol, and for
 * each role's demo staff member logged in at a store till (S001-T1) and at
 * head office's terminal (HQ-OFFICE-1), a minimal request is sent. Where the
 * table says refused, the answer must be PERMISSION_DENIED with detail
 * ROLE_NOT_ALLOWED (OFFICE_ONLY for an admin's request from a store till);
 * where it says allowed, the answer must not be PERMISSION_DENIED at all
 * (the minimal request may well fail otherwise, e.g. INVALID_ARGUMENT or
 * NOT_FOUND: the gate let it through). A cashier of S001 cannot log in at
 * head office at all (staff act only at their own store).
 *
 * The minimal requests are chosen to change nothing that other tests rely
 * on: ids of 0, empty names, an invalid exchange rate, a negative float.
 * Points expiry, tier re-evaluation and the analytics run take no
 * arguments and do run for the admin at head office, as their jobs do.
 *
 * A second test checks the older rule that a till acts only for its own
 * store: a sale made at S002 is refused to S001's cashier (OTHER_STORE),
 * for reading and for refunding, and is served to S002's own till.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_DENIED KASSA__V1__STATUS_CODE__PERMISSION_DENIED
#define ST_UNIMPL KASSA__V1__STATUS_CODE__UNIMPLEMENTED

/* The four roles, in the order of the table's columns. */
enum { CASHIER, MANAGER, ANALYST, ADMIN, NROLES };

static const struct {
	const char *name;
	int64_t staff_id;
	const char *pin;
} staff[NROLES] = {
	{ "cashier", 1001, "1234" },	/* of store S001 */
	{ "manager", 2001, "9999" },
	{ "analyst", 3001, "3333" },
	{ "admin", 9001, "0000" },
};

/*
 * The expectation: per request type, one letter per role (cashier, manager,
 * analyst, admin) at a store till and at the office terminal: 'y' allowed,
 * 'n' refused, '-' cannot happen (a store's cashier cannot log in at head
 * office). admin_only marks the admin requests (office certificates only).
 */
typedef struct Expect {
	Kassa__V1__Request__BodyCase body;
	const char *store;	/* C M A D at S001-T1 */
	const char *office;	/* C M A D at HQ-OFFICE-1 */
	bool admin_only;
} Expect;

#define B(x) KASSA__V1__REQUEST__BODY_##x
/* Everyone at the cash desk and in the office may look things up. */
#define ANY "yyyy", "-yyy"
/* Serving a customer: the cash desk (cashier, manager), not head office's roles. */
#define DESK "yynn", "-ynn"
/* Member care at a store: the cash desk and the admin, not the analyst. */
#define CARE "yyny", "-yny"
/* Store management: manager and admin. */
#define MGMT "nyny", "-yny"
/* Head office's reading: manager (their store's share), analyst, admin. */
#define HQ_READ "nyyy", "-yyy"
/* Head office's analysis that keeps or hands out data: analyst and admin. */
#define HQ_DATA "nnyy", "-nyy"
/* Admin requests: the admin, from head office only. */
#define ADMIN_ONLY "nnnn", "-nny", true

static const Expect expect[] = {
	{ B(MEMBER_REGISTER), CARE, false },
	{ B(MEMBER_GET), ANY, false },
	{ B(MEMBER_SEARCH), ANY, false },
	{ B(MEMBER_UPDATE), CARE, false },
	{ B(MEMBER_HISTORY), ANY, false },
	{ B(PRODUCT_LOOKUP), ANY, false },
	{ B(CHECKOUT), DESK, false },
	{ B(TRANSACTION_GET), ANY, false },
	{ B(REFUND), DESK, false },
	{ B(TOP_UP), DESK, false },
	{ B(RULE_SET_GET), ANY, false },
	{ B(RULE_SET_PUT), ADMIN_ONLY },
	{ B(COUPON_DEFINE), ADMIN_ONLY },
	{ B(COUPON_ISSUE), CARE, false },
	{ B(POINTS_EXPIRE), ADMIN_ONLY },
	{ B(TIER_SET), MGMT, false },
	{ B(TIER_REEVALUATE), ADMIN_ONLY },
	{ B(STAFF_UNLOCK), MGMT, false },
	{ B(RATES_GET), ANY, false },
	{ B(RATES_SET), MGMT, false },
	{ B(CATALOG_SYNC), ANY, false },
	{ B(FEEDBACK), DESK, false },
	{ B(SHIFT_OPEN), DESK, false },
	{ B(SHIFT_REPORT), ANY, false },
	{ B(MEMBER_360), HQ_READ, false },
	{ B(MEMBER_FIND), HQ_READ, false },
	{ B(SEGMENT_SAVE), HQ_DATA, false },
	{ B(SEGMENT_GET), HQ_READ, false },
	{ B(SEGMENT_LIST), HQ_READ, false },
	{ B(REPORT_RUN), HQ_READ, false },
	{ B(EXPORT_PAGE), HQ_DATA, false },
	{ B(ANALYTICS_RUN), ADMIN_ONLY },
	{ B(CONSOLE_SHOW), ADMIN_ONLY },
	{ B(CONSOLE_RELOAD), ADMIN_ONLY },
	{ B(AUDIT_VERIFY), ADMIN_ONLY },
	{ B(MEMBER_DATA_EXPORT), ADMIN_ONLY },
	{ B(MEMBER_ERASE), ADMIN_ONLY },
	{ B(COMPLAINT_OPEN), CARE, false },
	{ B(COMPLAINT_UPDATE), MGMT, false },
	{ B(COMPLAINT_GET), HQ_READ, false },
	{ B(COMPLAINT_LIST), HQ_READ, false },
	{ B(FEEDBACK_LIST), HQ_READ, false },
	{ B(FOLLOWUP_RULES_PUT), ADMIN_ONLY },
	{ B(FOLLOWUP_RULES_GET), HQ_READ, false },
	{ B(FOLLOWUP_LIST), ANY, false },
	{ B(FOLLOWUP_RECORD), CARE, false },
	{ B(MESSAGE_TEMPLATE_PUT), ADMIN_ONLY },
	{ B(MESSAGE_TEMPLATE_LIST), HQ_READ, false },
	{ B(ENDPOINT_PUT), ADMIN_ONLY },
	{ B(ENDPOINT_LIST), ADMIN_ONLY },
	{ B(OUTBOX_LIST), ADMIN_ONLY },
	{ B(OUTBOX_RETRY), ADMIN_ONLY },
	{ B(CAMPAIGN_CREATE), ADMIN_ONLY },
	{ B(CAMPAIGN_LAUNCH), ADMIN_ONLY },
	{ B(CAMPAIGN_GET), HQ_READ, false },
	{ B(CAMPAIGN_LIST), HQ_READ, false },
	{ B(CAMPAIGN_REPORT), HQ_READ, false },
	{ B(MEMBER_MERGE), ADMIN_ONLY },
	{ B(MEMBER_IMPORT), ADMIN_ONLY },
	{ B(FEED_EXPORT), ADMIN_ONLY },
	{ B(POINTS_ADJUST), MGMT, false },
	{ B(COUPON_DEF_CHANGE), ADMIN_ONLY },
	{ B(JOB_RUN), ADMIN_ONLY },
	/* store operations */
	{ B(STORE_PUT), ADMIN_ONLY },
	{ B(STORE_LIST), ANY, false },
	{ B(STAFF_PUT), MGMT, false },
	{ B(STAFF_LIST), HQ_READ, false },
	{ B(STAFF_PIN_RESET), MGMT, false },
	{ B(STAFF_PIN_CHANGE), ANY, false },
	{ B(TILL_PUT), ADMIN_ONLY },
	{ B(TILL_LIST), HQ_READ, false },
	{ B(PRODUCT_PUT), ADMIN_ONLY },
	{ B(PRODUCT_LIST), ANY, false },
	{ B(CATEGORY_PUT), ADMIN_ONLY },
	{ B(CATEGORY_LIST), ANY, false },
	{ B(PRICE_LIST_PUT), ADMIN_ONLY },
	{ B(PRICE_LIST_QUERY), HQ_READ, false },
	{ B(GIFT_ITEM_PUT), ADMIN_ONLY },
	{ B(GIFT_ITEM_LIST), ANY, false },
	{ B(STOCK_LIST), ANY, false },
	{ B(STOCK_MOVES), HQ_READ, false },
	{ B(STOCK_ADJUST), MGMT, false },
	{ B(STOCK_ALERT_LIST), HQ_READ, false },
	{ B(COUNT_OPEN), CARE, false },
	{ B(COUNT_SCAN), CARE, false },
	{ B(COUNT_GET), ANY, false },
	{ B(COUNT_POST), MGMT, false },
	{ B(TRANSFER_SEND), MGMT, false },
	{ B(TRANSFER_RECEIVE), MGMT, false },
	{ B(TRANSFER_GET), ANY, false },
	{ B(TRANSFER_LIST), HQ_READ, false },
	{ B(SUPPLIER_PUT), ADMIN_ONLY },
	{ B(SUPPLIER_LIST), HQ_READ, false },
	{ B(SUPPLIER_PRODUCT_PUT), ADMIN_ONLY },
	{ B(PURCHASE_SUGGEST), MGMT, false },
	{ B(PURCHASE_ORDER_PUT), MGMT, false },
	{ B(PURCHASE_ORDER_GET), HQ_READ, false },
	{ B(PURCHASE_ORDER_LIST), HQ_READ, false },
	{ B(GOODS_RECEIVE), MGMT, false },
	{ B(SERVICE_ITEM_PUT), ADMIN_ONLY },
	{ B(CARD_LIST), ANY, false },
	{ B(CARD_REDEEM), DESK, false },
	{ B(CARD_REFUND), MGMT, false },
	{ B(CLOCK_IN), ANY, false },
	{ B(CLOCK_OUT), ANY, false },
	{ B(CLOCK_LIST), ANY, false },
};

/* The request field of body case b (its name, descriptor and place). */
static const ProtobufCFieldDescriptor *body_field(Kassa__V1__Request__BodyCase b)
{
	return protobuf_c_message_descriptor_get_field(&kassa__v1__request__descriptor,
						       (unsigned)b);
}

/*
 * A minimal request of body case b: the body message with its defaults,
 * then the few values that make it harmless. Free the body with free().
 */
static ProtobufCMessage *minimal(Kassa__V1__Request *req, Kassa__V1__Request__BodyCase b,
				 char key[KC_KEY_LEN])
{
	static Kassa__V1__ExchangeRate bad_rate = KASSA__V1__EXCHANGE_RATE__INIT;
	static Kassa__V1__ExchangeRate *rates[1] = { &bad_rate };
	const ProtobufCFieldDescriptor *f = body_field(b);
	const ProtobufCMessageDescriptor *md = f->descriptor;
	ProtobufCMessage *body = calloc(1, md->sizeof_message);
	Kassa__V1__Request init = KASSA__V1__REQUEST__INIT;

	if (body == NULL)
		abort();
	protobuf_c_message_init(md, body);
	*req = init;
	kc_new_key(key);
	req->idempotency_key = key;
	req->body_case = b;
	*(ProtobufCMessage **)(void *)((char *)req + f->offset) = body;
	if (b == B(SHIFT_OPEN))		/* a negative float opens no shift */
		((Kassa__V1__ShiftOpen *)body)->float_minor = -1;
	if (b == B(RATES_SET)) {	/* a rate of 0 for an unknown currency writes none */
		bad_rate.currency = (char *)"XXX";
		((Kassa__V1__RatesSet *)body)->n_rates = 1;
		((Kassa__V1__RatesSet *)body)->rates = rates;
	}
	if (b == B(MEMBER_FIND))	/* counting is enough to pass the gate */
		((Kassa__V1__MemberFind *)body)->count_only = true;
	/* store-ops/org: harmless values */
	/* store-ops/tills: harmless values */
	/* store-ops/catalog: harmless values */
	/* store-ops/stock: harmless values */
	/* store-ops/counts: harmless values */
	/* store-ops/supply: harmless values */
	/* store-ops/cards: harmless values */
	/* store-ops/clock: harmless values */
	return body;
}

/* Send one cell's request and check the answer against the table's letter. */
static void check_cell(KassaClient *kc, const Expect *e, int role, bool office)
{
	char letter = (office ? e->office : e->store)[role];
	const char *name = body_field(e->body)->name;
	const char *till = office ? "HQ-OFFICE-1" : "S001-T1";
	Kassa__V1__Request req;
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	ProtobufCMessage *body = minimal(&req, e->body, key);
	KcResult kr = kc_call(kc, &req, &r);
	const char *want = !office && role == ADMIN && e->admin_only ? "OFFICE_ONLY" :
			   "ROLE_NOT_ALLOWED";

	free(body);
	if (!CHECK(kr == KC_OK && r != NULL, "%s by %s at %s: no answer (%s)", name,
		   staff[role].name, till, kc_result_name(kr)))
		return;
	if (letter == 'n') {
		CHECK(kc_status(r) == ST_DENIED && strcmp(kc_detail(r), want) == 0,
		      "%s by %s at %s: expected PERMISSION_DENIED %s, got %s %s (%s)", name,
		      staff[role].name, till, want, kc_status_name(kc_status(r)), kc_detail(r),
		      kc_message(r));
	} else {
		CHECK(kc_status(r) != ST_DENIED && kc_status(r) != ST_UNIMPL,
		      "%s by %s at %s: expected to pass the role gate, got %s %s (%s)", name,
		      staff[role].name, till, kc_status_name(kc_status(r)), kc_detail(r),
		      kc_message(r));
	}
	kc_response_free(r);
}

static void test_role_table(Harness *h)
{
	int cells = 0;

	/* the table covers every request type the protocol has, but Hello and Login */
	for (unsigned i = 0; i < kassa__v1__request__descriptor.n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &kassa__v1__request__descriptor.fields[i];
		bool listed = f->id < B(MEMBER_REGISTER);	/* ids, key, Hello, Login */

		for (size_t k = 0; k < ARRAY_SIZE(expect); k++)
			listed = listed || (unsigned)expect[k].body == f->id;
		CHECK(listed, "request type %s (%u) is missing from the role table", f->name, f->id);
	}
	for (int office = 0; office <= 1; office++) {
		const char *till = office ? "HQ-OFFICE-1" : "S001-T1";

		for (int role = 0; role < NROLES; role++) {
			KassaClient *kc;

			if (office && role == CASHIER) {
				Kassa__V1__Response *r = NULL;

				kc = it_connect(h, till);
				CHECK(kc && kc_login(kc, staff[role].staff_id, staff[role].pin, &r) ==
				      KC_OK && kc_status(r) != ST_OK,
				      "S001's cashier may not log in at head office");
				kc_response_free(r);
				kc_free(kc);
				continue;
			}
			kc = it_login(h, till, staff[role].staff_id, staff[role].pin);
			if (!CHECK(kc != NULL, "%s logs in at %s", staff[role].name, till))
				continue;
			for (size_t k = 0; k < ARRAY_SIZE(expect); k++, cells++)
				check_cell(kc, &expect[k], role, office != 0);
			kc_free(kc);
		}
	}
	printf("# %d cells checked (%zu request types x 7 logins)\n", cells, ARRAY_SIZE(expect));
}

/* A cash sale of one SKU-TEA at kc's store: its txn_id, 0 + failure otherwise. */
static int64_t sell_one(KassaClient *kc)
{
	KcLine line = { "SKU-TEA", 1, false };
	KcTender t = { KASSA__V1__TENDER_KIND__TENDER_CASH, 0, NULL };
	KcSale s = { &line, 1, 0, NULL, 0, 0, NULL, 0 };
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	int64_t id = 0;

	if (!CHECK(kc_checkout(kc, &s, NULL, true, &r) == KC_OK && kc_status(r) == ST_OK &&
		   r->transaction, "quote at S002: %s", r ? kc_detail(r) : kc_last_error(kc))) {
		kc_response_free(r);
		return 0;
	}
	t.amount_minor = r->transaction->total_minor;
	kc_response_free(r);
	r = NULL;
	s.tenders = &t;
	s.ntenders = 1;
	kc_new_key(key);
	if (CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK && kc_status(r) == ST_OK &&
		  r->transaction, "sale at S002: %s", r ? kc_detail(r) : kc_last_error(kc)))
		id = r->transaction->txn_id;
	kc_response_free(r);
	return id;
}

static void test_own_store(Harness *h)
{
	KassaClient *s2 = it_login(h, "S002-T1", 1002, "2345");
	KassaClient *s1 = it_login(h, "S001-T1", 1001, "1234");
	Kassa__V1__Response *r = NULL;
	int32_t line_no = 1;
	int64_t txn = 0;
	char key[KC_KEY_LEN];

	if (!CHECK(s1 && s2, "cashiers log in at S001 and S002"))
		goto out;
	txn = sell_one(s2);
	if (txn == 0)
		goto out;
	CHECK(kc_transaction_get(s2, txn, &r) == KC_OK && kc_status(r) == ST_OK,
	      "S002 reads its own sale: %s", kc_detail(r));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_transaction_get(s1, txn, &r) == KC_OK && kc_status(r) == ST_DENIED &&
	      strcmp(kc_detail(r), "OTHER_STORE") == 0,
	      "S001 may not read S002's sale: got %s %s", kc_status_name(kc_status(r)),
	      kc_detail(r));
	kc_response_free(r);
	r = NULL;
	kc_new_key(key);
	CHECK(kc_refund(s1, txn, &line_no, 1, 0, NULL, "roles test", key, &r) == KC_OK &&
	      kc_status(r) == ST_DENIED && strcmp(kc_detail(r), "OTHER_STORE") == 0,
	      "S001 may not refund S002's sale: got %s %s", kc_status_name(kc_status(r)),
	      kc_detail(r));
	CHECK(it_sql_int(h, "SELECT count(*) FROM refunds WHERE txn_id = %lld",
			 (long long)txn) == 0, "and no refund was written");
out:
	kc_response_free(r);
	kc_free(s1);
	kc_free(s2);
}

static const HarnessTest tests[] = {
	{ "role_table", test_role_table },
	{ "own_store", test_own_store },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
