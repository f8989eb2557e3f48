/* SPDX-License-Identifier: Apache-2.0 */
/*
 * call.c: finishing a request. call_reply() packs the Response straight
 * into the session's output buffer behind its frame header, unlinks the
 * Call and lets the session read again; a Call whose session has gone is
 * only freed. Every handler path ends in exactly one of call_reply,
 * call_fail or (for orphans) call_free.
 *
 * Languages: call_fail() translates its format (a msgid) into the
 * session's language (Hello.language) before filling it in, and so do the
 * messages of call_fail_db(). So that _() anywhere in a handler
 * translates, every entry into a handler runs in its Call's locale and
 * gives the thread its own back afterwards: dispatch_call() around the
 * handler, db.c around each database callback (in the locale the query
 * was sent in; call_db_ok() makes sure it is the Call's own, also for a
 * query sent on a Call's behalf from another's callback), worker.c around
 * a worker job and its done function. Nothing here leaves a locale behind.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "db.h"
#include "frame.h"
#include "log.h"
#include "metrics.h"
#include "core.h"

static const char *call_name(const Call *c)
{
	const ProtobufCFieldDescriptor *f;

	if (c->req->body_case == KASSA__V1__REQUEST__BODY__NOT_SET)
		return "(empty)";
	f = protobuf_c_message_descriptor_get_field(&kassa__v1__request__descriptor,
						    (unsigned)c->req->body_case);
	return f ? f->name : "(unknown)";
}

void call_free(Call *c)
{
	Session *s = c->sess;

	if (s) {
		if (c->prev)
			c->prev->next = c->next;
		else
			s->calls = c->next;
		if (c->next)
			c->next->prev = c->prev;
		s->in_flight--;
	} else {
		session_orphan_done();
	}
	if (c->state_free)
		c->state_free(c->state);
	kassa__v1__request__free_unpacked(c->req, NULL);
	free(c);
	if (s)
		session_resume(s);
}

void call_reply(Call *c, Kassa__V1__Response *resp)
{
	static Kassa__V1__Status ok = KASSA__V1__STATUS__INIT;
	Session *s = c->sess;

	if (resp->status == NULL)
		resp->status = &ok;
	if (s && s->state != SESS_DEAD) {
		struct evbuffer *out = bufferevent_get_output(s->bev);
		struct evbuffer_iovec v;
		size_t n;

		resp->request_id = c->req->request_id;
		n = kassa__v1__response__get_packed_size(resp);
		if (evbuffer_reserve_space(out, (ev_ssize_t)(n + FRAME_HEADER_LEN), &v, 1) < 1) {
			session_close(s, "could not allocate output");
		} else {
			frame_put_header(v.iov_base, (uint32_t)n);
			kassa__v1__response__pack(resp, (uint8_t *)v.iov_base + FRAME_HEADER_LEN);
			v.iov_len = n + FRAME_HEADER_LEN;
			if (evbuffer_commit_space(out, &v, 1) != 0)
				session_close(s, "could not queue an answer");
		}
		if (log_get_level() >= LOG_LVL_DEBUG)
			log_call(c, LOG_LVL_DEBUG, "session %" PRIu64 ": %s -> %d %s in %" PRId64
				 " us", s->id, call_name(c),
				  resp->status ? (int)resp->status->code : 0,
				  resp->status && resp->status->detail ? resp->status->detail : "",
				  now_usec() - c->started_us);
	}
	metrics_request_done((int)c->req->body_case, (int)resp->status->code,
			     now_usec() - c->started_us);
	call_free(c);
}

void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Status st = KASSA__V1__STATUS__INIT;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), session_text(c->sess, fmt), ap);
	va_end(ap);
	st.code = code;
	st.detail = (char *)(detail ? detail : "");
	st.message = msg;
	resp.status = &st;
	call_reply(c, &resp);
}

/*
 * What each detail our SQL functions raise means, for the person at the
 * till; translated at use (sql_message).
 */
static const struct {
	const char *detail, *message;
} sql_messages[] = {
	{ "IDEMPOTENCY_KEY_REUSED", N_("this idempotency key was used for another request") },
	{ "BAD_TOTALS", N_("the amounts of the request do not add up") },
	{ "MEMBER_NOT_FOUND", N_("no such member") },
	{ "MEMBER_ERASED", N_("this member's data was erased; sell without a member") },
	{ "MEMBER_MERGED", N_("this member record was merged into another; look the customer up "
			      "again by phone or card") },
	{ "REASON_NAMES_MEMBER",
	  N_("the reason may not contain the member's phone, card, e-mail or name") },
	{ "BAD_REASON", N_("give a reason of 1-500 characters without control characters") },
	{ "MEMBER_REQUIRED", N_("points, coupons, gifts and stored value belong to a member") },
	{ "POINTS_WITHOUT_MEMBER", N_("points belong to a member; the sale has none") },
	{ "STALE_PRICING", N_("the member's tier or the rules changed while the sale was priced; "
			      "try again") },
	{ "STALE_RULES", N_("the rules changed meanwhile; try again") },
	{ "PRICE_CHANGED", N_("a price changed while the sale was priced; try again") },
	{ "CURRENCY_MISMATCH", N_("the amounts are in another currency than this store's") },
	{ "INSUFFICIENT_POINTS", N_("the member no longer has enough points") },
	{ "INSUFFICIENT_STORED_VALUE", N_("the member's stored value no longer covers this") },
	{ "GIFT_UNAVAILABLE", N_("a gift is out of stock or no longer in the gift catalogue") },
	{ "COUPON_USED", N_("the coupon has been used already") },
	{ "COUPON_EXPIRED", N_("the coupon has expired") },
	{ "COUPON_NOT_YET_VALID", N_("the coupon is not valid yet") },
	{ "COUPON_EXHAUSTED", N_("the coupon's offer has been used up") },
	{ "COUPON_INACTIVE", N_("the coupon has been withdrawn") },
	{ "COUPON_MEMBER_LIMIT", N_("the member has used this offer as often as allowed") },
	{ "COUPON_NOT_FOUND", N_("the member holds no such coupon") },
	{ "COUPON_DEF_NOT_FOUND", N_("no such coupon definition") },
	{ "COUPON_ALREADY_CLAIMED",
	  N_("the member already holds as many of these coupons as allowed") },
	{ "CLAIM_CODE_NOT_FOUND", N_("no offer has this claim code") },
	{ "UNKNOWN_TIER", N_("the rule set has no such tier") },
	{ "UNKNOWN_PRODUCT", N_("no such product") },
	{ "TRANSACTION_NOT_FOUND", N_("no such transaction") },
	{ "NOT_A_SALE",
	  N_("that transaction is not a sale (a stored-value top-up is not refunded)") },
	{ "BAD_LINE", N_("the sale has no such line") },
	{ "LINE_ALREADY_REFUNDED", N_("that line has been refunded already") },
	{ "APPROVAL_REQUIRED", N_("a refund this large needs a manager's approval") },
	{ "OTHER_STORE", N_("that sale was made at another store") },
	{ "OUT_OF_STOCK", N_("not enough in stock at this store") },
	/* store-ops/org: messages */
	{ "NAME_REQUIRED", N_("give a name") },
	{ "UNKNOWN_TIMEZONE", N_("unknown time zone: give an IANA name like Asia/Shanghai") },
	{ "STORE_EXISTS", N_("a store with this code exists already") },
	{ "CURRENCY_IN_USE", N_("this store has sales: its currency cannot change") },
	{ "ROLE_REQUIRED", N_("give the role: cashier, manager, analyst or admin") },
	{ "PIN_REQUIRED", N_("give the initial PIN") },
	{ "NOT_YOUR_STAFF", N_("a manager manages only the cashiers and managers of their store") },
	{ "ROLE_TOO_HIGH", N_("a manager cannot give a role above manager") },
	{ "SELF_CHANGE", N_("you cannot change your own role, store or access") },
	{ "STAFF_NOT_FOUND", N_("no such staff member") },
	{ "STORE_NOT_FOUND", N_("no such store") },
	{ "STAFF_EXISTS", N_("a staff member with this id exists already") },
	{ "LAST_ADMIN", N_("the last active administrator cannot be disabled or demoted") },
	/* store-ops/tills: messages */
	{ "TILL_STORE_REQUIRED", N_("a new till needs a store (store=ID)") },
	{ "TILL_STORE_NOT_FOUND", N_("no such store") },
	{ "TILL_SELF", N_("this workstation cannot deactivate itself; do it from another one") },
	{ "TILL_OTHER_STORE", N_("a store manager sees only the tills of their own store") },
	/* store-ops/catalog: messages */
	{ "UNKNOWN_CATEGORY", N_("no active category has that name (category list shows them)") },
	{ "BARCODE_TAKEN", N_("another product has that barcode") },
	{ "BAD_PARENT", N_("a category cannot be below itself or below one of its own") },
	{ "CATEGORY_NAME_TAKEN", N_("another category has that name") },
	{ "UNKNOWN_STORE", N_("no store has that id") },
	{ "DUPLICATE_SKU", N_("a price list names each SKU once") },
	/* store-ops/stock: messages */
	{ "NOT_STOCKED", N_("this product keeps no stock at a store (a service or a count card)") },
	{ "STOCK_BAD_REASON", N_("give a reason of 1 to 200 characters for a stock adjustment") },
	/* store-ops/counts: messages */
	{ "STORE_REQUIRED", N_("head office names the store (store=ID)") },
	{ "OTHER_STORE_COUNT", N_("staff of a store count only their own store") },
	{ "COUNT_ALREADY_OPEN", N_("this store already has an open count of that scope") },
	{ "COUNT_NOT_FOUND", N_("no such count session") },
	{ "COUNT_CLOSED", N_("this count has been posted or cancelled and cannot change") },
	{ "NOT_IN_COUNT", N_("this product is not in the count's scope") },
	{ "NO_STOCK_KEPT", N_("this product keeps no stock (a service)") },
	{ "FROM_STORE_REQUIRED", N_("head office names the sending store (from=STORE)") },
	{ "SAME_STORE", N_("a transfer goes to another store") },
	{ "TRANSFER_BAD_QUANTITY", N_("give each product once with a quantity above 0") },
	{ "NOT_ON_TRANSFER", N_("that product was not sent on this transfer") },
	{ "OTHER_STORE_TRANSFER",
	  N_("a store's manager sends from and receives at their own store only") },
	{ "TRANSFER_NOT_FOUND", N_("no such transfer") },
	{ "ALREADY_RECEIVED", N_("this transfer has been received already") },
	/* store-ops/supply: messages */
	{ "SUPPLIER_NOT_FOUND", N_("no such supplier") },
	{ "SUPPLIER_INACTIVE", N_("that supplier is inactive: no new orders") },
	{ "PRODUCT_NOT_SUPPLIED", N_("the supplier does not supply that product") },
	{ "CURRENCY_MISMATCH", N_("the supplier's costs of these products are in different currencies") },
	{ "PO_NOT_FOUND", N_("no such purchase order") },
	{ "PO_OTHER_STORE", N_("that purchase order is another store's") },
	{ "PO_STATE", N_("the purchase order's state does not allow that") },
	{ "NOT_ON_ORDER", N_("that product is not on the purchase order") },
	{ "OVER_DELIVERY", N_("more than a tenth over the quantity ordered: refuse the excess") },
	{ "NOTHING_OUTSTANDING", N_("nothing is outstanding on that purchase order") },
	/* store-ops/cards: messages */
	{ "CARD_NOT_FOUND", N_("no such count card") },
	{ "CARD_EXPIRED", N_("this count card has expired") },
	{ "CARD_USED_UP", N_("this count card has no visits left") },
	{ "CARD_CLOSED", N_("this count card was refunded") },
	{ "CARD_PARTLY_USED", N_("a count card of this line has been used; refund the remainder "
				   "with card refund") },
	{ "CARD_STALE", N_("the count card changed meanwhile; try again") },
	{ "CARD_TOO_MANY_VISITS", N_("a count card holds at most 100000 visits") },
	{ "SERVICE_INACTIVE", N_("this service is no longer sold") },
	/* store-ops/clock: messages */
	{ "ALREADY_CLOCKED_IN", N_("you are clocked in already; clock out first") },
	{ "NOT_CLOCKED_IN", N_("you are not clocked in") },
	{ "BAD_WEEK", N_("no such week: write it YYYY-Www, like 2026-W09") },
	{ "SHIFT_NOT_FOUND", N_("no such shift at this store") },
};

static const char *sql_message(const char *detail)
{
	for (size_t i = 0; i < ARRAY_SIZE(sql_messages); i++)
		if (strcmp(sql_messages[i].detail, detail) == 0)
			return sql_messages[i].message;
	return detail;
}

/*
 * A report pool's query (report_dsn) that could not run: say it is the
 * report database, which checkouts never use. True if c was answered.
 */
static bool call_fail_report_db(Call *c, DbStatus dbst, const char *state)
{
	if (!db_callback_is_report())
		return false;
	if (dbst == DB_TIMEOUT) {
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "REPORT_DATABASE_BUSY",
			  "the report database is busy with other reports; try again later");
		return true;
	}
	if (dbst == DB_UNAVAILABLE || dbst == DB_NO_ANSWER ||
	    (dbst == DB_SQL_ERROR && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))) {
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "REPORT_DATABASE_UNAVAILABLE",
			  "the report database is unavailable; try again later (sales go on as usual)");
		return true;
	}
	return false;
}

/*
 * Map a failed database call to a status. Our own functions raise SQLSTATE
 * class KA with the machine detail as the message (see migrations); unique
 * violations are ALREADY_EXISTS with a fixed detail and message (no
 * constraint name, no value); a lost or restarting server, or one that did
 * not answer by the query's deadline, is UNAVAILABLE (the till retries with
 * the same idempotency key); for a report statement on the report pool
 * (report_dsn) it is the report database that is named. Anything else is
 * INTERNAL, logged here; SQL text never goes to the till.
 */
void call_fail_db(Call *c, int dbst, const PGresult *res)
{
	const char *state = db_sqlstate(res);
	const char *msg = db_errmsg(res);

	if (call_fail_report_db(c, (DbStatus)dbst, state))
		return;

	switch ((DbStatus)dbst) {
	case DB_UNAVAILABLE:
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "DATABASE_UNAVAILABLE",
			  "the member database is not reachable; retry with the same key");
		return;
	case DB_TIMEOUT:
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "DATABASE_BUSY",
			  "the member database did not answer in time; retry with the same key");
		return;
	case DB_OVERLOADED:
		call_fail(c, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "SERVER_BUSY",
			  "too many requests waiting; retry shortly");
		return;
	case DB_NO_ANSWER:
		/* it may have been done: only the same idempotency key is a safe retry */
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "DB_TIMEOUT",
			  "the member database did not answer in time; retry with the same key");
		return;
	case DB_INTERNAL:
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return;
	case DB_OK:
	case DB_SQL_ERROR:
		break;
	}
	if (state[0] == 'K' && state[1] == 'A') {
		Kassa__V1__StatusCode code = KASSA__V1__STATUS_CODE__FAILED_PRECONDITION;

		if (strcmp(state, "KA400") == 0)
			code = KASSA__V1__STATUS_CODE__INVALID_ARGUMENT;
		else if (strcmp(state, "KA403") == 0)
			code = KASSA__V1__STATUS_CODE__PERMISSION_DENIED;
		else if (strcmp(state, "KA404") == 0)
			code = KASSA__V1__STATUS_CODE__NOT_FOUND;
		else if (strcmp(state, "KA409") == 0)
			code = KASSA__V1__STATUS_CODE__ABORTED;
		call_fail(c, code, msg, "%s", session_text(c->sess, sql_message(msg)));
		return;
	}
	if (strcmp(state, "23505") == 0) {
		/*
		 * A fixed answer: the constraint's name tells a till about the
		 * schema, and the error's text and DETAIL carry the values (a
		 * phone number). Handlers that expect a duplicate map it to their
		 * own detail (PHONE_TAKEN, CLAIM_CODE_TAKEN) before this.
		 */
		log_call(c, LOG_LVL_INFO, "request refused by the database: unique constraint %s",
			 db_constraint(res));
		call_fail(c, KASSA__V1__STATUS_CODE__ALREADY_EXISTS, "ALREADY_EXISTS",
			  "a record with the same key already exists");
		return;
	}
	if (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0 ||
	    strcmp(state, "55P03") == 0) {
		/* rolled back whole: the same request with the same key is safe */
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "DATABASE_CONFLICT",
			  "a concurrent change got in the way; retry with the same key");
		return;
	}
	if (strcmp(state, "57014") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__DEADLINE_EXCEEDED, "QUERY_TIMEOUT",
			  "the database took too long");
		return;
	}
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "DATABASE_UNAVAILABLE",
			  "the member database is restarting; retry with the same key");
		return;
	}
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0) {
		log_call(c, LOG_LVL_INFO, "request refused by the database: %s %s", state, msg);
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "INVALID_VALUE",
			  "a value was refused by the database");
		return;
	}
	log_call(c, LOG_LVL_ERROR, "database error %s: %s", state, msg);
	call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "DATABASE_ERROR", "internal error");
}

bool call_db_ok(Call *c, int dbst, const PGresult *res)
{
	if (call_is_orphan(c)) {
		call_free(c);
		return false;
	}
	/* the Call's own language; db.c gives the thread its locale back after the callback */
	uselocale(c->locale != (locale_t)0 ? c->locale : LC_GLOBAL_LOCALE);
	if ((DbStatus)dbst != DB_OK) {
		call_fail_db(c, dbst, res);
		return false;
	}
	return true;
}
