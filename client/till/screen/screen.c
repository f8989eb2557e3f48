/* SPDX-License-Identifier: Apache-2.0 */
/*
 * screen: kassa-till's full-screen keyboard UI (see scr.h for how the
 * screens share it). This file owns the terminal: screen_run() sets up
 * ncursesw (raw keys, so that Ctrl letters reach us; keypad for F-keys;
 * a one-second idle tick), runs login -> sale screen until the cashier
 * quits, and gives the screens their common layout:
 *
 *   row 0            status bar: store, till, cashier, ONLINE / OFFLINE
 *   row 1            the screen's title
 *   rows 2..R-5      the screen's body (ScrBody)
 *   row R-4          message line (errors highlighted)
 *   row R-3          input line with its prompt
 *   rows    help: the screen's function keys and their letters
 *
 * It works at 80x24 and any larger size (KEY_RESIZE is handled in
 * scr_getkey(); the next draw uses the new size). Input is never flushed,
 * so a barcode scanner's fast burst of characters and Enter is read whole.
 * The idle tick refreshes the online indicator through till_online() and,
 * when the server comes back, synchronises the offline journal
 * (till_sync()) and says what was sent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "money.h"
#include "scr.h"
#include "screen.h"
#include "script.h"
#include "textwidth.h"

#define SCR_ESCDELAY_MS 25		/* Esc alone vs the start of an F-key sequence */

void scr_msg(Screen *sc, bool err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sc->msg, sizeof(sc->msg), fmt, ap);
	va_end(ap);
	sc->msg_err = err;
}

void scr_enter(Screen *sc, const char *title, const ScrHelp *help, size_t nhelp)
{
	sc->title = title;
	sc->help = help;
	sc->nhelp = nhelp;
}

/* ---- text by display cells ---- */

void scr_put(int y, int x, const char *s, int cells)
{
	char buf[1024];

	if (cells <= 0 || x >= COLS)
		return;
	if (x + cells > COLS)
		cells = COLS - x;
	textwidth_pad(buf, sizeof(buf), s != NULL ? s : "", cells, TEXT_LEFT);
	mvaddstr(y, x, buf);
}

void scr_put_right(int y, int x, const char *s, int cells)
{
	char buf[1024];

	if (cells <= 0 || x >= COLS)
		return;
	if (x + cells > COLS)
		cells = COLS - x;
	textwidth_pad(buf, sizeof(buf), s != NULL ? s : "", cells, TEXT_RIGHT);
	mvaddstr(y, x, buf);
}

int scr_width(const char *s)
{
	return textwidth(s);
}

const char *scr_money(int64_t minor, char *buf, size_t len)
{
	return money_format(minor, buf, len);
}

bool scr_parse_money(const char *s, int64_t *minor)
{
	return *s != '\0' && money_parse(s, minor);
}

bool scr_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	if (*s == '\0' || strlen(s) > 18)
		return false;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* ---- messages for codes ---- */

/* Till and server detail codes a cashier meets, with what they mean. */
static const struct {
	const char *detail;
	const char *text;		/* N_() */
} detail_texts[] = {
	{ "BAD_CREDENTIALS", N_("Wrong staff id or PIN") },
	{ "STAFF_LOCKED", N_("Locked out after too many wrong PINs: ask a manager to unlock") },
	{ "OFFLINE_UNKNOWN_STAFF", N_("Offline: this person has not logged in on this till before") },
	{ "NOT_FOUND", N_("Not found") },
	{ "UNKNOWN_PRODUCT", N_("Unknown product code") },
	{ "MEMBER_NOT_FOUND", N_("No such member") },
	{ "PHONE_TAKEN", N_("A member with this phone number exists already") },
	{ "INVALID_PHONE", N_("Not a valid phone number") },
	{ "INSUFFICIENT_TENDER", N_("The tenders do not cover the total") },
	{ "NOT_ENOUGH_TENDERED", N_("The tenders do not cover the total") },
	{ "OFFLINE_NOT_ALLOWED", N_("Offline: only cash and card, no points, coupons or stored value") },
	{ "JOURNAL_FAILED", N_("Could not write the offline journal: the sale is not finished") },
	{ "COUPON_NOT_FOUND", N_("No such coupon or claim code") },
	{ "INSUFFICIENT_STORED_VALUE", N_("Not enough stored value") },
	{ "INSUFFICIENT_POINTS", N_("Not enough points") },
	{ "OUT_OF_STOCK", N_("Not enough in stock at this store: take the item off the sale") },
	{ "APPROVAL_REQUIRED", N_("A manager must approve this refund") },
	{ "OFFLINE", N_("The server is unreachable (offline)") },
};

const char *scr_detail_message(const char *detail, const char *fallback)
{
	size_t i;

	for (i = 0; detail != NULL && i < ARRAY_SIZE(detail_texts); i++)
		if (strcmp(detail, detail_texts[i].detail) == 0)
			return _(detail_texts[i].text);
	if (fallback != NULL && *fallback != '\0')
		return fallback;
	if (detail != NULL && *detail != '\0')
		return detail;
	return _("The request failed");
}

bool scr_call(Screen *sc, Kassa__V1__Request *req, Kassa__V1__Response **resp)
{
	return scr_answered(sc, till_call(sc->ts, req, resp), resp);
}

bool scr_answered(Screen *sc, KcResult r, Kassa__V1__Response **resp)
{
	sc->detail[0] = '\0';
	if (r != KC_OK) {
		snprintf(sc->detail, sizeof(sc->detail), "OFFLINE");
		scr_msg(sc, true, "%s", scr_detail_message("OFFLINE", NULL));
		kc_response_free(*resp);
		*resp = NULL;
		return false;
	}
	if (kc_status(*resp) != KASSA__V1__STATUS_CODE__OK) {
		snprintf(sc->detail, sizeof(sc->detail), "%s", kc_detail(*resp));
		scr_msg(sc, true, "%s", scr_detail_message(kc_detail(*resp), kc_message(*resp)));
		kc_response_free(*resp);
		*resp = NULL;
		return false;
	}
	return true;
}

const char *scr_tender_name(Kassa__V1__TenderKind kind)
{
	switch (kind) {
	case KASSA__V1__TENDER_KIND__TENDER_CASH:
		return _("Cash");
	case KASSA__V1__TENDER_KIND__TENDER_CARD:
		return _("Card");
	case KASSA__V1__TENDER_KIND__TENDER_EWALLET:
		return _("E-wallet");
	case KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE:
		return _("Stored value");
	default:
		return _("Other");
	}
}

/* ---- layout ---- */

/* Row 0: who and where, and the online indicator (never cut off). */
static void draw_status(Screen *sc)
{
	TillSession *ts = sc->ts;
	const char *ind = ts->online ? _("ONLINE") : _("OFFLINE");
	char left[512];
	int iw = scr_width(ind) + 2;

	if (ts->staff_id != 0)
		snprintf(left, sizeof(left), " %s %s | %s %s | %s (%lld)", ts->store_code,
			 ts->store_name, _("Till"), ts->till_code, ts->staff_name,
			 (long long)ts->staff_id);
	else
		snprintf(left, sizeof(left), " %s %s | %s %s", ts->store_code, ts->store_name,
			 _("Till"), ts->till_code);
	attron(A_REVERSE);
	scr_put(0, 0, left, COLS - iw);
	attroff(A_REVERSE);
	if (!ts->online)
		attron(A_BOLD | A_BLINK);
	else
		attron(A_REVERSE);
	mvaddch(0, COLS - iw, '[');
	scr_put(0, COLS - iw + 1, ind, iw - 2);
	addch(']');
	attroff(A_REVERSE | A_BOLD | A_BLINK);
	sc->online_shown = ts->online;
}

/* The two help rows: "F5/^P Pay  F6/^S Suspend ..." wrapped at the width. */
static void draw_help(Screen *sc)
{
	int row = LINES - 2, x = 0;
	size_t i;

	for (i = 0; i < sc->nhelp && row < LINES; i++) {
		const ScrHelp *h = &sc->help[i];
		char key[16] = "", item[160];
		int w;

		if (h->fkey > 0 && h->alt != 0)
			snprintf(key, sizeof(key), "F%d/%s%c", h->fkey, h->alt < 32 ? "^" : "",
				 h->alt < 32 ? h->alt + '@' : h->alt);
		else if (h->fkey > 0)
			snprintf(key, sizeof(key), "F%d", h->fkey);
		else if (h->alt != 0)
			snprintf(key, sizeof(key), "%s%c", h->alt < 32 ? "^" : "",
				 h->alt < 32 ? h->alt + '@' : h->alt);
		snprintf(item, sizeof(item), "%s %s", key, _(h->label));
		w = scr_width(item) + 1;	/* the key is highlighted: one space parts items */
		if (x > 0 && x + w > COLS + 1) {
			row++;
			x = 0;
			if (row >= LINES)
				break;
		}
		attron(A_REVERSE);
		scr_put(row, x, key, scr_width(key));
		attroff(A_REVERSE);
		scr_put(row, x + scr_width(key), item + strlen(key), w - scr_width(key));
		x += w;
	}
}

/* The input line: prompt and the field, with the cursor at its end. */
static void draw_input(Screen *sc)
{
	int row = LINES - 3, pw = 0;
	char shown[SCR_FIELD_LEN];
	const char *text = "";

	if (sc->prompt != NULL) {
		pw = scr_width(sc->prompt) + 1;
		attron(A_BOLD);
		scr_put(row, 0, sc->prompt, pw);
		attroff(A_BOLD);
	}
	if (sc->field != NULL) {
		if (sc->field->secret) {
			size_t n = strlen(sc->field->buf);

			memset(shown, '*', n);
			shown[n] = '\0';
			text = shown;
		} else {
			text = sc->field->buf;
		}
	}
	/* keep the end of a long input visible */
	while (scr_width(text) > COLS - pw - 1 && *text != '\0')
		text++;
	scr_put(row, pw, text, COLS - pw);
	move(row, pw + scr_width(text));
}

void scr_draw(Screen *sc, ScrBody body, void *ctx)
{
	erase();
	draw_status(sc);
	if (sc->title != NULL) {
		attron(A_BOLD);
		scr_put(1, 0, sc->title, COLS);
		attroff(A_BOLD);
	}
	if (body != NULL)
		body(sc, ctx, 2, LINES - 4);
	if (sc->msg[0] != '\0') {
		if (sc->msg_err)
			attron(A_REVERSE | A_BOLD);
		scr_put(LINES - 4, 0, sc->msg, COLS);
		attroff(A_REVERSE | A_BOLD);
	}
	draw_help(sc);
	draw_input(sc);
	refresh();
}

/* ---- keys ---- */

/* Back online after an outage: replay the journal, say what was sent. */
static void back_online(Screen *sc)
{
	TillSyncReport rep;

	memset(&rep, 0, sizeof(rep));
	if (!till_last_sync(sc->ts, &rep))
		return;
	if (rep.pending == 0)
		scr_msg(sc, false, _("Back online: %d offline sales sent, %d rejected, %d waiting"),
			rep.replayed, rep.rejected, rep.pending);
	else
		scr_msg(sc, true, _("Back online, but the offline sales could not all be sent (%d waiting)"),
			rep.pending);
}

static int map_alt(const Screen *sc, int c)
{
	size_t i;

	for (i = 0; i < sc->nhelp; i++)
		if (sc->help[i].alt == c && sc->help[i].fkey > 0)
			return SK_F(sc->help[i].fkey);
	return c;
}

int scr_getkey(Screen *sc)
{
	wint_t ch;
	int r = get_wch(&ch);

	if (r == ERR) {
		(void)till_online(sc->ts);
		back_online(sc);
		return SK_TICK;
	}
	if (r == KEY_CODE_YES) {
		if (ch >= KEY_F(1) && ch <= KEY_F(12))
			return SK_F((int)(ch - KEY_F(0)));
		switch (ch) {
		case KEY_ENTER:
			return SK_ENTER;
		case KEY_BACKSPACE:
		case KEY_DC:
			return SK_BACKSPACE;
		case KEY_UP:
			return SK_UP;
		case KEY_DOWN:
			return SK_DOWN;
		case KEY_PPAGE:
			return SK_PGUP;
		case KEY_NPAGE:
			return SK_PGDN;
		default:
			return SK_OTHER;	/* KEY_RESIZE too: LINES/COLS are new now */
		}
	}
	if (ch == '\r' || ch == '\n')
		return SK_ENTER;
	if (ch == 27)
		return SK_ESC;
	if (ch == 8 || ch == 127)
		return SK_BACKSPACE;
	return map_alt(sc, (int)ch);
}

void scr_field_clear(ScrField *f)
{
	f->buf[0] = '\0';
	f->len = 0;
}

bool scr_edit(ScrField *f, int k)
{
	char mb[8];
	int n;

	if (k == SK_BACKSPACE) {
		/* drop the last UTF-8 character */
		while (f->len > 0 && ((unsigned char)f->buf[f->len - 1] & 0xC0) == 0x80)
			f->len--;
		if (f->len > 0)
			f->len--;
		f->buf[f->len] = '\0';
		return true;
	}
	if (k < 32 || k == 127)
		return false;
	if (f->numeric && !((k >= '0' && k <= '9') || k == '.' || k == '-' || k == '*' ||
			    k == '+'))
		return false;
	if (k < 0x80) {
		mb[0] = (char)k;
		n = 1;
	} else {
		mbstate_t st;

		memset(&st, 0, sizeof(st));
		n = (int)wcrtomb(mb, (wchar_t)k, &st);
		if (n <= 0)
			return true;	/* not representable: swallowed */
	}
	if (f->len + (size_t)n + 1 > sizeof(f->buf))
		return true;		/* full: the rest is ignored, never written past */
	memcpy(f->buf + f->len, mb, (size_t)n);
	f->len += (size_t)n;
	f->buf[f->len] = '\0';
	return true;
}

bool scr_prompt(Screen *sc, ScrBody body, void *ctx, const char *prompt, const char *initial,
		int flags, char *out, size_t outlen)
{
	ScrField f, *saved_field = sc->field;
	const char *saved_prompt = sc->prompt;
	bool ok = false;

	memset(&f, 0, sizeof(f));
	f.secret = (flags & SCR_SECRET) != 0;
	f.numeric = (flags & SCR_NUMERIC) != 0;
	if (initial != NULL && safe_strcpy(f.buf, sizeof(f.buf), initial))
		f.len = strlen(f.buf);
	sc->prompt = prompt;
	sc->field = &f;
	for (;;) {
		int k;

		scr_draw(sc, body, ctx);
		k = scr_getkey(sc);
		if (k == SK_ENTER) {
			ok = safe_strcpy(out, outlen, f.buf);
			if (!ok)
				scr_msg(sc, true, "%s", _("Too long"));
			break;
		}
		if (k == SK_ESC)
			break;
		(void)scr_edit(&f, k);
	}
	explicit_bzero(f.buf, sizeof(f.buf));
	sc->prompt = saved_prompt;
	sc->field = saved_field;
	return ok;
}

bool scr_confirm(Screen *sc, ScrBody body, void *ctx, const char *question)
{
	ScrField *saved_field = sc->field;
	const char *saved_prompt = sc->prompt;
	char q[256];
	bool yes = false;

	snprintf(q, sizeof(q), "%s %s", question, _("(y/n)"));
	sc->prompt = q;
	sc->field = NULL;
	for (;;) {
		int k;

		scr_draw(sc, body, ctx);
		k = scr_getkey(sc);
		if (k == 'y' || k == 'Y' || k == SK_ENTER) {
			yes = true;
			break;
		}
		if (k == 'n' || k == 'N' || k == SK_ESC)
			break;
	}
	sc->prompt = saved_prompt;
	sc->field = saved_field;
	return yes;
}

/* scr_view's state: the text's lines and the first one shown. */
typedef struct ViewCtx {
	const char *text;
	int first;
	int nlines;
} ViewCtx;

static void view_body(Screen *sc, void *ctx, int top, int bottom)
{
	ViewCtx *v = ctx;
	const char *p = v->text;
	int line = 0, row = top;

	(void)sc;
	while (*p != '\0' && row < bottom) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (line >= v->first) {
			char buf[1024];

			if (len >= sizeof(buf))
				len = sizeof(buf) - 1;
			memcpy(buf, p, len);
			buf[len] = '\0';
			scr_put(row++, 1, buf, COLS - 1);
		}
		line++;
		p = nl != NULL ? nl + 1 : p + len;
	}
}

void scr_view(Screen *sc, const char *title, const char *text)
{
	static const ScrHelp help[] = {
		{ 0, 0, N_("Up/Down/PgUp/PgDn scroll") },
		{ 0, 0, N_("Enter/Esc close") },
	};
	const char *saved_title = sc->title, *saved_prompt = sc->prompt;
	const ScrHelp *saved_help = sc->help;
	size_t saved_n = sc->nhelp;
	ScrField *saved_field = sc->field;
	ViewCtx v = { text, 0, 1 };
	const char *p;

	for (p = text; *p != '\0'; p++)
		v.nlines += *p == '\n';
	scr_enter(sc, title, help, ARRAY_SIZE(help));
	sc->prompt = NULL;
	sc->field = NULL;
	for (;;) {
		int k, page = LINES - 6 > 1 ? LINES - 6 : 1;

		scr_draw(sc, view_body, &v);
		k = scr_getkey(sc);
		if (k == SK_ENTER || k == SK_ESC)
			break;
		if (k == SK_UP && v.first > 0)
			v.first--;
		else if (k == SK_DOWN && v.first + 1 < v.nlines)
			v.first++;
		else if (k == SK_PGUP)
			v.first = v.first > page ? v.first - page : 0;
		else if (k == SK_PGDN && v.first + page < v.nlines)
			v.first += page;
	}
	scr_enter(sc, saved_title, saved_help, saved_n);
	sc->prompt = saved_prompt;
	sc->field = saved_field;
}

/* ---- the loop ---- */

int screen_run(TillSession *ts)
{
	const char *notice;
	int damaged;
	Screen *sc;

	/* the language (and the UTF-8 locale ncursesw needs) is main.c's i18n_init() */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || getenv("TERM") == NULL) {
		fprintf(stderr, "kassa-till: %s\n",
			_("the screen needs a terminal (use --script for automation)"));
		return TILL_EXIT_USAGE;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->ts = ts;
	sale_init(&sc->sale);
	initscr();
	raw();			/* Ctrl letters are key alternatives, not signals */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(SCR_ESCDELAY_MS);
	timeout(SCR_TICK_MS);
	/* damaged journal records set aside at start: the cashier is told at once */
	notice = till_journal_notice(ts, &damaged);
	if (notice != NULL)
		scr_msg(sc, true, "%s", notice);
	while (!sc->quit) {
		if (!login_run(sc))
			break;
		sale_screen_run(sc);
	}
	endwin();
	if (sc->last.have)
		till_finish_free(&sc->last.fin);
	free(sc->last.receipt);
	sale_reset(&sc->sale);
	free(sc);
	return TILL_EXIT_OK;
}
