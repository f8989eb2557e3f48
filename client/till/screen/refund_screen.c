/* SPDX-License-Identifier: Apache-2.0 */
/*
 * refund_screen: money back for lines of an earlier sale. The cashier
 * types the receipt number printed on the customer's receipt (a
 * TransactionGet by receipt_no), sees the sale's lines, types the line
 * numbers to refund ("all" or Enter alone for every line) and a reason.
 * When kassad answers APPROVAL_REQUIRED, a manager types their staff id
 * and PIN on the same screen and the refund is sent again with the same
 * idempotency key, so it is recorded once. Online only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scr.h"

#define REFUND_MAX_LINES 64		/* line numbers typed at once */

static const ScrHelp refund_help[] = {
	{ 0, 0, N_("Enter next") },
	{ 0, 0, N_("Esc back") },
};

static void refund_body(Screen *sc, void *ctx, int top, int bottom)
{
	const Kassa__V1__Transaction *t = ctx;
	char a[24], line[256];
	size_t i;
	int row = top;

	(void)sc;
	if (t == NULL) {
		scr_put(top + 1, 2, _("Type the receipt number from the customer's receipt."), COLS - 4);
		return;
	}
	snprintf(line, sizeof(line), "%s %s   %.19s   %s %s", _("Receipt"), t->receipt_no,
		 t->created_at, _("Total"), scr_money(t->total_minor, a, sizeof(a)));
	scr_put(row++, 0, line, COLS);
	for (i = 0; i < t->n_lines && row < bottom; i++, row++) {
		const Kassa__V1__TransactionLine *l = t->lines[i];

		snprintf(line, sizeof(line), "%3d", l->line_no);
		scr_put(row, 0, line, 4);
		scr_put(row, 4, l->name, COLS - 30);
		snprintf(line, sizeof(line), "x%d", l->quantity);
		scr_put_right(row, COLS - 26, line, 8);
		scr_put_right(row, COLS - 18, scr_money(l->net_minor, a, sizeof(a)), 14);
	}
}

/* The sale with receipt number no; NULL (message set) when not found. */
static Kassa__V1__Response *find_sale(Screen *sc, const char *no)
{
	Kassa__V1__Response *resp = NULL;
	KcReq r;

	kc_req_transaction_get(&r, 0, no);
	if (!scr_call(sc, &r.req, &resp)) {
		if (strcmp(sc->detail, "OFFLINE") != 0)
			scr_msg(sc, true, _("No sale with receipt number %s"), no);
		return NULL;
	}
	if (resp->body_case != KASSA__V1__RESPONSE__BODY_TRANSACTION) {
		kc_response_free(resp);
		return NULL;
	}
	return resp;
}

/* Parse "1 3 4" (or "" / "all": every line) into nos; -1 = not line numbers. */
static int parse_lines(const char *in, const Kassa__V1__Transaction *t, int32_t *nos)
{
	char buf[SCR_FIELD_LEN], *tok, *save = NULL;
	int n = 0;

	if (*in == '\0' || strcmp(in, "all") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", in);
	for (tok = strtok_r(buf, " ,", &save); tok != NULL; tok = strtok_r(NULL, " ,", &save)) {
		int64_t v;

		if (n >= REFUND_MAX_LINES || !scr_parse_int(tok, 1, (int64_t)t->n_lines, &v))
			return -1;
		nos[n++] = (int32_t)v;
	}
	return n;
}

/* Send the refund r of t (kc_req_refund()); true when done. */
static bool send_refund(Screen *sc, KcReq *r, const Kassa__V1__Transaction *t)
{
	Kassa__V1__Response *resp = NULL;
	char a[24], text[2048];
	size_t i, off;

	if (!scr_call(sc, &r->req, &resp))
		return false;
	off = (size_t)snprintf(text, sizeof(text), "%s %s\n\n%s %s\n", _("Refund of receipt"),
			       t->receipt_no, _("Money back:"),
			       scr_money(resp->refund_record->amount_minor, a, sizeof(a)));
	for (i = 0; i < resp->refund_record->n_tenders && off < sizeof(text); i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "  %s %s\n",
					scr_tender_name(resp->refund_record->tenders[i]->kind),
					scr_money(resp->refund_record->tenders[i]->amount_minor, a,
						  sizeof(a)));
	if (off < sizeof(text) && resp->refund_record->points_clawed_back != 0)
		snprintf(text + off, sizeof(text) - off, _("Points taken back: %lld\n"),
			 (long long)resp->refund_record->points_clawed_back);
	scr_msg(sc, false, "%s %s", _("Refunded"), a);
	kc_response_free(resp);
	scr_view(sc, _("Refund"), text);
	return true;
}

/* Lines, reason, and a manager's approval when asked. */
static void refund_lines(Screen *sc, const Kassa__V1__Transaction *t)
{
	int32_t nos[REFUND_MAX_LINES];
	char in[SCR_FIELD_LEN], reason[128], mgr[32], pin[64], key[KC_KEY_LEN];
	int64_t mgr_id;
	KcReq r;
	int n;

	if (!scr_prompt(sc, refund_body, (void *)t, _("Lines to refund (e.g. 1 3; Enter = all):"),
			NULL, 0, in, sizeof(in)))
		return;
	n = parse_lines(in, t, nos);
	if (n < 0) {
		scr_msg(sc, true, _("Not line numbers of this sale: %s"), in);
		return;
	}
	if (!scr_prompt(sc, refund_body, (void *)t, _("Reason:"), NULL, 0, reason, sizeof(reason)))
		return;
	/* one key for both tries: the approved one is the same refund asked again */
	kc_new_key(key);
	kc_req_refund(&r, t->txn_id, nos, (size_t)n, 0, NULL, reason, key);
	if (send_refund(sc, &r, t) || strcmp(sc->detail, "APPROVAL_REQUIRED") != 0)
		return;
	if (!scr_prompt(sc, refund_body, (void *)t, _("Manager's staff id:"), NULL, SCR_NUMERIC, mgr,
			sizeof(mgr)) ||
	    !scr_parse_int(mgr, 1, INT64_MAX, &mgr_id) ||
	    !scr_prompt(sc, refund_body, (void *)t, _("Manager's PIN:"), NULL, SCR_SECRET, pin,
			sizeof(pin)))
		return;
	kc_req_refund(&r, t->txn_id, nos, (size_t)n, mgr_id, pin, reason, key);
	(void)send_refund(sc, &r, t);
	explicit_bzero(pin, sizeof(pin));
}

void refund_screen_run(Screen *sc)
{
	Kassa__V1__Response *resp;
	char no[TILL_RECEIPT_LEN];

	scr_enter(sc, _("Refund"), refund_help, ARRAY_SIZE(refund_help));
	if (!scr_prompt(sc, refund_body, NULL, _("Receipt number:"), NULL, 0, no, sizeof(no)) ||
	    no[0] == '\0')
		return;
	resp = find_sale(sc, no);
	if (resp == NULL)
		return;
	refund_lines(sc, resp->transaction);
	kc_response_free(resp);
}
