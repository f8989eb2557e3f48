/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pay_screen: taking the money. The cashier types an amount (or nothing:
 * what is still due) and presses the tender's key: cash (change shown),
 * bank card or e-wallet (then their terminal reference), stored value,
 * foreign cash or card (currency and foreign amount in that currency's
 * decimals, converted at the server's current rate, fetched into the
 * cache when online, else the cached one; change is always in the store
 * currency). Points to spend and coupon or claim codes change what is
 * due: online the server prices the sale again (a Checkout quote) after
 * each change, and a code or a number of points it refuses is taken back
 * with its reason, so the sale stays as it was. v voids a tender. Enter
 * on an empty input finishes the sale through till_finish() (online a
 * Checkout, offline the journal), keeps the receipt through
 * receipt_save() (the files in --receipt-dir and ESC/POS to --printer,
 * as script mode does) and asks for the customer's rating (1-5, optional
 * comment; Enter skips).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "money.h"
#include "receipt.h"
#include "scr.h"

static const ScrHelp pay_help[] = {
	{ 2, 'c', N_("Cash") },
	{ 3, 'k', N_("Card") },
	{ 4, 'w', N_("E-wallet") },
	{ 5, 's', N_("Stored value") },
	{ 6, 'p', N_("Points") },
	{ 7, 'o', N_("Coupon") },
	{ 8, 'f', N_("Foreign cash") },
	{ 9, 'g', N_("Foreign card") },
	{ 10, 'v', N_("Void tender") },
	{ 12, 'e', N_("Finish") },
	{ 0, 0, N_("Esc back") },
};

/* What the screen knows of the price. */
typedef struct PayCtx {
	Kassa__V1__Response *quote;	/* owned: the server's pricing (online); NULL = none */
	int64_t due;			/* what the tenders must cover */
} PayCtx;

/* ---- pricing ---- */

/* Ask the server to price the sale; false (message set) when it refuses. */
static bool requote(Screen *sc, PayCtx *pc)
{
	Kassa__V1__Response *resp = NULL;
	bool ok;

	if (!sale_total(&sc->sale, &pc->due))
		pc->due = 0;
	if (!sc->ts->online) {
		kc_response_free(pc->quote);
		pc->quote = NULL;
		return true;
	}
	ok = scr_answered(sc, till_quote(sc->ts, &sc->sale, &resp), &resp);
	if (!ok)
		return strcmp(sc->detail, "OFFLINE") == 0;
	if (resp->body_case != KASSA__V1__RESPONSE__BODY_TRANSACTION) {
		kc_response_free(resp);
		return true;
	}
	kc_response_free(pc->quote);
	pc->quote = resp;
	pc->due = resp->transaction->total_minor;
	return true;
}

static int64_t tendered(const Sale *s)
{
	int64_t t;

	return sale_tendered(s, &t) ? t : 0;
}

static int64_t remaining(const Screen *sc, const PayCtx *pc)
{
	int64_t t = tendered(&sc->sale);

	return t >= pc->due ? 0 : pc->due - t;
}

/* ---- drawing ---- */

static void money_row(int row, const char *label, int64_t minor, bool bold)
{
	char a[24];

	if (bold)
		attron(A_BOLD);
	scr_put(row, 2, label, 30);
	scr_put_right(row, 32, scr_money(minor, a, sizeof(a)), 14);
	attroff(A_BOLD);
}

/* minor units of currency as "50.25" ("5000" for yen, "1.5" for 1.500 dinars) into buf. */
static const char *foreign_text(const char *currency, int64_t minor, char *buf, size_t len)
{
	int exp = sale_currency_exponent(currency);
	int64_t micro = minor;

	if (exp == 2 || exp < 0 || exp > 6)
		return scr_money(minor, buf, len);
	for (int i = exp; i < 6; i++)
		if (!money_mul(micro, 10, &micro))
			return scr_money(minor, buf, len);
	return money_format_rate(micro, buf, len);
}

static void tender_rows(const Sale *s, int row, int bottom)
{
	char a[24], b[MONEY_RATE_FMT_LEN], rate[MONEY_RATE_FMT_LEN], line[256];
	size_t i;

	for (i = 0; i < s->n_tenders && row < bottom; i++, row++) {
		const SaleTender *t = &s->tenders[i];

		if (t->currency[0] != '\0')
			snprintf(line, sizeof(line), "%zu %s %s %s @ %s %s", i + 1,
				 scr_tender_name(t->kind), t->currency,
				 foreign_text(t->currency, t->foreign_minor, b, sizeof(b)),
				 money_format_rate(t->rate_micro, rate, sizeof(rate)),
				 t->reference);
		else
			snprintf(line, sizeof(line), "%zu %s %s", i + 1, scr_tender_name(t->kind),
				 t->reference);
		scr_put(row, 4, line, 28);
		scr_put_right(row, 32, scr_money(t->amount_minor, a, sizeof(a)), 14);
	}
}

static void pay_body(Screen *sc, void *ctx, int top, int bottom)
{
	PayCtx *pc = ctx;
	const Kassa__V1__Transaction *q = pc->quote != NULL ? pc->quote->transaction : NULL;
	int64_t sum = tendered(&sc->sale), total;
	char line[256];
	int row = top + 1;

	member_summary(&sc->sale, line, sizeof(line));
	scr_put(top, 0, line, COLS);
	if (!sale_total(&sc->sale, &total))
		total = 0;
	money_row(row++, _("Subtotal"), q != NULL ? q->gross_minor : total, false);
	if (q != NULL && q->tier_saving_minor != 0)
		money_row(row++, _("Tier discount"), -q->tier_saving_minor, false);
	if (q != NULL && q->coupon_off_minor != 0)
		money_row(row++, _("Coupons"), -q->coupon_off_minor, false);
	if (q != NULL && q->points_value_minor != 0)
		money_row(row++, _("Points"), -q->points_value_minor, false);
	money_row(row++, _("Total"), pc->due, true);
	if (!sc->ts->online)
		scr_put(row++, 2, _("(offline: list prices; the server prices the sale when it is sent)"),
			COLS - 4);
	scr_put(row++, 2, _("Tenders:"), 30);
	tender_rows(&sc->sale, row, bottom - 2);
	row += (int)sc->sale.n_tenders;
	if (row > bottom - 2)
		row = bottom - 2;
	money_row(row++, _("Tendered"), sum, false);
	if (sum >= pc->due)
		money_row(row, _("Change"), sum - pc->due, true);
	else
		money_row(row, _("Still due"), pc->due - sum, true);
}

/* ---- tenders ---- */

/* The amount typed, or the default when nothing was typed; false = message set. */
static bool amount_of(Screen *sc, const char *typed, int64_t dflt, int64_t *amount)
{
	if (*typed == '\0') {
		*amount = dflt;
		if (dflt <= 0) {
			scr_msg(sc, true, "%s", _("Nothing is due: Enter finishes the sale"));
			return false;
		}
		return true;
	}
	if (!scr_parse_money(typed, amount) || *amount <= 0) {
		scr_msg(sc, true, _("Not an amount: %s"), typed);
		return false;
	}
	return true;
}

static void take(Screen *sc, PayCtx *pc, Kassa__V1__TenderKind kind, const char *typed)
{
	int64_t rest = remaining(sc, pc), amount;
	char ref[64] = "", a[24];
	SaleError e;

	if (kind == KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE) {
		if (sc->sale.member == NULL) {
			scr_msg(sc, true, "%s", _("Stored value needs a member (F2 on the sale screen)"));
			return;
		}
		if (rest > sc->sale.member->stored_value_minor)
			rest = sc->sale.member->stored_value_minor;
	}
	if (!amount_of(sc, typed, rest, &amount))
		return;
	if (kind != KASSA__V1__TENDER_KIND__TENDER_CASH && amount > remaining(sc, pc)) {
		scr_msg(sc, true, _("Only cash can be more than what is due (%s)"),
			scr_money(remaining(sc, pc), a, sizeof(a)));
		return;
	}
	if ((kind == KASSA__V1__TENDER_KIND__TENDER_CARD ||
	     kind == KASSA__V1__TENDER_KIND__TENDER_EWALLET) &&
	    !scr_prompt(sc, pay_body, pc, _("Terminal reference:"), NULL, 0, ref, sizeof(ref)))
		return;
	e = sale_pay(&sc->sale, kind, amount, ref);
	if (e != SALE_OK)
		scr_msg(sc, true, "%s", sale_error_message(e));
	else
		scr_msg(sc, false, "%s %s", scr_tender_name(kind), scr_money(amount, a, sizeof(a)));
}

/* The cached rate of currency; false when there is none. */
static bool rate_of(Screen *sc, const char *currency, int64_t *micro, int32_t *version)
{
	const Kassa__V1__RateTable *rt = sc->ts->cache != NULL ? sc->ts->cache->rates : NULL;
	size_t i;

	for (i = 0; rt != NULL && i < rt->n_rates; i++)
		if (strcmp(rt->rates[i]->currency, currency) == 0) {
			*micro = rt->rates[i]->rate_micro;
			*version = rt->version;
			return true;
		}
	return false;
}

/*
 * Online, the server's current rate table into the cache first, so a rate
 * the office set since the till started is the one used (a tender at an
 * older version is refused as RATE_STALE); offline, the cached table.
 */
static void refresh_rates(Screen *sc)
{
	Kassa__V1__Response *resp = NULL;
	KcReq r;

	if (!sc->ts->online || sc->ts->cache == NULL)
		return;
	kc_req_rates_get(&r);
	if (!scr_call(sc, &r.req, &resp))
		return;
	if (resp->body_case == KASSA__V1__RESPONSE__BODY_RATE_TABLE)
		cache_set_rates(sc->ts->cache, resp->rate_table);
	kc_response_free(resp);
}

/*
 * An amount of currency as typed ("50", "50.25"; "5000" for yen) in its
 * minor units, read as millionths by money_parse_rate() (integers only)
 * and refused with more decimals than the currency has.
 */
static bool foreign_parse(const char *currency, const char *typed, int64_t *minor)
{
	int exp = sale_currency_exponent(currency);
	int64_t micro, unit = MONEY_RATE_SCALE;

	if (exp < 0 || exp > 6 || !money_parse_rate(typed, &micro))
		return false;
	for (int i = 0; i < exp; i++)
		unit /= 10;
	if (micro % unit != 0)
		return false;
	*minor = micro / unit;
	return true;
}

static void take_foreign(Screen *sc, PayCtx *pc, Kassa__V1__TenderKind kind)
{
	const Kassa__V1__RateTable *rt;
	char cur[8], amt[32], ref[64] = "", prompt[96], a[24];
	int64_t micro, foreign;
	int32_t version;
	SaleError e;

	refresh_rates(sc);
	rt = sc->ts->cache != NULL ? sc->ts->cache->rates : NULL;
	if (!scr_prompt(sc, pay_body, pc, _("Currency:"),
			rt != NULL && rt->n_rates > 0 ? rt->rates[0]->currency : "USD", 0, cur,
			sizeof(cur)))
		return;
	for (char *p = cur; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (!rate_of(sc, cur, &micro, &version)) {
		scr_msg(sc, true, _("No exchange rate for %s"), cur);
		return;
	}
	snprintf(prompt, sizeof(prompt), _("Amount in %s:"), cur);
	if (!scr_prompt(sc, pay_body, pc, prompt, NULL, SCR_NUMERIC, amt, sizeof(amt)))
		return;
	if (!foreign_parse(cur, amt, &foreign)) {
		scr_msg(sc, true, _("Not an amount: %s"), amt);
		return;
	}
	if (kind == KASSA__V1__TENDER_KIND__TENDER_CARD &&
	    !scr_prompt(sc, pay_body, pc, _("Terminal reference:"), NULL, 0, ref, sizeof(ref)))
		return;
	e = sale_pay_foreign(&sc->sale, kind, cur, foreign, version, micro, ref);
	if (e != SALE_OK)
		scr_msg(sc, true, "%s", sale_error_message(e));
	else
		scr_msg(sc, false, "%s %s = %s", cur, amt,
			scr_money(sc->sale.tenders[sc->sale.n_tenders - 1].amount_minor, a, sizeof(a)));
}

static void void_tender(Screen *sc, PayCtx *pc, const char *typed)
{
	int64_t n = (int64_t)sc->sale.n_tenders;
	SaleError e;

	(void)pc;
	if (*typed != '\0' && !scr_parse_int(typed, 1, SALE_MAX_TENDERS, &n)) {
		scr_msg(sc, true, _("No tender %s"), typed);
		return;
	}
	e = sale_void_tender(&sc->sale, (size_t)n);
	if (e != SALE_OK)
		scr_msg(sc, true, "%s", sale_error_message(e));
	else
		scr_msg(sc, false, _("Tender %lld voided"), (long long)n);
}

/* Points (p) and coupons (o): change the price, undone when the server refuses. */
static void points(Screen *sc, PayCtx *pc, const char *typed)
{
	int64_t pts, before = sc->sale.points_redeem;
	char in[SCR_FIELD_LEN];

	if (sc->sale.member == NULL) {
		scr_msg(sc, true, "%s", _("Points need a member (F2 on the sale screen)"));
		return;
	}
	if (*typed != '\0')
		snprintf(in, sizeof(in), "%s", typed);
	else if (!scr_prompt(sc, pay_body, pc, _("Points to spend:"), NULL, SCR_NUMERIC, in,
			     sizeof(in)))
		return;
	if (!scr_parse_int(in, 0, INT64_MAX / 2, &pts) || sale_redeem(&sc->sale, pts) != SALE_OK) {
		scr_msg(sc, true, _("Not a number of points: %s"), in);
		return;
	}
	if (!requote(sc, pc)) {
		(void)sale_redeem(&sc->sale, before);
		(void)requote(sc, pc);
		return;
	}
	scr_msg(sc, false, _("%lld points spent"), (long long)pts);
}

static void coupon(Screen *sc, PayCtx *pc)
{
	char code[SALE_CODE_MAX + 8], why[SCR_MSG_LEN];
	SaleError e;

	if (!scr_prompt(sc, pay_body, pc, _("Coupon or claim code:"), NULL, 0, code, sizeof(code)))
		return;
	e = sale_coupon(&sc->sale, code);
	if (e != SALE_OK) {
		scr_msg(sc, true, "%s", sale_error_message(e));
		return;
	}
	if (!requote(sc, pc)) {
		snprintf(why, sizeof(why), "%s", sc->msg);
		(void)sale_uncoupon(&sc->sale, code);
		(void)requote(sc, pc);
		scr_msg(sc, true, "%s: %s", code, why);
		return;
	}
	scr_msg(sc, false, _("Code %s applied"), code);
}

/* ---- finishing: receipt and feedback ---- */

/* The receipt text of the last sale (malloc'd); reprint marks it a copy. */
static char *last_receipt(Screen *sc, bool reprint)
{
	ReceiptInfo r;

	till_receipt_info(sc->ts, &sc->last.fin, reprint, &r);
	return receipt_text(&r, RECEIPT_COLUMNS);
}

/*
 * Keep the last sale's receipt (till_receipt_save(): files in
 * --receipt-dir, ESC/POS to --printer), the same as script mode writes.
 */
static void print_receipt(Screen *sc, bool copy)
{
	char err[SCR_MSG_LEN];

	if (!till_receipt_save(sc->ts, &sc->last.fin, copy, err, sizeof(err)))
		scr_msg(sc, true, "%s", err);
}

void pay_reprint(Screen *sc)
{
	char *text = last_receipt(sc, true);

	if (text == NULL)
		return;
	print_receipt(sc, true);
	scr_view(sc, _("Receipt (copy)"), text);
	free(text);
}

/* The result panel while the rating is asked: change in large, the receipt number. */
static void done_body(Screen *sc, void *ctx, int top, int bottom)
{
	const Kassa__V1__Transaction *t = sc->last.fin.txn;
	char line[256];
	int row = top + 1;

	(void)ctx;
	(void)bottom;
	snprintf(line, sizeof(line), "%s %s%s", _("Receipt"), sc->last.fin.receipt_no,
		 sc->last.fin.offline ? _(" (offline, to be sent)") : "");
	scr_put(row++, 2, line, COLS - 4);
	if (t == NULL)
		return;
	money_row(row++, _("Total"), t->total_minor, false);
	money_row(row++, _("Tendered"), t->tendered_minor, false);
	money_row(row++, _("Change"), t->change_minor, true);
	if (t->member_id != 0) {
		snprintf(line, sizeof(line), _("Points earned %lld, balance %lld"),
			 (long long)t->points_earned, (long long)t->points_balance);
		scr_put(row++, 2, line, COLS - 4);
	}
}

/* Ask the customer's rating and comment; Enter on the rating skips. */
static void feedback(Screen *sc)
{
	static const ScrHelp help[] = {
		{ 0, 0, N_("1-5 and Enter records the rating") },
		{ 0, 0, N_("Enter alone skips") },
	};
	char in[16], comment[256] = "", why[SCR_MSG_LEN] = "";
	const char *detail = NULL;
	TillFeedbackResult fb;
	int64_t rating;

	scr_enter(sc, _("Sale finished"), help, ARRAY_SIZE(help));
	for (;;) {
		if (!scr_prompt(sc, done_body, NULL, _("Customer's rating 1-5 (Enter skips):"), NULL,
				SCR_NUMERIC, in, sizeof(in)) || in[0] == '\0')
			return;
		if (scr_parse_int(in, 1, 5, &rating))
			break;
		scr_msg(sc, true, _("A rating is 1 to 5, not %s"), in);
	}
	if (!scr_prompt(sc, done_body, NULL, _("Comment (optional):"), NULL, 0, comment,
			sizeof(comment)))
		comment[0] = '\0';
	/* online, or journaled after an offline sale (till_feedback()) */
	if (!till_feedback(sc->ts, sc->last.fin.receipt_no,
			   sc->last.fin.txn != NULL ? sc->last.fin.txn->txn_id : 0, (int32_t)rating,
			   comment, &fb, &detail, why, sizeof(why)))
		scr_msg(sc, true, "%s", scr_detail_message(detail, why));
	else if (fb.offline)
		scr_msg(sc, false, _("Thank you: rating %lld kept, sent with the offline sales"),
			(long long)rating);
	else
		scr_msg(sc, false, _("Thank you: rating %lld recorded"), (long long)rating);
}

/* Finish the sale; true when it is finished. */
static bool finish(Screen *sc, PayCtx *pc)
{
	TillFinish fin;
	const char *detail = NULL;
	char why[SCR_MSG_LEN] = "", a[24];

	if (tendered(&sc->sale) < pc->due) {
		scr_msg(sc, true, _("Still due %s"), scr_money(remaining(sc, pc), a, sizeof(a)));
		return false;
	}
	memset(&fin, 0, sizeof(fin));
	if (sc->last.have) {
		till_finish_free(&sc->last.fin);
		sc->last.have = false;
	}
	free(sc->last.receipt);
	sc->last.receipt = NULL;
	if (!till_finish(sc->ts, &sc->sale, &fin, &detail, why, sizeof(why))) {
		scr_msg(sc, true, "%s", scr_detail_message(detail, why));
		(void)requote(sc, pc);
		return false;
	}
	sc->last.fin = fin;
	sc->last.have = true;
	sc->last.receipt = last_receipt(sc, false);
	sc->msg[0] = '\0';
	if (sc->last.receipt != NULL)
		print_receipt(sc, false);
	if (fin.txn != NULL && sc->msg[0] == '\0')
		scr_msg(sc, false, "%s %s  %s %s", _("Change"),
			scr_money(fin.txn->change_minor, a, sizeof(a)), _("Receipt"), fin.receipt_no);
	feedback(sc);
	return true;
}

/* One key on the pay screen with the typed text; true when the sale finished. */
static bool pay_key(Screen *sc, PayCtx *pc, int k, const char *typed)
{
	if (k == SK_F(2))
		take(sc, pc, KASSA__V1__TENDER_KIND__TENDER_CASH, typed);
	else if (k == SK_F(3))
		take(sc, pc, KASSA__V1__TENDER_KIND__TENDER_CARD, typed);
	else if (k == SK_F(4))
		take(sc, pc, KASSA__V1__TENDER_KIND__TENDER_EWALLET, typed);
	else if (k == SK_F(5))
		take(sc, pc, KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE, typed);
	else if (k == SK_F(6))
		points(sc, pc, typed);
	else if (k == SK_F(7))
		coupon(sc, pc);
	else if (k == SK_F(8))
		take_foreign(sc, pc, KASSA__V1__TENDER_KIND__TENDER_CASH);
	else if (k == SK_F(9))
		take_foreign(sc, pc, KASSA__V1__TENDER_KIND__TENDER_CARD);
	else if (k == SK_F(10))
		void_tender(sc, pc, typed);
	else if (k == SK_F(12) || k == SK_ENTER)
		return finish(sc, pc);
	return false;
}

bool pay_screen_run(Screen *sc)
{
	PayCtx pc;
	ScrField f;
	bool done = false;

	memset(&pc, 0, sizeof(pc));
	memset(&f, 0, sizeof(f));
	f.numeric = true;
	(void)requote(sc, &pc);
	for (;;) {
		int k;

		scr_enter(sc, _("Payment"), pay_help, ARRAY_SIZE(pay_help));
		sc->prompt = _("Amount:");
		sc->field = &f;
		scr_draw(sc, pay_body, &pc);
		k = scr_getkey(sc);
		sc->field = NULL;
		if (k == SK_ESC) {
			if (f.len == 0)
				break;
			scr_field_clear(&f);
		} else if ((k <= SK_F(1) && k >= SK_F(12)) || k == SK_ENTER) {
			char typed[SCR_FIELD_LEN];

			memcpy(typed, f.buf, f.len + 1);
			scr_field_clear(&f);
			if (k == SK_ENTER && typed[0] != '\0') {
				scr_msg(sc, true, "%s", _("Then press a tender key: c cash, k card, ..."));
				snprintf(f.buf, sizeof(f.buf), "%s", typed);
				f.len = strlen(f.buf);
				continue;
			}
			if (pay_key(sc, &pc, k, typed)) {
				done = true;
				break;
			}
		} else if (k != SK_TICK) {
			(void)scr_edit(&f, k);
		}
	}
	kc_response_free(pc.quote);
	sc->field = NULL;
	return done;
}
