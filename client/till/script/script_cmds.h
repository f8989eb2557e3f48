/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_cmds: what the files of kassa-till's script mode share. script.c
 * reads a line, splits it into a Cmd and finds its handler in the command
 * table; the handlers live by command family in script_member.c (members,
 * coupon claims), script_sale.c (the sale, products, transactions) and
 * script_refund.c (refunds, stored-value top-ups); login and quit stay in
 * script.c. Every handler answers with exactly one JSON object, through
 * the helpers below or kcj_emit(), and marks the Till failed (or the
 * connection lost) when it did not succeed.
 */
#ifndef KASSA_TILL_SCRIPT_CMDS_H
#define KASSA_TILL_SCRIPT_CMDS_H

#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "kassa_client.h"
#include "sale.h"

#define SCRIPT_MAX_WORDS 64		/* words on one command line */

/* The state of one script run. */
typedef struct Till {
	KassaClient *kc;		/* borrowed */
	Sale sale;			/* the open basket */
	bool failed;			/* some command failed */
	bool lost;			/* the connection is gone for good */
	bool quit;			/* "quit" seen */
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

/* ---- shared by families ---- */

/*
 * Look a member up by the one selector among c's arguments (phone=,
 * card=, id=, qr=, or a plain number as id when allow_word). True with
 * *resp the caller's (a Member body); false after printing the failure.
 * (script_member.c; sale member uses it too.)
 */
bool script_member_lookup(Till *t, const Cmd *c, bool allow_word, Kassa__V1__Response **resp);

/* ---- the handlers, for the table in script.c ---- */

/* script.c */
void cmd_login(Till *t, const Cmd *c);
void cmd_quit(Till *t, const Cmd *c);

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
void cmd_sale_member(Till *t, const Cmd *c);
void cmd_sale_pay(Till *t, const Cmd *c);
void cmd_sale_redeem(Till *t, const Cmd *c);
void cmd_sale_coupon(Till *t, const Cmd *c);
void cmd_sale_quote(Till *t, const Cmd *c);
void cmd_sale_show(Till *t, const Cmd *c);
void cmd_sale_finish(Till *t, const Cmd *c);
void cmd_sale_cancel(Till *t, const Cmd *c);

/* script_refund.c */
void cmd_refund(Till *t, const Cmd *c);
void cmd_topup(Till *t, const Cmd *c);

#endif
