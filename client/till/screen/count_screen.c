/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_screen: the till's stock count mode. It shows the store's open
 * count session (CountGet 0), or offers to open one (F2: every product);
 * scanning a barcode (or typing a code) and Enter counts 1 more, "N*CODE"
 * counts N; F3 corrects a product's counted quantity, F4 posts the
 * variances (a manager), F5 cancels the session. The lines show counted,
 * expected and the variance, names aligned by display width (CJK names
 * take two cells a character: textwidth.h). Online only. Rules:
 * docs/store/counts.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count_screen.h"
#include "kc_counts.h"
#include "textwidth.h"

#define COUNT_NAME_CELLS 36

static const ScrHelp count_help[] = {
	{ 2, SK_CTRL('o'), N_("Open count") },
	{ 3, SK_CTRL('q'), N_("Set qty") },
	{ 4, SK_CTRL('p'), N_("Post") },
	{ 5, SK_CTRL('d'), N_("Cancel count") },
	{ 0, 0, N_("Esc back") },
};

typedef struct CountCtx {
	Kassa__V1__Response *resp;	/* owned: the last CountSession answer, or NULL */
	size_t top;			/* first line shown */
} CountCtx;

static const Kassa__V1__CountSession *count_session(const CountCtx *x)
{
	return x->resp != NULL && x->resp->body_case == KASSA__V1__RESPONSE__BODY_COUNT_SESSION
		       ? x->resp->count_session : NULL;
}

static void count_body(Screen *sc, void *ctx, int top, int bottom)
{
	const Kassa__V1__CountSession *s = count_session(ctx);
	char name[160], line[320], h1[48], h2[48], h3[48];
	int y = top + 1;

	(void)sc;
	if (s == NULL) {
		scr_put(y, 2, _("No open count at this store: F2 opens one of every product."),
			COLS - 4);
		return;
	}
	snprintf(line, sizeof(line), _("Count %lld (%s) - scan a product to count one more"),
		 (long long)s->count_id, s->scope);
	scr_put(y++, 2, line, COLS - 4);
	textwidth_pad(name, sizeof(name), _("Product"), COUNT_NAME_CELLS, TEXT_LEFT);
	/* the headers by display width too: 实盘 is four cells in six bytes */
	snprintf(line, sizeof(line), "%s %s %s %s", name,
		 textwidth_pad(h1, sizeof(h1), _("Counted"), 9, TEXT_RIGHT),
		 textwidth_pad(h2, sizeof(h2), _("Expected"), 9, TEXT_RIGHT),
		 textwidth_pad(h3, sizeof(h3), _("Variance"), 9, TEXT_RIGHT));
	attron(A_BOLD);
	scr_put(++y, 2, line, COLS - 4);
	attroff(A_BOLD);
	for (size_t i = ((CountCtx *)ctx)->top; i < s->n_lines && y < bottom - 1; i++) {
		const Kassa__V1__CountSessionLine *l = s->lines[i];

		textwidth_pad(name, sizeof(name), l->name, COUNT_NAME_CELLS, TEXT_LEFT);
		if (l->counted_flag)
			snprintf(line, sizeof(line), "%s %9lld %9lld %+9lld", name,
				 (long long)l->counted, (long long)l->expected,
				 (long long)l->variance);
		else
			snprintf(line, sizeof(line), "%s %9s %9lld %9s", name, "-",
				 (long long)l->expected, "");
		scr_put(++y, 2, line, COLS - 4);
	}
}

/* Send r; on a CountSession answer keep it in x (true). */
static bool count_call(Screen *sc, CountCtx *x, KcCountReq *r)
{
	Kassa__V1__Response *resp = NULL;

	if (!scr_call(sc, &r->req, &resp))
		return false;
	if (resp->body_case != KASSA__V1__RESPONSE__BODY_COUNT_SESSION) {
		kc_response_free(resp);
		return false;
	}
	kc_response_free(x->resp);
	x->resp = resp;
	return true;
}

/* The store's open session (quietly none if there is none). */
static void count_load(Screen *sc, CountCtx *x)
{
	Kassa__V1__Response *resp = NULL;
	KcCountReq r;

	kc_count_req_init(&r);
	kc_count_req_get(&r, 0);
	kc_response_free(x->resp);
	x->resp = NULL;
	if (till_call(sc->ts, &r.req, &resp) == KC_OK && resp != NULL &&
	    kc_status(resp) == KASSA__V1__STATUS_CODE__OK &&
	    resp->body_case == KASSA__V1__RESPONSE__BODY_COUNT_SESSION)
		x->resp = resp;
	else
		kc_response_free(resp);
}

/* Count input ("CODE" or "N*CODE"); set: the counted quantity becomes N. */
static void count_scan(Screen *sc, CountCtx *x, const char *in, int64_t qty, bool set)
{
	const Kassa__V1__CountSession *s = count_session(x);
	const char *star = strchr(in, '*');
	KcCountReq r;

	if (s == NULL) {
		scr_msg(sc, true, "%s", _("Open a count first (F2)"));
		return;
	}
	if (star != NULL && !set) {
		char n[24];

		snprintf(n, sizeof(n), "%.*s", (int)(star - in), in);
		if (!scr_parse_int(n, 1, 1000000, &qty)) {
			scr_msg(sc, true, _("Not a quantity: %s"), n);
			return;
		}
		in = star + 1;
	}
	kc_count_req_init(&r);
	kc_count_req_scan(&r, s->count_id, in, qty, set, NULL);
	if (count_call(sc, x, &r))
		scr_msg(sc, false, set ? _("Set %s to %lld") : _("Counted %s +%lld"), in,
			(long long)qty);
}

static void count_set(Screen *sc, CountCtx *x)
{
	char code[SCR_FIELD_LEN], n[24];
	int64_t qty;

	if (!scr_prompt(sc, count_body, x, _("Product code:"), NULL, 0, code, sizeof(code)) ||
	    !scr_prompt(sc, count_body, x, _("Counted quantity:"), NULL, SCR_NUMERIC, n,
			sizeof(n)))
		return;
	if (!scr_parse_int(n, 0, 1000000, &qty)) {
		scr_msg(sc, true, _("Not a quantity: %s"), n);
		return;
	}
	count_scan(sc, x, code, qty, true);
}

static void count_key(Screen *sc, CountCtx *x, int k)
{
	const Kassa__V1__CountSession *s = count_session(x);
	KcCountReq r;

	kc_count_req_init(&r);
	if (k == SK_F(2)) {
		kc_count_req_open(&r, true, NULL, NULL, 0, false, 0, NULL);
		if (count_call(sc, x, &r))
			scr_msg(sc, false, "%s", _("Count opened"));
	} else if (k == SK_F(3)) {
		count_set(sc, x);
	} else if ((k == SK_F(4) || k == SK_F(5)) && s == NULL) {
		scr_msg(sc, true, "%s", _("No open count"));
	} else if (k == SK_F(4) || k == SK_F(5)) {
		if (!scr_confirm(sc, count_body, x, k == SK_F(4) ? _("Post the variances?")
								  : _("Cancel this count?")))
			return;
		kc_count_req_post(&r, s->count_id, k == SK_F(5), NULL);
		if (!count_call(sc, x, &r))
			return;
		if (k == SK_F(4))
			scr_msg(sc, false, _("Count posted: %lld moves"),
				(long long)count_session(x)->moves);
		else
			scr_msg(sc, false, "%s", _("Count cancelled"));
	}
}

void count_screen_run(Screen *sc)
{
	CountCtx x = { NULL, 0 };
	ScrField f;

	memset(&f, 0, sizeof(f));
	count_load(sc, &x);
	for (;;) {
		int k;

		scr_enter(sc, _("Stock count"), count_help, ARRAY_SIZE(count_help));
		sc->prompt = _("Code:");
		sc->field = &f;
		scr_draw(sc, count_body, &x);
		k = scr_getkey(sc);
		if (k == SK_ENTER && f.len > 0) {
			char in[SCR_FIELD_LEN];

			memcpy(in, f.buf, f.len + 1);
			scr_field_clear(&f);
			count_scan(sc, &x, in, 1, false);
		} else if (k == SK_ESC) {
			if (f.len == 0)
				break;
			scr_field_clear(&f);
		} else if (k == SK_UP) {
			if (x.top > 0)
				x.top--;
		} else if (k == SK_DOWN) {
			if (count_session(&x) != NULL && x.top + 1 < count_session(&x)->n_lines)
				x.top++;
		} else if (k <= SK_F(1) && k >= SK_F(12)) {
			sc->field = NULL;
			count_key(sc, &x, k);
		} else if (k != SK_TICK) {
			(void)scr_edit(&f, k);
		}
	}
	kc_response_free(x.resp);
}
