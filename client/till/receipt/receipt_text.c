/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receipt_text.c: the receipt's layout (receipt_layout.h) and its plain
 * text (receipt_text(), receipt.h). A receipt is, top to bottom: a copy
 * marker on a reprint; the store's name; store and till codes, cashier,
 * receipt number and date; the member (masked phone, tier); the lines
 * (name, then quantity x unit price and the line total); subtotal, tier
 * saving, coupons, points redeemed and the total; the tenders (kind,
 * shortened reference, foreign currency with the rate used), tendered and
 * change; the member's points earned and balance and the stored value paid
 * and left; the offline note; a thank-you.
 *
 * Every line is exactly `columns` display cells wide (textwidth.h), so
 * Chinese names line up with the amounts. What comes from outside (names,
 * codes, references) is cleaned first: a control character or a byte that
 * is not UTF-8 becomes '?', so nothing can smuggle printer commands in. A
 * reference never shows a card number: digits of one (13-19 digits passing
 * the Luhn check, cardnum.h) are masked but the last four, and a long
 * reference keeps only its end. Labels are in the till's language
 * (gettext); amounts are in the store currency's minor units (money.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cardnum.h"
#include "i18n.h"
#include "money.h"
#include "receipt_layout.h"
#include "textwidth.h"

#define RECEIPT_FIELD 512		/* bytes of one cleaned outside string */
#define RECEIPT_LINE 1024		/* bytes of one laid-out line */
#define RECEIPT_REF_CELLS 16		/* a reference shows at most its last cells */
#define RECEIPT_MIN_COLUMNS 24

/* The shipped tier names, so that the catalogue translates them (see tier_name). */
static const char *const tier_names[] = { N_("Regular"), N_("Silver"), N_("Gold") };

/* ---- the lines ---- */

void receipt_lines_free(ReceiptLines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Append a copy of text (already exactly the width) in style st. */
static void add(ReceiptLines *l, ReceiptStyle st, const char *text)
{
	char *copy;

	if (l->oom)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		ReceiptLine *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(text);
	if (copy == NULL) {
		l->oom = true;
		return;
	}
	l->v[l->n].text = copy;
	l->v[l->n].style = st;
	l->n++;
}

/* left, then right flush with the right edge; left is cut to leave one space. */
static void add_lr(ReceiptLines *l, ReceiptStyle st, int cols, const char *left,
		   const char *right)
{
	char line[RECEIPT_LINE];
	int rw = textwidth(right);
	size_t n;

	if (rw > cols)
		rw = cols;
	textwidth_pad(line, sizeof(line) / 2, left, cols - rw, TEXT_LEFT);
	n = strlen(line);
	textwidth_pad(line + n, sizeof(line) - n, right, rw, TEXT_RIGHT);
	add(l, st, line);
}

static void add_centre(ReceiptLines *l, ReceiptStyle st, int cols, const char *text)
{
	char line[RECEIPT_LINE];

	add(l, st, textwidth_pad(line, sizeof(line), text, cols, TEXT_CENTRE));
}

static void add_rule(ReceiptLines *l, int cols, char c)
{
	char line[RECEIPT_LINE];
	int n = cols < (int)sizeof(line) - 1 ? cols : (int)sizeof(line) - 1;

	memset(line, c, (size_t)n);
	line[n] = '\0';
	add(l, RS_PLAIN, line);
}

/* text over as many lines as it needs, each indented by indent cells. */
static void add_wrapped(ReceiptLines *l, ReceiptStyle st, int cols, int indent,
			const char *text)
{
	char part[RECEIPT_LINE], line[RECEIPT_LINE];
	const char *p = text;

	do {
		size_t n = textwidth_cut(p, cols - indent, NULL);

		if (n == 0 && *p != '\0')
			n = textwidth_decode(p, strlen(p), &(uint32_t){ 0 });	/* never stall */
		snprintf(part, sizeof(part), "%*s%.*s", indent, "", (int)n, p);
		add(l, st, textwidth_pad(line, sizeof(line), part, cols, TEXT_LEFT));
		p += n;
		while (*p == ' ')
			p++;
	} while (*p != '\0');
}

/* ---- values ---- */

/*
 * s made safe to print into out: control characters and bytes that are
 * not UTF-8 become '?'; cut at a character boundary to fit. NULL is "".
 */
static const char *clean(char *out, size_t outlen, const char *s)
{
	size_t len = s ? strlen(s) : 0, i = 0, o = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = textwidth_decode(s + i, len - i, &cp);
		bool bad = (cp == 0xFFFD && n == 1) || cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
		size_t put = bad ? 1 : n;

		if (o + put + 1 > outlen)
			break;
		if (bad)
			out[o] = '?';
		else
			memcpy(out + o, s + i, n);
		o += put;
		i += n;
	}
	out[o] = '\0';
	return out;
}

static const char *amount(int64_t minor, char *buf, size_t len)
{
	return money_format(minor, buf, len);
}

/* A foreign amount in its currency's minor units: "USD 20.00", "JPY 1500". */
static const char *foreign_amount(const char *cur, int64_t minor, char *buf, size_t len)
{
	int e = money_currency_exponent(cur);
	uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor, div = 1;
	char c[8];

	if (e < 0 || e > 4)
		e = 2;
	for (int i = 0; i < e; i++)
		div *= 10;
	clean(c, sizeof(c), cur);
	if (e == 0)
		snprintf(buf, len, "%s %s%" PRIu64, c, minor < 0 ? "-" : "", m);
	else
		snprintf(buf, len, "%s %s%" PRIu64 ".%0*" PRIu64, c, minor < 0 ? "-" : "", m / div,
			 e, m % div);
	return buf;
}

/* A rate in millionths as a decimal without trailing zeros (at least two places). */
static const char *rate_text(int64_t micro, char *buf, size_t len)
{
	uint64_t m = micro < 0 ? 0 : (uint64_t)micro;
	char frac[8];
	int n = 6;

	snprintf(frac, sizeof(frac), "%06" PRIu64, m % 1000000);
	while (n > 2 && frac[n - 1] == '0')
		frac[--n] = '\0';
	snprintf(buf, len, "%" PRIu64 ".%s", m / 1000000, frac);
	return buf;
}

/* "2025-06-01T10:11:12+08:00" as "2025-06-01 10:11:12"; anything else cleaned. */
static const char *date_text(const char *iso, char *buf, size_t len)
{
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	struct tm tm;
	const char *z;
	time_t t;

	clean(buf, len, iso);
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return buf;
	z = iso + n;
	if (*z == '.')
		z += 1 + strspn(z + 1, "0123456789");
	if (*z != 'Z' && !((*z == '+' || *z == '-') && sscanf(z + 1, "%2d:%2d", &oh, &om) == 2))
		return buf;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	/* the sale's instant, shown in the till's own time zone (TZ) */
	t = timegm(&tm) - (*z == '-' ? -1 : *z == '+' ? 1 : 0) * (time_t)(oh * 3600 + om * 60);
	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		clean(buf, len, iso);
	return buf;
}

/* Is cp a digit of a card number (ASCII or fullwidth, as cardnum.h reads them)? */
static bool is_digit_cp(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

/*
 * Mask the digits of buf[start, end) but the last four with '*' (a
 * fullwidth digit's three bytes become one); returns the new end.
 */
static size_t mask_span(char *buf, size_t len, size_t start, size_t end)
{
	size_t digits = 0, seen = 0, o = start, i;
	uint32_t cp;

	for (i = start; i < end;) {
		i += textwidth_decode(buf + i, end - i, &cp);
		digits += is_digit_cp(cp);
	}
	for (i = start; i < end;) {
		size_t n = textwidth_decode(buf + i, end - i, &cp);

		if (is_digit_cp(cp) && seen++ + 4 < digits) {
			buf[o++] = '*';
		} else {
			memmove(buf + o, buf + i, n);
			o += n;
		}
		i += n;
	}
	memmove(buf + o, buf + end, len - end + 1);
	return o;
}

/*
 * A tender reference as the receipt shows it: cleaned, every card number
 * in it masked but its last four digits, and at most RECEIPT_REF_CELLS
 * cells (its end, after "..").
 */
static const char *ref_text(const char *ref, char *out, size_t outlen)
{
	char buf[RECEIPT_FIELD];
	size_t len, from = 0, start, end;
	const char *p = buf;

	clean(buf, sizeof(buf), ref);
	len = strlen(buf);
	while (from < len && cardnum_has_card_number(buf + from, len - from, &start, &end)) {
		size_t o = mask_span(buf, len, from + start, from + end);

		len -= from + end - o;
		from = o;
	}
	if (textwidth(buf) <= RECEIPT_REF_CELLS) {
		snprintf(out, outlen, "%s", buf);
		return out;
	}
	while (textwidth(p) > RECEIPT_REF_CELLS - 2)
		p += textwidth_decode(p, strlen(p), &(uint32_t){ 0 });
	snprintf(out, outlen, "..%s", p);
	return out;
}

/* The tier's name in the till's language (the shipped ones are in the catalogue). */
static const char *tier_name(const char *tier)
{
	for (size_t i = 0; i < sizeof(tier_names) / sizeof(tier_names[0]); i++)
		if (strcmp(tier, tier_names[i]) == 0)
			return _(tier_names[i]);
	return tier;
}

static const char *tender_kind(Kassa__V1__TenderKind k)
{
	switch (k) {
	case KASSA__V1__TENDER_KIND__TENDER_CASH:
		return _("Cash");
	case KASSA__V1__TENDER_KIND__TENDER_CARD:
		return _("Bank card");
	case KASSA__V1__TENDER_KIND__TENDER_EWALLET:
		return _("E-wallet");
	case KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE:
		return _("Stored value");
	default:
		return _("Other");
	}
}

/* ---- the sections, top to bottom ---- */

/* Copy marker, store, codes, cashier, receipt number, date, member. */
static void layout_head(const ReceiptInfo *r, int cols, ReceiptLines *l)
{
	const Kassa__V1__Transaction *t = r->txn;
	char a[RECEIPT_FIELD], b[RECEIPT_FIELD], line[RECEIPT_LINE];

	if (r->reprint)
		add_centre(l, RS_BOLD, cols, _("*** REPRINT ***"));
	add_centre(l, RS_BIG, cols, clean(a, sizeof(a), r->store_name ? r->store_name : ""));
	snprintf(line, sizeof(line), "%s %s  %s %s", _("Store"), clean(a, sizeof(a), r->store_code),
		 _("Till"), clean(b, sizeof(b), r->till_code));
	add_wrapped(l, RS_PLAIN, cols, 0, line);
	snprintf(line, sizeof(line), "%s: %s (%" PRId64 ")", _("Cashier"),
		 clean(a, sizeof(a), r->cashier_name), r->cashier_id);
	add_wrapped(l, RS_PLAIN, cols, 0, line);
	snprintf(line, sizeof(line), "%s: %s", _("Receipt No."),
		 clean(a, sizeof(a), r->receipt_no ? r->receipt_no : t->receipt_no));
	add_wrapped(l, RS_BOLD, cols, 0, line);
	snprintf(line, sizeof(line), "%s: %s", _("Date"), date_text(t->created_at, a, sizeof(a)));
	add_wrapped(l, RS_PLAIN, cols, 0, line);
	if (r->member_name != NULL) {
		snprintf(line, sizeof(line), "%s: %s %s", _("Member"),
			 clean(a, sizeof(a), r->member_name),
			 clean(b, sizeof(b), r->member_phone_masked));
		add_wrapped(l, RS_PLAIN, cols, 0, line);
		if (r->member_tier != NULL && r->member_tier[0] != '\0') {
			snprintf(line, sizeof(line), "%s: %s", _("Tier"),
				 tier_name(clean(a, sizeof(a), r->member_tier)));
			add_wrapped(l, RS_PLAIN, cols, 0, line);
		}
	}
	add_rule(l, cols, '-');
}

/* Each line: its name, then quantity x unit price and the line total. */
static void layout_items(const ReceiptInfo *r, int cols, ReceiptLines *l)
{
	const Kassa__V1__Transaction *t = r->txn;
	char a[RECEIPT_FIELD], m1[MONEY_FMT_LEN], m2[MONEY_FMT_LEN], line[RECEIPT_LINE];

	for (size_t i = 0; i < t->n_lines; i++) {
		const Kassa__V1__TransactionLine *tl = t->lines[i];

		add_wrapped(l, RS_PLAIN, cols, 0, clean(a, sizeof(a), tl->name));
		if (tl->gift_points > 0)
			snprintf(line, sizeof(line), "  %d x %s (%" PRId64 " %s)", tl->quantity,
				 _("gift"), tl->gift_points, _("points"));
		else
			snprintf(line, sizeof(line), "  %d x %s", tl->quantity,
				 amount(tl->unit_price_minor, m1, sizeof(m1)));
		add_lr(l, RS_PLAIN, cols, line, amount(tl->line_total_minor, m2, sizeof(m2)));
	}
	add_rule(l, cols, '-');
}

/* Subtotal, tier saving, coupons, points redeemed and the total. */
static void layout_totals(const ReceiptInfo *r, int cols, ReceiptLines *l)
{
	const Kassa__V1__Transaction *t = r->txn;
	char a[RECEIPT_FIELD], m[MONEY_FMT_LEN], line[RECEIPT_LINE];

	add_lr(l, RS_PLAIN, cols, _("Subtotal"), amount(t->gross_minor, m, sizeof(m)));
	if (t->tier_saving_minor != 0) {
		snprintf(line, sizeof(line), "%s (%s)", _("Member discount"),
			 tier_name(clean(a, sizeof(a), t->tier)));
		add_lr(l, RS_PLAIN, cols, line, amount(-t->tier_saving_minor, m, sizeof(m)));
	}
	for (size_t i = 0; i < t->n_coupon_codes; i++) {
		snprintf(line, sizeof(line), "%s %s", _("Coupon"),
			 clean(a, sizeof(a), t->coupon_codes[i]));
		add_wrapped(l, RS_PLAIN, cols, 0, line);
	}
	if (t->coupon_off_minor != 0)
		add_lr(l, RS_PLAIN, cols, _("Coupon discount"),
		       amount(-t->coupon_off_minor, m, sizeof(m)));
	if (t->points_redeemed != 0) {
		snprintf(line, sizeof(line), "%s: %" PRId64, _("Points redeemed"),
			 t->points_redeemed);
		add_lr(l, RS_PLAIN, cols, line, amount(-t->points_value_minor, m, sizeof(m)));
	}
	if (t->gift_points != 0) {
		snprintf(line, sizeof(line), "%s: %" PRId64, _("Points for gifts"), t->gift_points);
		add_wrapped(l, RS_PLAIN, cols, 0, line);
	}
	snprintf(line, sizeof(line), "%s %s", _("Total"),
		 clean(a, sizeof(a), r->currency ? r->currency : t->currency));
	add_lr(l, RS_BIG, cols, line, amount(t->total_minor, m, sizeof(m)));
	add_rule(l, cols, '-');
}

/* Each tender (kind, reference, foreign amount and rate), tendered, change. */
static void layout_tenders(const ReceiptInfo *r, int cols, ReceiptLines *l)
{
	const Kassa__V1__Transaction *t = r->txn;
	char ref[RECEIPT_FIELD], f[64], rate[32], m[MONEY_FMT_LEN], line[RECEIPT_LINE];

	for (size_t i = 0; i < t->n_tenders; i++) {
		const Kassa__V1__TenderRecord *tr = t->tenders[i];

		ref_text(tr->reference, ref, sizeof(ref));
		snprintf(line, sizeof(line), "%s%s%s", tender_kind(tr->kind), ref[0] ? " " : "",
			 ref);
		add_lr(l, RS_PLAIN, cols, line, amount(tr->amount_minor, m, sizeof(m)));
		if (tr->currency != NULL && tr->currency[0] != '\0') {
			snprintf(line, sizeof(line), "  %s @ %s", foreign_amount(tr->currency,
				 tr->foreign_minor, f, sizeof(f)), rate_text(tr->rate_micro, rate,
				 sizeof(rate)));
			add_wrapped(l, RS_PLAIN, cols, 0, line);
		}
	}
	add_lr(l, RS_PLAIN, cols, _("Tendered"), amount(t->tendered_minor, m, sizeof(m)));
	add_lr(l, RS_BOLD, cols, _("Change"), amount(t->change_minor, m, sizeof(m)));
}

/* The member's points and stored value; the offline note; thanks. */
static void layout_member(const ReceiptInfo *r, int cols, ReceiptLines *l)
{
	const Kassa__V1__Transaction *t = r->txn;
	char n[32], m[MONEY_FMT_LEN];

	if (r->member_name != NULL && !r->offline) {
		add_rule(l, cols, '-');
		snprintf(n, sizeof(n), "%" PRId64, t->points_earned);
		add_lr(l, RS_PLAIN, cols, _("Points earned"), n);
		snprintf(n, sizeof(n), "%" PRId64, t->points_balance);
		add_lr(l, RS_PLAIN, cols, _("Points balance"), n);
		if (t->stored_value_paid_minor != 0)
			add_lr(l, RS_PLAIN, cols, _("Stored value paid"),
			       amount(t->stored_value_paid_minor, m, sizeof(m)));
		if (t->stored_value_paid_minor != 0 || t->stored_value_balance_minor != 0)
			add_lr(l, RS_PLAIN, cols, _("Stored value balance"),
			       amount(t->stored_value_balance_minor, m, sizeof(m)));
	}
	if (r->offline) {
		add_rule(l, cols, '-');
		add_wrapped(l, RS_BOLD, cols, 0, _("Sold offline."));
		if (r->member_name != NULL)
			add_wrapped(l, RS_PLAIN, cols, 0,
				    _("Points are added when the till is synchronised."));
	}
	add(l, RS_PLAIN, "");
	add_centre(l, RS_PLAIN, cols, _("Thank you for shopping with us"));
	if (r->reprint)
		add_centre(l, RS_BOLD, cols, _("*** REPRINT ***"));
}

bool receipt_layout(const ReceiptInfo *r, int columns, ReceiptLines *out)
{
	if (r == NULL || r->txn == NULL)
		return false;
	if (columns < RECEIPT_MIN_COLUMNS)
		columns = RECEIPT_MIN_COLUMNS;
	if (columns > RECEIPT_LINE / 4 - 8)
		columns = RECEIPT_LINE / 4 - 8;
	layout_head(r, columns, out);
	layout_items(r, columns, out);
	layout_totals(r, columns, out);
	layout_tenders(r, columns, out);
	layout_member(r, columns, out);
	if (out->oom) {
		receipt_lines_free(out);
		return false;
	}
	return true;
}

char *receipt_text(const ReceiptInfo *r, int columns)
{
	ReceiptLines l = { 0 };
	size_t len = 0, o = 0;
	char *text;

	if (!receipt_layout(r, columns, &l))
		return NULL;
	for (size_t i = 0; i < l.n; i++)
		len += strlen(l.v[i].text) + 1;
	text = malloc(len + 1);
	if (text != NULL) {
		for (size_t i = 0; i < l.n; i++) {
			size_t n = strlen(l.v[i].text);

			/* a blank line stays empty rather than a run of spaces */
			memcpy(text + o, l.v[i].text, n);
			o += n;
			while (o > 0 && n > 0 && text[o - 1] == ' ')
				o--, n--;
			text[o++] = '\n';
		}
		text[o] = '\0';
	}
	receipt_lines_free(&l);
	return text;
}
