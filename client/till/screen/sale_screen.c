/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sale_screen: the screen a cashier spends the day on. The input line
 * takes what the scanner or the cashier types: a SKU or barcode and Enter
 * adds one unit, "3*CODE" adds three. A sale opens with its first line.
 * The basket shows line number, name (aligned by display width, so
 * Chinese names line up), quantity, unit price and amount, the member and
 * the running total; Up/Down select a line for F3 (quantity) and F4
 * (void). The function keys lead to the other screens: member, payment,
 * suspend/resume, refund, shift, lock, reprint, log out. Between sales the
 * body shows the last sale's total and change.
 *
 * Nothing here prices anything: the basket's totals come from sale.c, and
 * the server prices the sale again at payment (pay_screen.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "count_screen.h"
#include "scr.h"

static const ScrHelp sale_help[] = {
	{ 1, SK_CTRL('k'), N_("Help") },
	{ 2, SK_CTRL('e'), N_("Member") },
	{ 3, SK_CTRL('q'), N_("Qty") },
	{ 4, SK_CTRL('d'), N_("Void line") },
	{ 5, SK_CTRL('p'), N_("Pay") },
	{ 6, SK_CTRL('s'), N_("Suspend") },
	{ 7, SK_CTRL('r'), N_("Resume") },
	{ 8, SK_CTRL('f'), N_("Refund") },
	{ 9, SK_CTRL('t'), N_("Shift") },
	{ 10, SK_CTRL('l'), N_("Lock") },
	{ 11, SK_CTRL('o'), N_("Reprint") },
	{ 12, SK_CTRL('x'), N_("Log out") },
};

/* Between sales: what the last one came to (the change stays in view). */
static void last_sale_body(Screen *sc, int top)
{
	const Kassa__V1__Transaction *t = sc->last.fin.txn;
	char a[24], b[24], c[24], line[256];

	scr_put(top + 1, 2, _("Scan or type a product code to start a sale."), COLS - 4);
	if (!sc->last.have || t == NULL)
		return;
	snprintf(line, sizeof(line), "%s %s%s", _("Last sale"), sc->last.fin.receipt_no,
		 sc->last.fin.offline ? _(" (offline, to be sent)") : "");
	scr_put(top + 3, 2, line, COLS - 4);
	snprintf(line, sizeof(line), "%s %s   %s %s", _("Total"),
		 scr_money(t->total_minor, a, sizeof(a)), _("Paid"),
		 scr_money(t->tendered_minor, b, sizeof(b)));
	scr_put(top + 4, 2, line, COLS - 4);
	attron(A_BOLD);
	snprintf(line, sizeof(line), "%s %s", _("Change"), scr_money(t->change_minor, c, sizeof(c)));
	scr_put(top + 5, 2, line, COLS - 4);
	attroff(A_BOLD);
	if (t->member_id != 0) {
		snprintf(line, sizeof(line), _("Points earned %lld, balance %lld"),
			 (long long)t->points_earned, (long long)t->points_balance);
		scr_put(top + 6, 2, line, COLS - 4);
	}
}

void sale_screen_body(Screen *sc, void *ctx, int top, int bottom)
{
	const Sale *s = &sc->sale;
	int namew = COLS - 4 - 7 - 11 - 12 - 1, rows, first = 0, row, i;
	size_t sel = sc->sel == 0 ? s->n_items : sc->sel;
	char a[24], b[24], buf[256];
	int64_t total = 0, units = 0;

	(void)ctx;
	if (!s->open || s->n_items == 0) {
		last_sale_body(sc, top);
		if (!s->open)
			return;
	}
	attron(A_UNDERLINE);
	scr_put(top, 0, "#", 4);
	scr_put(top, 4, _("Item"), namew);
	scr_put_right(top, 4 + namew, _("Qty"), 7);
	scr_put_right(top, 11 + namew, _("Price"), 11);
	scr_put_right(top, 22 + namew, _("Amount"), 12);
	attroff(A_UNDERLINE);
	rows = bottom - top - 3;	/* header, member and total lines */
	if (rows < 1)
		rows = 1;
	if ((int)sel > rows)
		first = (int)sel - rows;
	for (i = first, row = top + 1; i < (int)s->n_items && row < top + 1 + rows; i++, row++) {
		const SaleItem *it = &s->items[i];

		if ((size_t)i + 1 == sel)
			attron(A_REVERSE);
		snprintf(buf, sizeof(buf), "%d", i + 1);
		scr_put(row, 0, buf, 4);
		scr_put(row, 4, it->name, namew);
		snprintf(buf, sizeof(buf), "%d", it->quantity);
		scr_put_right(row, 4 + namew, buf, 7);
		scr_put_right(row, 11 + namew, scr_money(it->unit_minor, a, sizeof(a)), 11);
		scr_put_right(row, 22 + namew, scr_money(it->line_minor, b, sizeof(b)), 12);
		attroff(A_REVERSE);
	}
	for (i = 0; i < (int)s->n_items; i++)
		units += s->items[i].quantity;
	member_summary(s, buf, sizeof(buf));
	scr_put(bottom - 2, 0, buf, COLS);
	if (!sale_total(s, &total))
		total = 0;
	snprintf(buf, sizeof(buf), _("%zu lines, %lld items"), s->n_items, (long long)units);
	scr_put(bottom - 1, 0, buf, COLS / 2);
	attron(A_BOLD);
	snprintf(buf, sizeof(buf), "%s %s", _("Total"), scr_money(total, a, sizeof(a)));
	scr_put_right(bottom - 1, COLS / 2, buf, COLS - COLS / 2);
	attroff(A_BOLD);
}

/* Add what was typed: "CODE" or "QTY*CODE". */
static void add_input(Screen *sc, const char *input)
{
	const Kassa__V1__Product *p;
	const char *code = input, *star = strchr(input, '*'), *detail = NULL;
	int64_t qty = 1;
	size_t line_no;
	SaleError e;
	char a[24];

	if (star != NULL) {
		char q[32];
		size_t n = (size_t)(star - input);

		if (n == 0 || n >= sizeof(q)) {
			scr_msg(sc, true, _("Not a quantity: %.*s"), (int)n, input);
			return;
		}
		memcpy(q, input, n);
		q[n] = '\0';
		if (!scr_parse_int(q, -1000000000, 1000000000, &qty)) {
			scr_msg(sc, true, _("Not a quantity: %s"), q);
			return;
		}
		if (qty < 1 || qty > SALE_MAX_QTY) {
			scr_msg(sc, true, "%s", sale_error_message(SALE_BAD_QUANTITY));
			return;
		}
		code = star + 1;
	}
	if (*code == '\0')
		return;
	p = till_product(sc->ts, code, &detail);
	if (p == NULL) {
		if (detail == NULL || strcmp(detail, "NOT_FOUND") == 0 ||
		    strcmp(detail, "UNKNOWN_PRODUCT") == 0)
			scr_msg(sc, true, _("Unknown product code: %s"), code);
		else
			scr_msg(sc, true, "%s: %s", code, scr_detail_message(detail, NULL));
		return;
	}
	if (!sc->sale.open)
		(void)sale_begin(&sc->sale);
	e = sale_add(&sc->sale, p, code, qty, &line_no);
	if (e != SALE_OK) {
		scr_msg(sc, true, "%s", sale_error_message(e));
		return;
	}
	sc->sel = 0;
	scr_msg(sc, false, "%zu: %s x %lld  %s", line_no, sc->sale.items[line_no - 1].name,
		(long long)qty, scr_money(sc->sale.items[line_no - 1].line_minor, a, sizeof(a)));
}

/* The selected line's number (from 1), or 0 with a message when there is none. */
static size_t selected(Screen *sc)
{
	if (!sc->sale.open || sc->sale.n_items == 0) {
		scr_msg(sc, true, "%s", _("No lines in the sale"));
		return 0;
	}
	if (sc->sel == 0 || sc->sel > sc->sale.n_items)
		return sc->sale.n_items;
	return sc->sel;
}

static void change_qty(Screen *sc)
{
	size_t line = selected(sc);
	char prompt[128], in[32];
	int64_t qty;
	SaleError e;

	if (line == 0)
		return;
	snprintf(prompt, sizeof(prompt), _("Quantity for line %zu:"), line);
	if (!scr_prompt(sc, sale_screen_body, NULL, prompt, NULL, SCR_NUMERIC, in, sizeof(in)))
		return;
	if (!scr_parse_int(in, INT64_MIN / 2, INT64_MAX / 2, &qty)) {
		scr_msg(sc, true, _("Not a quantity: %s"), in);
		return;
	}
	e = sale_set_qty(&sc->sale, line, qty);
	if (e != SALE_OK)
		scr_msg(sc, true, "%s", sale_error_message(e));
	else
		scr_msg(sc, false, _("Line %zu: quantity %lld"), line, (long long)qty);
}

static void void_line(Screen *sc)
{
	size_t line = selected(sc);
	char name[128];
	SaleError e;

	if (line == 0)
		return;
	snprintf(name, sizeof(name), "%s", sc->sale.items[line - 1].name);
	e = sale_void_line(&sc->sale, line);
	if (e != SALE_OK) {
		scr_msg(sc, true, "%s", sale_error_message(e));
		return;
	}
	sc->sel = 0;
	scr_msg(sc, false, _("Voided line %zu: %s"), line, name);
}

static void suspend(Screen *sc)
{
	SaleError e;
	int slot = 0;

	if (!sc->sale.open) {
		scr_msg(sc, true, "%s", _("No lines in the sale"));
		return;
	}
	e = sale_suspend(&sc->sale, sc->ts->cfg->state_dir, &slot);
	if (e != SALE_OK)
		scr_msg(sc, true, "%s", sale_error_message(e));
	else
		scr_msg(sc, false, _("Sale suspended as number %d (F7 resumes it)"), slot);
}

static void cancel_sale(Screen *sc)
{
	if (!sc->sale.open)
		return;
	if (sc->sale.n_tenders > 0) {
		scr_msg(sc, true, "%s", _("Void the tenders first (F5, then v)"));
		return;
	}
	if (scr_confirm(sc, sale_screen_body, NULL, _("Cancel the whole sale?"))) {
		sale_reset(&sc->sale);
		scr_msg(sc, false, "%s", _("Sale cancelled"));
	}
}

static void show_help(Screen *sc)
{
	char text[4096];
	size_t i, off = 0;

	off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\n\n",
				_("Scan or type a code and Enter; 3*CODE adds three. Up/Down select a line."));
	for (i = 0; i < ARRAY_SIZE(sale_help) && off < sizeof(text); i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "F%-3d Ctrl+%c  %s\n",
					sale_help[i].fkey, sale_help[i].alt + '@',
					_(sale_help[i].label));
	if (off < sizeof(text))
		snprintf(text + off, sizeof(text) - off, "Esc       %s\n",
			 _("clear the input; on an empty input, cancel the sale"));
	scr_view(sc, _("Keys"), text);
}

static void reprint(Screen *sc)
{
	if (!sc->last.have) {
		scr_msg(sc, true, "%s", _("No receipt to reprint yet"));
		return;
	}
	pay_reprint(sc);
}

/* A function key on the sale screen; false = log out. */
static bool sale_key(Screen *sc, int k)
{
	if (k == SK_F(1))
		show_help(sc);
	else if (k == SK_F(2))
		member_screen_run(sc);
	else if (k == SK_F(3))
		change_qty(sc);
	else if (k == SK_F(4))
		void_line(sc);
	else if (k == SK_F(5)) {
		if (!sc->sale.open || sc->sale.n_items == 0)
			scr_msg(sc, true, "%s", _("Nothing to pay: scan the items first"));
		else
			(void)pay_screen_run(sc);
	} else if (k == SK_F(6))
		suspend(sc);
	else if (k == SK_F(7))
		resume_screen_run(sc);
	else if (k == SK_F(8)) {
		if (sc->sale.open && sc->sale.n_items > 0)
			scr_msg(sc, true, "%s", _("Finish or suspend the sale before a refund"));
		else
			refund_screen_run(sc);
	} else if (k == SK_F(9))
		shift_screen_run(sc);
	else if (k == SK_F(10))
		lock_run(sc);
	else if (k == SK_F(11))
		reprint(sc);
	else if (k == SK_F(12)) {
		if (sc->sale.open && sc->sale.n_items > 0) {
			scr_msg(sc, true, "%s", _("Finish or suspend the sale before logging out"));
			return true;
		}
		sale_reset(&sc->sale);
		till_logout(sc->ts);
		scr_msg(sc, false, "%s", _("Logged out"));
		return false;
	}
	return true;
}

void sale_screen_run(Screen *sc)
{
	ScrField f;

	memset(&f, 0, sizeof(f));
	for (;;) {
		int k;

		scr_enter(sc, _("Sale"), sale_help, ARRAY_SIZE(sale_help));
		sc->prompt = _("Code:");
		sc->field = &f;
		scr_draw(sc, sale_screen_body, NULL);
		k = scr_getkey(sc);
		if (k == SK_ENTER) {
			char in[SCR_FIELD_LEN];

			memcpy(in, f.buf, f.len + 1);
			scr_field_clear(&f);
			add_input(sc, in);
		} else if (k == SK_ESC) {
			if (f.len > 0)
				scr_field_clear(&f);
			else
				cancel_sale(sc);
		} else if (k == SK_UP) {
			size_t cur = sc->sel == 0 ? sc->sale.n_items : sc->sel;

			if (cur > 1)
				sc->sel = cur - 1;
		} else if (k == SK_DOWN) {
			if (sc->sel != 0 && sc->sel < sc->sale.n_items)
				sc->sel++;
		} else if (k <= SK_F(1) && k >= SK_F(12)) {
			sc->field = NULL;
			if (!sale_key(sc, k))
				return;
		} else if (k == SK_CTRL('n')) {
			sc->field = NULL;
			count_screen_run(sc);
		} else if (k != SK_TICK) {
			(void)scr_edit(&f, k);
		}
	}
}

/* ---- resume: the list of suspended sales ---- */

typedef struct ResumeCtx {
	SaleSuspended list[SALE_MAX_SUSPENDED];
	size_t n;
} ResumeCtx;

static void resume_body(Screen *sc, void *ctx, int top, int bottom)
{
	ResumeCtx *r = ctx;
	char a[24], line[256];
	size_t i;

	(void)sc;
	if (r->n == 0)
		scr_put(top + 1, 2, _("No suspended sales."), COLS - 4);
	for (i = 0; i < r->n && top + 1 + (int)i < bottom; i++) {
		const SaleSuspended *x = &r->list[i];
		time_t at = (time_t)x->suspended_at;
		struct tm tm;
		char when[32] = "";

		if (localtime_r(&at, &tm) != NULL)
			strftime(when, sizeof(when), "%H:%M", &tm);
		snprintf(line, sizeof(line), _("%d   %s   %zu lines   %s   %s"), x->slot, when,
			 x->n_items, scr_money(x->total_minor, a, sizeof(a)),
			 x->member_phone[0] != '\0' || x->member_id != 0 ? _("member") : "");
		scr_put(top + 1 + (int)i, 2, line, COLS - 4);
	}
}

void resume_screen_run(Screen *sc)
{
	static const ScrHelp help[] = {
		{ 0, 0, N_("Number and Enter resumes") },
		{ 0, 0, N_("Esc back") },
	};
	ResumeCtx r;
	char in[16];
	int64_t slot;
	SaleError e;

	if (sc->sale.open && sc->sale.n_items > 0) {
		scr_msg(sc, true, "%s", _("Finish or suspend this sale first"));
		return;
	}
	r.n = sale_suspended_list(sc->ts->cfg->state_dir, r.list, SALE_MAX_SUSPENDED);
	scr_enter(sc, _("Suspended sales"), help, ARRAY_SIZE(help));
	if (!scr_prompt(sc, resume_body, &r, _("Resume number:"), NULL, SCR_NUMERIC, in, sizeof(in)))
		return;
	if (!scr_parse_int(in, 1, SALE_MAX_SUSPENDED, &slot)) {
		scr_msg(sc, true, _("No suspended sale %s"), in);
		return;
	}
	if (sc->sale.open)
		sale_reset(&sc->sale);
	e = sale_resume(&sc->sale, sc->ts->cfg->state_dir, (int)slot);
	if (e != SALE_OK)
		scr_msg(sc, true, "%s", sale_error_message(e));
	else
		scr_msg(sc, false, _("Sale %lld resumed"), (long long)slot);
	sc->sel = 0;
}
