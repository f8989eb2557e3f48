/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script: the line-oriented command mode of kassa-till (see script.h).
 *
 * Each input line is split into words (script_tokenize), dispatched on its
 * first one or two words to a cmd_*() function, and answered with one JSON
 * object: {"ok":true,"cmd":...,<result>} or {"ok":false,"cmd":...,"code":
 * ...,"detail":...,"message":...}. Codes are the protocol's status names;
 * mistakes caught here before anything is sent use INVALID_ARGUMENT (bad
 * syntax or value) and FAILED_PRECONDITION (e.g. no sale begun). Members
 * are shown with the masked phone only.
 *
 * Besides the sale, a till does the member's other counter business:
 * refunds of earlier sales, stored-value top-ups and claiming a coupon
 * with the code the member brought. Every command that changes state is
 * sent with a fresh idempotency key and reports it ("idempotency_key").
 *
 * Every request goes through the session (till_call()): a dropped
 * connection is re-established (TLS session resumed, staff logged in
 * again) and the same request resent with the same idempotency key. When
 * the server stays unreachable the command answers UNAVAILABLE, the
 * session is offline (sales go on: they are journaled, see till.h). A
 * run in which some command failed while the server could not be reached
 * ends with exit code 3 (it goes on to the end all the same).
 *
 * This file holds the tokenizer, the answer helpers every command uses,
 * the command table and the run loop, and quit. The other commands live
 * by family, see script_cmds.h.
 */
#include "script.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_options.h"
#include "script_cmds.h"
#include "script_offline.h"
#include "util.h"

/* ---- words ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int script_tokenize(const char *line, char *out, char **keys, char **vals, int max,
		    const char **why)
{
	const char *p = line;
	char *o = out;
	int n = 0;

	for (;;) {
		char *start, *eq = NULL;

		while (is_blank(*p))
			p++;
		if (*p == '\0')
			return n;
		if (n == max) {
			*why = "too many words";
			return -1;
		}
		start = o;
		while (*p != '\0' && !is_blank(*p)) {
			if (*p == '"') {
				p++;
				while (*p != '\0' && *p != '"') {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					*o++ = *p++;
				}
				if (*p != '"') {
					*why = "unterminated quote";
					return -1;
				}
				p++;
			} else {
				if (*p == '=' && eq == NULL)
					eq = o;
				*o++ = *p++;
			}
		}
		*o++ = '\0';
		keys[n] = start;
		vals[n] = NULL;
		if (eq != NULL) {
			*eq = '\0';
			vals[n] = eq + 1;
		}
		n++;
	}
}

/* ---- answers ---- */

void script_fail(Till *t, const Cmd *c, const char *code, const char *detail, const char *msg)
{
	t->failed = true;
	if (t->ts != NULL && !t->ts->online)
		t->lost = true;	/* it failed while the server could not be reached */
	kcj_emit(kcj_fail(c->name, code, detail, msg));
}

void script_usage(Till *t, const Cmd *c, const char *msg)
{
	script_fail(t, c, "INVALID_ARGUMENT", "USAGE", msg);
}

/*
 * Check the outcome of a request: print the failure and return false (the
 * response freed), or return true when the server answered OK (*resp is
 * then the caller's).
 */
bool script_answered_ok(Till *t, const Cmd *c, KcResult r, Kassa__V1__Response **resp)
{
	/* resp, not *resp: the call that fills it may be the argument before it */
	if (r != KC_OK) {
		t->failed = true;
		if (r == KC_ERR_ARG) {
			kcj_emit(kcj_fail(c->name, "INVALID_ARGUMENT", "BAD_REQUEST",
					  script_last_error(t)));
			return false;
		}
		kcj_emit(kcj_fail_io(c->name, r, script_last_error(t)));
		t->lost = true;
		return false;
	}
	if (kc_status(*resp) != KASSA__V1__STATUS_CODE__OK) {
		t->failed = true;
		kcj_emit(kcj_fail_resp(c->name, *resp));
		kc_response_free(*resp);
		*resp = NULL;
		return false;
	}
	return true;
}

/* Check that the answer carries the body expected; print and free otherwise. */
bool script_has_body(Till *t, const Cmd *c, Kassa__V1__Response *resp,
		     Kassa__V1__Response__BodyCase want)
{
	if (resp->body_case == want)
		return true;
	script_fail(t, c, "INTERNAL", "UNEXPECTED_RESPONSE",
		    "the server answered with another message");
	kc_response_free(resp);
	return false;
}

/* {"ok":true,"cmd":...,"idempotency_key":key,"reconnects":n} to add the result to. */
json_t *script_ok_keyed(Till *t, const Cmd *c, const char *key, int reconnects_before)
{
	json_t *o = kcj_ok(c->name);

	json_object_set_new(o, "idempotency_key", json_string(key));
	json_object_set_new(o, "reconnects", json_integer(script_reconnects(t) -
							   reconnects_before));
	return o;
}

/* ---- quit ---- */

void cmd_quit(Till *t, const Cmd *c)
{
	if (arg_count(c) != 0) {
		script_usage(t, c, "quit");
		return;
	}
	t->quit = true;
	kcj_emit(kcj_ok(c->name));
}

/* ---- dispatch ---- */

typedef struct CmdDef {
	const char *verb;		/* first word */
	const char *sub;		/* second word, or NULL for one-word commands */
	void (*fn)(Till *t, const Cmd *c);
} CmdDef;

static const CmdDef cmd_table[] = {
	{ "login", NULL, cmd_login },
	{ "logout", NULL, cmd_logout },
	{ "lock", NULL, cmd_lock },
	{ "unlock", NULL, cmd_unlock },
	{ "shift", NULL, cmd_shift },
	{ "feedback", NULL, cmd_feedback },
	{ "complaint", NULL, cmd_complaint },
	{ "followup", NULL, cmd_followup },
	{ "points", "adjust", cmd_points_adjust },
	{ "receipt", "reprint", cmd_receipt_reprint },
	{ "receipt", NULL, cmd_receipt },
	{ "rates", NULL, cmd_rates },
	{ "status", NULL, cmd_status },
	{ "sync", NULL, cmd_sync },
	{ "product", NULL, cmd_product },
	{ "quit", NULL, cmd_quit },
	{ "refund", NULL, cmd_refund },
	{ "topup", NULL, cmd_topup },
	{ "coupon", "claim", cmd_coupon_claim },
	{ "member", "register", cmd_member_register },
	{ "member", "find", cmd_member_find },
	{ "member", "search", cmd_member_search },
	{ "member", "update", cmd_member_update },
	{ "sale", "begin", cmd_sale_begin },
	{ "sale", "add", cmd_sale_add },
	{ "sale", "gift", cmd_sale_gift },
	{ "sale", "member", cmd_sale_member },
	{ "sale", "pay", cmd_sale_pay },
	{ "sale", "redeem", cmd_sale_redeem },
	{ "sale", "coupon", cmd_sale_coupon },
	{ "sale", "quote", cmd_sale_quote },
	{ "sale", "show", cmd_sale_show },
	{ "sale", "finish", cmd_sale_finish },
	{ "sale", "cancel", cmd_sale_cancel },
	{ "sale", "void", cmd_sale_void },
	{ "sale", "qty", cmd_sale_qty },
	{ "sale", "untender", cmd_sale_untender },
	{ "sale", "suspend", cmd_sale_suspend },
	{ "sale", "resume", cmd_sale_resume },
	{ "sale", "suspended", cmd_sale_suspended },
	{ "txn", "show", cmd_txn_show },
	/* store-ops/org: rows */
	{ "pin", NULL, cmd_pin },
	/* store-ops/counts: rows */
	{ "count", NULL, cmd_count },
	/* store-ops/cards: rows */
	{ "card", "list", cmd_card_list },
	{ "card", "redeem", cmd_card_redeem },
	{ "card", "refund", cmd_card_refund },
	/* store-ops/clock: rows */
	{ "clock", "in", cmd_clock_in },
	{ "clock", "out", cmd_clock_out },
	{ "clock", "show", cmd_clock_show },
};

/*
 * A locked till takes only unlock, status and quit; after logout only
 * login, status and quit. True (after printing why) when fn may not run.
 */
static bool gated(Till *t, const Cmd *c, void (*fn)(Till *t, const Cmd *c))
{
	if (fn == cmd_quit || fn == cmd_status)
		return false;
	if (t->locked && fn != cmd_unlock) {
		script_fail(t, c, "FAILED_PRECONDITION", "LOCKED",
			    _("the till is locked: unlock it with the cashier's PIN"));
		return true;
	}
	if (t->logged_out && fn != cmd_login) {
		script_fail(t, c, "UNAUTHENTICATED", "NOT_LOGGED_IN", _("log in first"));
		return true;
	}
	return false;
}

/* Run one input line. */
static void run_line(Till *t, const char *line)
{
	char *keys[SCRIPT_MAX_WORDS], *vals[SCRIPT_MAX_WORDS];
	char *buf, name[64];
	const char *why = NULL;
	Cmd c = { .name = "", .keys = keys, .vals = vals };
	size_t i;

	if (!utf8_is_valid(line, strlen(line))) {
		c.name = "?";
		script_fail(t, &c, "INVALID_ARGUMENT", "BAD_UTF8", "the line is not valid UTF-8");
		return;
	}
	buf = xmalloc(strlen(line) + 1);
	c.n = script_tokenize(line, buf, keys, vals, SCRIPT_MAX_WORDS, &why);
	if (c.n < 0) {
		c.name = "?";
		script_usage(t, &c, why);
		goto out;
	}
	if (c.n == 0 || keys[0][0] == '#')
		goto out;	/* blank line or comment: no answer */
	for (i = 0; i < ARRAY_SIZE(cmd_table); i++) {
		const CmdDef *d = &cmd_table[i];

		if (vals[0] != NULL || strcmp(keys[0], d->verb) != 0)
			continue;
		if (d->sub == NULL) {
			c.name = d->verb;
			c.first = 1;
		} else if (c.n >= 2 && vals[1] == NULL && strcmp(keys[1], d->sub) == 0) {
			snprintf(name, sizeof(name), "%s %s", d->verb, d->sub);
			c.name = name;
			c.first = 2;
		} else {
			continue;
		}
		if (gated(t, &c, d->fn))
			goto out;
		d->fn(t, &c);
		goto out;
	}
	c.name = vals[0] == NULL ? keys[0] : "?";
	script_fail(t, &c, "INVALID_ARGUMENT", "UNKNOWN_COMMAND", "unknown command");
out:
	free(buf);
}

int script_run(TillSession *ts, FILE *in)
{
	Till t;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(&t, 0, sizeof(t));
	t.ts = ts;
	sale_init(&t.sale);
	while (!t.quit && (len = getline(&line, &cap, in)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if ((size_t)len != strlen(line)) {
			Cmd c = { .name = "?" };

			script_fail(&t, &c, "INVALID_ARGUMENT", "BAD_UTF8",
				    "the line contains a NUL byte");
			continue;
		}
		run_line(&t, line);
	}
	free(line);
	sale_reset(&t.sale);
	till_finish_free(&t.last.fin);
	if (t.lost)
		return TILL_EXIT_CONN;
	return t.failed ? TILL_EXIT_FAILED : TILL_EXIT_OK;
}
