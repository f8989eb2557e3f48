/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shift_screen: the cash desk's shift. F2 opens it with the float put in
 * the drawer, F3 prints the X report (the shift so far, nothing changes),
 * F4 the Z report: the cashier counts the drawer, kassad closes the shift
 * and answers sales, refunds, tenders by kind and currency, the cash
 * expected and the count's over/short. Reports are shown as text the
 * cashier can scroll. Online only (the server keeps the shift).
 * F5 / F6 clock the logged-in staff member in and out (考勤, kc_clock.h).
 */
#include <stdio.h>
#include <string.h>

#include "kc_clock.h"
#include "scr.h"
#include "textwidth.h"

static const ScrHelp shift_help[] = {
	{ 2, SK_CTRL('o'), N_("Open shift") },
	{ 3, SK_CTRL('r'), N_("X report") },
	{ 4, SK_CTRL('z'), N_("Z report (close)") },
	{ 5, SK_CTRL('b'), N_("Clock in") },
	{ 6, SK_CTRL('g'), N_("Clock out") },
	{ 0, 0, N_("Esc back") },
};

static void shift_body(Screen *sc, void *ctx, int top, int bottom)
{
	(void)sc;
	(void)ctx;
	(void)bottom;
	scr_put(top + 1, 2, _("F2 opens the shift with a float; F3 shows the X report;"), COLS - 4);
	scr_put(top + 2, 2, _("F4 closes it with the cash count (Z report)."), COLS - 4);
}

/* Append "label ..... amount" to the report in out at *off. */
static void report_line(char *out, size_t len, size_t *off, const char *label, int64_t minor)
{
	char a[24], pad[256];

	if (*off >= len)
		return;
	textwidth_pad(pad, sizeof(pad), label, 28, TEXT_LEFT);
	*off += (size_t)snprintf(out + *off, len - *off, "%s %14s\n", pad,
				 scr_money(minor, a, sizeof(a)));
}

/* The report text of a ShiftSummary. */
static void report_text(const Kassa__V1__ShiftSummary *s, char *out, size_t len)
{
	size_t off = 0, i;
	char label[128];

	off += (size_t)snprintf(out, len, "%s %lld   %s %.19s%s%.19s\n\n", _("Shift"),
				(long long)s->shift_id, _("opened"), s->opened_at,
				s->closed ? _("  closed ") : "", s->closed ? s->closed_at : "");
	report_line(out, len, &off, _("Float"), s->float_minor);
	snprintf(label, sizeof(label), _("Sales (%lld)"), (long long)s->sales_count);
	report_line(out, len, &off, label, s->sales_minor);
	snprintf(label, sizeof(label), _("Refunds (%lld)"), (long long)s->refunds_count);
	report_line(out, len, &off, label, s->refunds_minor);
	if (off < len)
		off += (size_t)snprintf(out + off, len - off, "\n%s\n", _("Tenders:"));
	for (i = 0; i < s->n_tenders; i++) {
		const Kassa__V1__TenderTotal *t = s->tenders[i];

		snprintf(label, sizeof(label), "  %s %s (%lld)", scr_tender_name(t->kind),
			 t->currency, (long long)t->count);
		report_line(out, len, &off, label, t->amount_minor);
	}
	if (off < len)
		off += (size_t)snprintf(out + off, len - off, "\n");
	report_line(out, len, &off, _("Change given"), s->change_minor);
	report_line(out, len, &off, _("Cash refunds"), s->cash_refunds_minor);
	report_line(out, len, &off, _("Cash top-ups"), s->topups_cash_minor);
	report_line(out, len, &off, _("Cash expected"), s->expected_cash_minor);
	if (s->closed) {
		report_line(out, len, &off, _("Cash counted"), s->counted_minor);
		report_line(out, len, &off, s->over_short_minor >= 0 ? _("Over") : _("Short"),
			    s->over_short_minor);
	}
}

/* Send req; show the ShiftSummary it answers as a report titled title. */
static void shift_call(Screen *sc, Kassa__V1__Request *req, const char *title)
{
	Kassa__V1__Response *resp = NULL;
	char text[4096];

	if (!scr_call(sc, req, &resp))
		return;
	if (resp->body_case == KASSA__V1__RESPONSE__BODY_SHIFT_SUMMARY) {
		report_text(resp->shift_summary, text, sizeof(text));
		scr_msg(sc, false, "%s", title);
		scr_view(sc, title, text);
	}
	kc_response_free(resp);
}

static void shift_open(Screen *sc)
{
	char in[32];
	int64_t fl;
	KcReq r;

	if (!scr_prompt(sc, shift_body, NULL, _("Float in the drawer:"), NULL, SCR_NUMERIC, in,
			sizeof(in)))
		return;
	if (!scr_parse_money(in, &fl) || fl < 0) {
		scr_msg(sc, true, _("Not an amount: %s"), in);
		return;
	}
	kc_req_shift_open(&r, fl, NULL);
	shift_call(sc, &r.req, _("Shift opened"));
}

static void shift_report(Screen *sc, bool close)
{
	char in[32];
	int64_t counted = 0;
	KcReq r;

	if (close) {
		if (sc->sale.open && sc->sale.n_items > 0) {
			scr_msg(sc, true, "%s", _("Finish or suspend the sale before closing the shift"));
			return;
		}
		if (!scr_prompt(sc, shift_body, NULL, _("Cash counted in the drawer:"), NULL,
				SCR_NUMERIC, in, sizeof(in)))
			return;
		if (!scr_parse_money(in, &counted) || counted < 0) {
			scr_msg(sc, true, _("Not an amount: %s"), in);
			return;
		}
	}
	kc_req_shift_report(&r, close, counted, NULL);
	shift_call(sc, &r.req, close ? _("Z report: shift closed") : _("X report"));
}

/* F5 / F6: clock the logged-in staff member in or out; say the time or the hours. */
static void shift_clock(Screen *sc, bool in)
{
	Kassa__V1__Response *resp = NULL;
	KcClockReq q;

	if (in)
		kc_req_clock_in(&q, sc->ts->staff_id, NULL);
	else
		kc_req_clock_out(&q, sc->ts->staff_id, NULL);
	if (!scr_call(sc, &q.r.req, &resp))
		return;
	if (resp->body_case == KASSA__V1__RESPONSE__BODY_CLOCK_RECORD) {
		const Kassa__V1__ClockRecord *r = resp->clock_record;

		if (in)
			scr_msg(sc, false, _("Clocked in at %.19s (UTC)"), r->in_at);
		else
			scr_msg(sc, false, _("Clocked out: %lld h %02lld min"),
				(long long)(r->seconds / 3600), (long long)(r->seconds % 3600 / 60));
	}
	kc_response_free(resp);
}

void shift_screen_run(Screen *sc)
{
	for (;;) {
		int k;

		scr_enter(sc, _("Shift"), shift_help, ARRAY_SIZE(shift_help));
		sc->prompt = NULL;
		sc->field = NULL;
		scr_draw(sc, shift_body, NULL);
		k = scr_getkey(sc);
		if (k == SK_ESC)
			return;
		if (k == SK_F(2))
			shift_open(sc);
		else if (k == SK_F(3))
			shift_report(sc, false);
		else if (k == SK_F(4))
			shift_report(sc, true);
		else if (k == SK_F(5) || k == SK_F(6))
			shift_clock(sc, k == SK_F(5));
	}
}
