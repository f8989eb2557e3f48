/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_cmds: what the files of kassa-till's script mode share. script.c
 * reads a line, splits it into a Cmd and finds its handler in the command
 * table; the handlers live by command family in script_member.c (members,
 * coupon claims), script_sale.c (the sale, products, transactions),
 * script_basket.c (changing the basket: member, tenders, void, quantity,
 * suspend/resume), script_till.c (cashier, shift, finishing, feedback,
 * receipts, rates, status, sync) and script_refund.c (refunds,
 * stored-value top-ups); quit stays in script.c. Every request is built
 * by kc_req.h and goes through the session (script_call(), till_call()).
 * Every handler answers with exactly one JSON object, through the helpers
 * below or kcj_emit(), and marks the Till failed (or the
 * connection lost) when it did not succeed.
 */
#ifndef KASSA_TILL_SCRIPT_CMDS_H
#define KASSA_TILL_SCRIPT_CMDS_H

#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "kassa_client.h"
#include "sale.h"
#include "till.h"
#include "cache.h"

#define SCRIPT_MAX_WORDS 64		/* words on one command line */

/* The state of one script run. */
typedef struct Till {
	TillSession *ts;		/* borrowed: every request goes through till_call() */
	Sale sale;			/* the open basket */
	bool failed;			/* some command failed */
	bool lost;			/* some command failed while the server was unreachable */
	bool quit;			/* "quit" seen */
	bool locked;			/* "lock": only unlock, status and quit until "unlock PIN" */
	bool logged_out;		/* "logout": only login, status and quit until "login" */
	struct {			/* the last sale finished, for receipt and feedback */
		TillFinish fin;		/* owned (till_finish_free()) */
		const Kassa__V1__Transaction *txn;	/* = fin.txn */
		bool offline;
		int64_t txn_id;		/* 0 offline */
		char receipt_no[TILL_RECEIPT_LEN];
	} last;
} Till;

/* One parsed command line. */
typedef struct Cmd {
	const char *name;		/* "member register", ... for the output */
	char **keys;			/* words (or keys of key=value words) */
	char **vals;			/* values, NULL for plain words */
	int n;				/* words in total */
	int first;			/* index of the first argument after the verb */
} Cmd;

/* Value of key=... among the arguments, NULL if absent. */
static inline const char *arg_get(const Cmd *c, const char *key)
{
	int i;

	for (i = c->first; i < c->n; i++)
		if (c->vals[i] != NULL && strcmp(c->keys[i], key) == 0)
			return c->vals[i];
	return NULL;
}

/* The i-th plain word after the verb, NULL if there is none. */
static inline const char *arg_word(const Cmd *c, int i)
{
	int k = c->first + i;

	if (k >= c->n || c->vals[k] != NULL)
		return NULL;
	return c->keys[k];
}

/* How many arguments follow the verb. */
static inline int arg_count(const Cmd *c)
{
	return c->n - c->first;
}

/* ---- answers (script.c) ---- */

/* Print {"ok":false,...} for c with code, detail and msg; mark t failed. */
void script_fail(Till *t, const Cmd *c, const char *code, const char *detail, const char *msg);

/* script_fail() with INVALID_ARGUMENT / USAGE: msg says how the command is written. */
void script_usage(Till *t, const Cmd *c, const char *msg);

/*
 * Check the outcome of a request: print the failure and return false (the
 * response freed, *resp NULL; t marked failed, and lost if the connection
 * is gone), or return true when the server answered OK (*resp is then the
 * caller's).
 */
bool script_answered_ok(Till *t, const Cmd *c, KcResult r, Kassa__V1__Response **resp);

/* Check that the answer carries the body expected; print and free it otherwise. */
bool script_has_body(Till *t, const Cmd *c, Kassa__V1__Response *resp,
		     Kassa__V1__Response__BodyCase want);

/*
 * {"ok":true,"cmd":...,"idempotency_key":key,"reconnects":n} to add a
 * change's result to; n counts the reconnects since reconnects_before.
 */
json_t *script_ok_keyed(Till *t, const Cmd *c, const char *key, int reconnects_before);

/* ---- requests through the session (script_req.c) ---- */

/*
 * Send r (built with a kc_req.h builder) with till_call() on t's session,
 * then kc_req_done(r); *resp as for till_call(). r.req.idempotency_key
 * stays valid for the answer.
 */
KcResult script_call(Till *t, KcReq *r, Kassa__V1__Response **resp);
/* The open sale as a quote (Checkout.quote, sale_request_build()), sent as script_call(). */
KcResult script_quote(Till *t, Kassa__V1__Response **resp);
/* Reconnects of the session's connection so far (0 while it has none). */
int script_reconnects(const Till *t);
/* The last transport error of the session's connection, as text. */
const char *script_last_error(const Till *t);

/* ---- shared by families ---- */

/*
 * Look a member up by the one selector among c's arguments (phone=,
 * card=, id=, qr=, or a plain number as id when allow_word). True with
 * *resp the caller's (a Member body); false after printing the failure.
 * (script_member.c; sale member uses it too.)
 */
bool script_member_lookup(Till *t, const Cmd *c, bool allow_word, Kassa__V1__Response **resp);

/* ---- the sale's JSON and errors (script_sale.c) ---- */

/* Print e (sale.h) as a failure: its machine name and translated message. */
void script_sale_fail(Till *t, const Cmd *c, SaleError e);
/* Add total, tendered, due (still to pay) and change to o. */
void script_sale_totals(const Sale *s, json_t *o);
json_t *script_item_json(const SaleItem *it, size_t line_no);
json_t *script_tender_json(const SaleTender *td, size_t tender_no);

/* ---- the handlers, for the table in script.c ---- */

/* script.c */
void cmd_quit(Till *t, const Cmd *c);

/* script_till.c */
void cmd_login(Till *t, const Cmd *c);
void cmd_logout(Till *t, const Cmd *c);
void cmd_lock(Till *t, const Cmd *c);
void cmd_unlock(Till *t, const Cmd *c);
void cmd_shift(Till *t, const Cmd *c);
void cmd_sale_finish(Till *t, const Cmd *c);
void cmd_feedback(Till *t, const Cmd *c);
/* script_complaint.c: complaint open|update|show|list */
void cmd_complaint(Till *t, const Cmd *c);
/* script_followup.c: followup list|record, points adjust */
void cmd_followup(Till *t, const Cmd *c);
void cmd_points_adjust(Till *t, const Cmd *c);
/* store-ops/org: declarations (script_pin.c) */
void cmd_pin(Till *t, const Cmd *c);
/* store-ops/counts: declarations (script_count.c) */
/* count open|scan|set|show|post|cancel */
void cmd_count(Till *t, const Cmd *c);
/* store-ops/cards: declarations (script_card.c) */
/* card list, card redeem, card refund (count cards) */
void cmd_card_list(Till *t, const Cmd *c);
void cmd_card_redeem(Till *t, const Cmd *c);
void cmd_card_refund(Till *t, const Cmd *c);
/* store-ops/clock: declarations (script_clock.c) */
void cmd_clock_in(Till *t, const Cmd *c);
void cmd_clock_out(Till *t, const Cmd *c);
void cmd_clock_show(Till *t, const Cmd *c);
void cmd_receipt(Till *t, const Cmd *c);
void cmd_receipt_reprint(Till *t, const Cmd *c);
void cmd_rates(Till *t, const Cmd *c);
/* status and sync: script_offline.h (H3's) */

/* script_member.c */
void cmd_member_register(Till *t, const Cmd *c);
void cmd_member_find(Till *t, const Cmd *c);
void cmd_member_search(Till *t, const Cmd *c);
void cmd_member_update(Till *t, const Cmd *c);
void cmd_coupon_claim(Till *t, const Cmd *c);

/* script_sale.c */
void cmd_product(Till *t, const Cmd *c);
void cmd_txn_show(Till *t, const Cmd *c);
void cmd_sale_begin(Till *t, const Cmd *c);
void cmd_sale_add(Till *t, const Cmd *c);
void cmd_sale_gift(Till *t, const Cmd *c);
void cmd_sale_redeem(Till *t, const Cmd *c);
void cmd_sale_coupon(Till *t, const Cmd *c);
void cmd_sale_quote(Till *t, const Cmd *c);
void cmd_sale_show(Till *t, const Cmd *c);
void cmd_sale_cancel(Till *t, const Cmd *c);

/* script_basket.c */
void cmd_sale_member(Till *t, const Cmd *c);
void cmd_sale_pay(Till *t, const Cmd *c);
void cmd_sale_untender(Till *t, const Cmd *c);
void cmd_sale_void(Till *t, const Cmd *c);
void cmd_sale_qty(Till *t, const Cmd *c);
void cmd_sale_suspend(Till *t, const Cmd *c);
void cmd_sale_resume(Till *t, const Cmd *c);
void cmd_sale_suspended(Till *t, const Cmd *c);
/*
 * The exchange rate of currency: the session's cache, else RatesGet (and
 * into the cache). False if there is none.
 */
bool script_rate(Till *t, const char *currency, int32_t *version, int64_t *rate_micro);

/* script_refund.c */
void cmd_refund(Till *t, const Cmd *c);
void cmd_topup(Till *t, const Cmd *c);

#endif
