/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scr: what the screens of kassa-till's keyboard UI share (internal to
 * screen/). A Screen is the running UI: the TillSession it drives, the
 * open Sale, the message line and the last finished sale. Every screen is
 * one function with its own key loop (login.c, sale_screen.c,
 * member_screen.c, pay_screen.c, refund_screen.c, shift_screen.c) that
 * draws through scr_draw(): status bar on top (store, till, cashier,
 * ONLINE/OFFLINE), the screen's body, the message line, the input line
 * and two help lines with the function keys at the bottom.
 *
 * Keys: scr_getkey() returns a character (> 0) or an SK_* code. Every
 * function key has a letter alternative for terminals without F-keys: a
 * Ctrl letter on screens whose input line takes text, a plain letter on
 * screens whose input takes only numbers; the help line shows both
 * ("F5/^P Pay"). scr_getkey() never drops typed-ahead input, so a barcode
 * scanner's burst of digits and Enter reaches the input line whole.
 *
 * All text is UTF-8 and laid out by display cells (textwidth.h), so
 * Chinese names line up; every text a person reads goes through _().
 */
#ifndef KASSA_TILL_SCR_H
#define KASSA_TILL_SCR_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n.h"
#include "sale.h"
#include "till.h"

#define SCR_MSG_LEN 320			/* message line buffer */
#define SCR_FIELD_LEN 256		/* input line buffer (bytes, UTF-8) */
#define SCR_TICK_MS 1000		/* idle tick: refresh the online indicator */
#define SCR_MIN_COLS 80			/* the layout is made for at least this */
#define SCR_MIN_ROWS 24

/* Special keys from scr_getkey() (characters are > 0). */
enum {
	SK_ENTER = -1,			/* Enter / Return */
	SK_ESC = -2,			/* Escape: back, cancel */
	SK_BACKSPACE = -3,		/* Backspace / Delete left */
	SK_TICK = -4,			/* no key for SCR_TICK_MS */
	SK_UP = -5,			/* cursor up */
	SK_DOWN = -6,			/* cursor down */
	SK_PGUP = -7,			/* page up */
	SK_PGDN = -8,			/* page down */
	SK_OTHER = -9,			/* a key no screen uses */
	SK_F0 = -100,			/* SK_F(n) = SK_F0 - n, n = 1..12 */
};
#define SK_F(n) (SK_F0 - (n))
#define SK_CTRL(c) ((c) & 0x1f)		/* the code of Ctrl+letter c */

/* One entry of a screen's help line. */
typedef struct ScrHelp {
	int fkey;			/* 1..12: F-key; 0 = the alternative only */
	int alt;			/* letter alternative (SK_CTRL('p') or 'c'); 0 = none */
	const char *label;		/* N_() marked; translated when drawn */
} ScrHelp;

/* An input line being edited. */
typedef struct ScrField {
	char buf[SCR_FIELD_LEN];	/* UTF-8, NUL-terminated */
	size_t len;			/* bytes in buf */
	bool secret;			/* shown as '*' (PINs) */
	bool numeric;			/* digits, '.', '-', '*' and '+' only */
} ScrField;

/* The last finished sale, for the result panel and reprint. */
typedef struct ScrLast {
	bool have;			/* a sale was finished since login */
	TillFinish fin;			/* owned (till_finish_free) */
	char *receipt;			/* owned: receipt text as shown */
} ScrLast;

/* The running UI. */
typedef struct Screen {
	TillSession *ts;		/* borrowed */
	Sale sale;			/* the open sale (s.open false between sales) */
	size_t sel;			/* selected line on the sale screen, from 1 (0 = last) */
	char msg[SCR_MSG_LEN];		/* message line */
	bool msg_err;			/* the message is an error (shown highlighted) */
	const char *title;		/* the current screen's title (translated) */
	const ScrHelp *help;		/* the current screen's help line */
	size_t nhelp;
	const char *prompt;		/* the input line's prompt (translated) */
	ScrField *field;		/* the input line being edited (borrowed) */
	bool quit;			/* the cashier asked to quit kassa-till */
	bool online_shown;		/* indicator state last drawn */
	ScrLast last;			/* the last finished sale */
	char detail[64];		/* detail code of the last failed scr_call() */
} Screen;

/* Draws a screen's body between rows top and bottom (exclusive). */
typedef void (*ScrBody)(Screen *sc, void *ctx, int top, int bottom);

/* ---- screen.c: loop, layout, keys, fields ---- */

/* Set the message line (printf format; the format is translated by the caller). */
void scr_msg(Screen *sc, bool err, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Set the current screen: title (translated) and help line (N_() labels). */
void scr_enter(Screen *sc, const char *title, const ScrHelp *help, size_t nhelp);

/* Draw everything: status bar, body (may be NULL), message, input line, help. */
void scr_draw(Screen *sc, ScrBody body, void *ctx);

/*
 * Wait for the next key (at most SCR_TICK_MS, then SK_TICK, after which
 * the online indicator has been refreshed). F-keys come as SK_F(n), and
 * the current help line's letter alternatives are mapped to their SK_F(n).
 * A terminal resize is handled here (the caller redraws on any key).
 */
int scr_getkey(Screen *sc);

/* Apply key k to field f (typing, backspace); true if it was consumed. */
bool scr_edit(ScrField *f, int k);
void scr_field_clear(ScrField *f);

/*
 * Ask for one line on the input line, over the screen drawn by body: true
 * with the text in out (NUL-terminated) on Enter, false on Esc. initial
 * may be NULL. flags: SCR_SECRET, SCR_NUMERIC.
 */
#define SCR_SECRET 1
#define SCR_NUMERIC 2
bool scr_prompt(Screen *sc, ScrBody body, void *ctx, const char *prompt, const char *initial,
		int flags, char *out, size_t outlen);

/* Ask a yes/no question (y/Y/Enter = yes, n/N/Esc = no). */
bool scr_confirm(Screen *sc, ScrBody body, void *ctx, const char *question);

/* Show a full-screen text (a report, a receipt) until Esc/Enter; scrolls. */
void scr_view(Screen *sc, const char *title, const char *text);

/* ---- text by display cells ---- */

/* Put s at (y, x) in exactly cells columns: truncated or padded. */
void scr_put(int y, int x, const char *s, int cells);
/* The same, right-aligned. */
void scr_put_right(int y, int x, const char *s, int cells);
/* Display cells of s. */
int scr_width(const char *s);

/* "12.50" for minor (buf >= 24 bytes); returns buf. */
const char *scr_money(int64_t minor, char *buf, size_t len);
/* Parse a money amount typed by the cashier; false if it is not one. */
MUSTCHECK bool scr_parse_money(const char *s, int64_t *minor);
/* Parse a whole number in lo..hi; false if it is not one. */
MUSTCHECK bool scr_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* A human message for a server answer or a till detail code (translated). */
const char *scr_detail_message(const char *detail, const char *fallback);
/*
 * till_call() for a screen: true when an OK answer arrived (*resp is then
 * the caller's, kc_response_free()). Otherwise *resp is NULL, sc->detail
 * holds the detail code ("OFFLINE" when the server could not be reached)
 * and the message line says what went wrong.
 */
MUSTCHECK bool scr_call(Screen *sc, Kassa__V1__Request *req, Kassa__V1__Response **resp);
/* scr_call() for a request already sent (r is its KcResult, e.g. till_quote()'s). */
MUSTCHECK bool scr_answered(Screen *sc, KcResult r, Kassa__V1__Response **resp);

/* A human name for a tender kind (translated). */
const char *scr_tender_name(Kassa__V1__TenderKind kind);

/* ---- the screens ---- */

/* login.c: ask staff id and PIN until someone logs in; false = quit. */
bool login_run(Screen *sc);
/* login.c: lock until the same cashier types the PIN again. */
void lock_run(Screen *sc);

/* sale_screen.c: the sale screen until log out or quit. */
void sale_screen_run(Screen *sc);
/* sale_screen.c: draw the basket in rows top..bottom (used by other screens too). */
void sale_screen_body(Screen *sc, void *ctx, int top, int bottom);

/* member_screen.c: find, register and attach a member to the open sale. */
void member_screen_run(Screen *sc);
/* member_screen.c: one-line member summary of the open sale into buf. */
void member_summary(const Sale *s, char *buf, size_t len);

/* pay_screen.c: take tenders and finish the sale; true when it finished. */
bool pay_screen_run(Screen *sc);

/* refund_screen.c: refund lines of an earlier sale by receipt number. */
void refund_screen_run(Screen *sc);

/* shift_screen.c: open a shift, X report, Z report with the cash count. */
void shift_screen_run(Screen *sc);
/* sale_screen.c: pick a suspended sale and resume it. */
void resume_screen_run(Screen *sc);
/* pay_screen.c: show the last receipt again and write it as a copy. */
void pay_reprint(Screen *sc);

#endif
