/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_card.c: service items and count cards (次卡), store operations part
 * "cards" (docs/store/cards.md).
 *
 *   ServiceItemPut  (admin) make a product a service item: visits per unit,
 *                   days valid, active; one call of kassa_service_item_put()
 *   CardList        a member's cards with their ledgers (kassa_card_list())
 *   CardRedeem      (cash desk) one visit, or a few, at any store of the
 *                   chain: one call of kassa_card_redeem(), whose guarded
 *                   UPDATE never takes a card below zero
 *   CardRefund      (manager, admin) the unused remainder paid out in cash
 *                   at this till: read the card (kassa_card_get()), compute
 *                   the amount in C (count_card_refund_amount(), pure), then
 *                   one call of kassa_card_refund() that refuses CARD_STALE
 *                   if the card changed since the read
 *
 * Cards are made by the sale itself (kassa_checkout calls kassa_card_sale()
 * in its transaction) and voided by the refund of their sale line while
 * unused (kassa_card_refund_lines()): neither passes through here. Every
 * answer is built from the JSON text the function returns; the strings of
 * the messages are borrowed from the parsed JSON until call_reply().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "count_card.h"
#include "count_card_rules.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "sqltext.h"
#include "util.h"

#define CARD_LIST_MAX 200	/* cards one CardList answers (kassa_card_list's LIMIT) */

static int st_service_put, st_list, st_redeem, st_get, st_refund;

void count_card_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 sku $6 product $7 visits $8 days $9 active */
	st_service_put = db_stmt_add("service_item_put",
		"SELECT kassa_service_item_put($1, $2, $3, $4::bytea, $5, $6, $7, $8, $9)",
		DB_LANE_WORK);
	/* $1 member $2 all */
	st_list = db_stmt_add("card_list", "SELECT kassa_card_list($1, $2)", DB_LANE_WORK);
	/* $1 till $2 store $3 staff $4 key $5 hash $6 card $7 member $8 visits */
	st_redeem = db_stmt_add("card_redeem",
		"SELECT kassa_card_redeem($1, $2, $3, $4, $5::bytea, $6, $7, $8)", DB_LANE_WORK);
	/* $1 card */
	st_get = db_stmt_add("card_get",
		"SELECT r_member, r_visits, r_remaining, r_paid FROM kassa_card_get($1)",
		DB_LANE_WORK);
	/* $1 till $2 store $3 staff $4 key $5 hash $6 card $7 remaining $8 amount */
	st_refund = db_stmt_add("card_refund",
		"SELECT kassa_card_refund($1, $2, $3, $4, $5::bytea, $6, $7, $8)", DB_LANE_WORK);
}

/* ---- the answers: JSON of migrations/functions/count_cards.sql to messages ---- */

static int64_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int32_t jint32(const json_t *o, const char *key)
{
	return (int32_t)json_integer_value(json_object_get(o, key));
}

static char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (char *)(s ? s : "");
}

/* What the messages of one answer own: ledger entries and cards (freed by card_mem_free). */
typedef struct CardMem {
	void *blocks[2 * CARD_LIST_MAX + 4];	/* owned */
	size_t n;
} CardMem;

static void *card_mem_alloc(CardMem *m, size_t count, size_t size)
{
	void *p = xcalloc(count ? count : 1, size);

	if (m->n < ARRAY_SIZE(m->blocks))
		m->blocks[m->n++] = p;
	else
		log_error("count_card: too many blocks");	/* leaks p; CARD_LIST_MAX bounds n */
	return p;
}

static void card_mem_free(CardMem *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->blocks[i]);
	m->n = 0;
}

/* Fill *card from j (kassa_card_json), its strings borrowed from j. */
static void card_fill(Kassa__V1__CountCard *card, const json_t *j, CardMem *m)
{
	const json_t *ledger = json_object_get(j, "ledger");
	size_t n = json_array_size(ledger);
	Kassa__V1__CardLedgerEntry *e, **ep;

	kassa__v1__count_card__init(card);
	card->card_id = jint(j, "card_id");
	card->member_id = jint(j, "member_id");
	card->product_id = jint(j, "product_id");
	card->sku = jstr(j, "sku");
	card->name = jstr(j, "name");
	card->visits = jint32(j, "visits");
	card->remaining = jint32(j, "remaining");
	card->state = jstr(j, "state");
	card->expires_at = jstr(j, "expires_at");
	card->paid_minor = jint(j, "paid_minor");
	card->currency = jstr(j, "currency");
	card->txn_id = jint(j, "txn_id");
	card->line_no = jint32(j, "line_no");
	card->store_id = jint(j, "store_id");
	card->created_at = jstr(j, "created_at");
	card->entry_id = jint(j, "entry_id");
	if (n == 0)
		return;
	e = card_mem_alloc(m, n, sizeof(*e));
	ep = card_mem_alloc(m, n, sizeof(*ep));
	for (size_t i = 0; i < n; i++) {
		const json_t *l = json_array_get(ledger, i);

		kassa__v1__card_ledger_entry__init(&e[i]);
		e[i].entry_id = jint(l, "entry_id");
		e[i].kind = jstr(l, "kind");
		e[i].visits = jint32(l, "visits");
		e[i].remaining_after = jint32(l, "remaining_after");
		e[i].store_id = jint(l, "store_id");
		e[i].till_id = jint(l, "till_id");
		e[i].staff_id = jint(l, "staff_id");
		e[i].at = jstr(l, "at");
		ep[i] = &e[i];
	}
	card->ledger = ep;
	card->n_ledger = n;
}

/* The JSON object in res's one value, or NULL after answering c INTERNAL. */
static json_t *card_json_or_fail(Call *c, const PGresult *res)
{
	json_t *j = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)
		? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : NULL;

	if (json_is_object(j))
		return j;
	log_call(c, LOG_LVL_ERROR, "count_card: no answer from the database");
	json_decref(j);
	call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s", _("internal error"));
	return NULL;
}

/* The till, staff and store of c and the hash of its body, as parameters. */
typedef struct CardParams {
	char till[24], staff[24], store[24];
	SqlText hash;			/* owned */
} CardParams;

static void card_params_init(CardParams *p, const Call *c, const ProtobufCMessage *body)
{
	p->hash = (SqlText)SQLTEXT_INIT;
	sqltext_hash(&p->hash, body);
	snprintf(p->till, sizeof(p->till), "%lld", (long long)c->sess->till_id);
	snprintf(p->staff, sizeof(p->staff), "%lld", (long long)c->staff_id);
	snprintf(p->store, sizeof(p->store), "%lld", (long long)c->sess->store_id);
}

/* ---- ServiceItemPut ---- */

static void service_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ServiceItem si = KASSA__V1__SERVICE_ITEM__INIT;
	json_t *j;

	if (!call_db_ok(c, st, res) || (j = card_json_or_fail(c, res)) == NULL)
		return;
	si.product_id = jint(j, "product_id");
	si.sku = jstr(j, "sku");
	si.name = jstr(j, "name");
	si.visits = jint32(j, "visits");
	si.valid_days = jint32(j, "valid_days");
	si.active = json_is_true(json_object_get(j, "active"));
	si.price_minor = jint(j, "price_minor");
	si.currency = jstr(j, "currency");
	resp.body_case = KASSA__V1__RESPONSE__BODY_SERVICE_ITEM;
	resp.service_item = &si;
	call_reply(c, &resp);
	json_decref(j);
}

void handle_service_item_put(Call *c)
{
	const Kassa__V1__ServiceItemPut *q = c->req->service_item_put;
	char product[24], visits[16], days[16];
	CardParams p;

	if ((q->product_id <= 0) == (q->sku[0] == '\0') || q->product_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PRODUCT", "%s",
			  _("name the product by its SKU or its id (one of the two)"));
		return;
	}
	if (!count_card_service_ok(q->visits, q->valid_days)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SERVICE",
			  _("a service item is 1 to %d visits per unit, valid 0 (always) to %d days"),
			  CARD_VISITS_MAX, CARD_DAYS_MAX);
		return;
	}
	snprintf(product, sizeof(product), "%lld", (long long)q->product_id);
	snprintf(visits, sizeof(visits), "%d", (int)q->visits);
	snprintf(days, sizeof(days), "%d", (int)q->valid_days);
	card_params_init(&p, c, &q->base);

	const char *params[9] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), q->sku, product,
		visits, days, q->inactive ? "false" : "true",
	};
	db_query(st_service_put, 9, params, service_put_cb, c);
	sqltext_free(&p.hash);
}

/* ---- CardList ---- */

static void list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CountCardList list = KASSA__V1__COUNT_CARD_LIST__INIT;
	Kassa__V1__CountCard *cards, **cp;
	CardMem m = { .n = 0 };
	const json_t *arr;
	json_t *j;
	size_t n;

	if (!call_db_ok(c, st, res) || (j = card_json_or_fail(c, res)) == NULL)
		return;
	arr = json_object_get(j, "cards");
	n = json_array_size(arr);
	if (n > CARD_LIST_MAX)
		n = CARD_LIST_MAX;
	cards = card_mem_alloc(&m, n, sizeof(*cards));
	cp = card_mem_alloc(&m, n, sizeof(*cp));
	for (size_t i = 0; i < n; i++) {
		card_fill(&cards[i], json_array_get(arr, i), &m);
		cp[i] = &cards[i];
	}
	list.member_id = jint(j, "member_id");
	list.cards = cp;
	list.n_cards = n;
	resp.body_case = KASSA__V1__RESPONSE__BODY_COUNT_CARD_LIST;
	resp.count_card_list = &list;
	call_reply(c, &resp);
	card_mem_free(&m);
	json_decref(j);
}

void handle_card_list(Call *c)
{
	const Kassa__V1__CardList *q = c->req->card_list;
	char member[24];

	if (q->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER", "%s",
			  _("give the member's id"));
		return;
	}
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);

	const char *params[2] = { member, q->all ? "true" : "false" };

	db_query(st_list, 2, params, list_cb, c);
}

/* ---- CardRedeem ---- */

static void card_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CountCard card;
	CardMem m = { .n = 0 };
	json_t *j;

	if (!call_db_ok(c, st, res) || (j = card_json_or_fail(c, res)) == NULL)
		return;
	card_fill(&card, j, &m);
	resp.body_case = KASSA__V1__RESPONSE__BODY_COUNT_CARD;
	resp.count_card = &card;
	call_reply(c, &resp);
	card_mem_free(&m);
	json_decref(j);
}

/* A card id of the request: positive, else c answered INVALID_ARGUMENT (false). */
static bool card_id_ok(Call *c, int64_t card_id)
{
	if (card_id > 0)
		return true;
	call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CARD", "%s",
		  _("give the count card's number"));
	return false;
}

void handle_card_redeem(Call *c)
{
	const Kassa__V1__CardRedeem *q = c->req->card_redeem;
	int32_t n = q->visits == 0 ? 1 : q->visits;
	char card[24], member[24], visits[16];
	CardParams p;

	if (!card_id_ok(c, q->card_id))
		return;
	if (n < 1 || n > CARD_REDEEM_MAX || q->member_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_VISITS",
			  _("a redemption takes 1 to %d visits"), CARD_REDEEM_MAX);
		return;
	}
	snprintf(card, sizeof(card), "%lld", (long long)q->card_id);
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	snprintf(visits, sizeof(visits), "%d", (int)n);
	card_params_init(&p, c, &q->base);

	const char *params[8] = {
		p.till, p.store, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), card,
		member, visits,
	};
	db_query(st_redeem, 8, params, card_cb, c);
	sqltext_free(&p.hash);
}

/* ---- CardRefund: 1. read the card, 2. compute, 3. the guarded refund ---- */

static void refunded_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CardRefunded ok = KASSA__V1__CARD_REFUNDED__INIT;
	Kassa__V1__CountCard card;
	CardMem m = { .n = 0 };
	json_t *j;

	if (!call_db_ok(c, st, res) || (j = card_json_or_fail(c, res)) == NULL)
		return;
	ok.refund_id = jint(j, "refund_id");
	ok.visits = jint32(j, "visits");
	ok.amount_minor = jint(j, "amount_minor");
	ok.currency = jstr(j, "currency");
	card_fill(&card, json_object_get(j, "card"), &m);
	ok.card = &card;
	resp.body_case = KASSA__V1__RESPONSE__BODY_CARD_REFUNDED;
	resp.card_refunded = &ok;
	call_reply(c, &resp);
	card_mem_free(&m);
	json_decref(j);
}

/* 2. The card as read: the amount its remainder pays back, then 3. */
static void refund_read_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__CardRefund *q = c->req->card_refund;
	int32_t visits, remaining;
	int64_t paid, amount;
	char card[24], rem[16], amt[24];
	CardParams p;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "CARD_NOT_FOUND", "%s",
			  _("no such count card"));
		return;
	}
	visits = (int32_t)strtol(PQgetvalue(res, 0, 1), NULL, 10);
	remaining = (int32_t)strtol(PQgetvalue(res, 0, 2), NULL, 10);
	paid = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	if (!count_card_refund_amount(paid, visits, remaining, &amount)) {
		log_call(c, LOG_LVL_ERROR, "count_card: card %lld has impossible numbers",
			 (long long)q->card_id);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	/* remaining 0 too: the function replays a retry, or says why there is nothing */
	snprintf(card, sizeof(card), "%lld", (long long)q->card_id);
	snprintf(rem, sizeof(rem), "%d", (int)remaining);
	snprintf(amt, sizeof(amt), "%lld", (long long)amount);
	card_params_init(&p, c, &q->base);

	const char *params[8] = {
		p.till, p.store, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), card,
		rem, amt,
	};
	db_query(st_refund, 8, params, refunded_cb, c);
	sqltext_free(&p.hash);
}

void handle_card_refund(Call *c)
{
	const Kassa__V1__CardRefund *q = c->req->card_refund;
	char card[24];

	if (!card_id_ok(c, q->card_id))
		return;
	snprintf(card, sizeof(card), "%lld", (long long)q->card_id);

	const char *params[1] = { card };

	db_query(st_get, 1, params, refund_read_cb, c);
}
