/* SPDX-License-Identifier: Apache-2.0 */
/*
 * member_screen: finding the customer's membership and attaching it to
 * the open sale. One input takes a phone number (any usual notation), a
 * card number or the payload the member's QR code gave the scanner: what
 * looks like a phone is looked up as one (and refused as "not a valid
 * phone number" when it is not one), anything else as a card number and
 * then as a QR payload. The panel shows name, masked phone, card, tier
 * and its discount, points (and how many are usable), stored value, the
 * coupons usable today, a birthday flag, the member's portrait from head
 * office's analytics (class, average basket, favourite categories, usual
 * store and hour, visit interval; only once the member has one), the
 * last purchases and the server's suggestions for the cashier. F3 registers a new member with
 * phone and name only (the rest can be filled in later at the office).
 *
 * Offline the server cannot be asked: a phone number is attached as
 * such (sale_set_member_phone()) and the server finds the member, and
 * awards the points, when the sale is replayed.
 */
#include <stdio.h>
#include <string.h>

#include "phone.h"
#include "scr.h"
#include "textwidth.h"

#define MEMBER_RECO_SHOWN 3	/* suggestions on the panel */
#define MEMBER_RECO_NAME 24	/* display cells of a name */

static const ScrHelp member_help[] = {
	{ 2, SK_CTRL('e'), N_("Find") },
	{ 3, SK_CTRL('n'), N_("Register") },
	{ 4, SK_CTRL('d'), N_("Detach") },
	{ 5, SK_CTRL('p'), N_("Attach") },
	{ 0, 0, N_("Esc back") },
};

/* The member found, shown until attached or another is looked up. */
typedef struct MemberCtx {
	Kassa__V1__Response *resp;	/* owned: carries the Member shown; NULL = none */
	char phone[PHONE_MAX];		/* the last phone not found, for F3 */
} MemberCtx;

void member_summary(const Sale *s, char *buf, size_t len)
{
	const Kassa__V1__Member *m = s->member;
	char a[24];

	if (m != NULL)
		snprintf(buf, len, "%s: %s %s | %s | %s %lld | %s %s", _("Member"), m->name,
			 m->phone_masked, _(m->tier), _("Points"), (long long)m->points_balance,
			 _("Stored value"), scr_money(m->stored_value_minor, a, sizeof(a)));
	else if (s->member_phone[0] != '\0')
		snprintf(buf, len, "%s: %s (%s)", _("Member"), s->member_phone,
			 _("by phone, offline"));
	else
		snprintf(buf, len, "%s: -", _("Member"));
}

/* Coupons and purchases, below the member's balances. */
/*
 * The first MEMBER_RECO_SHOWN products the recommendations job suggests
 * for the member, at row (advanced): their names in one column of
 * MEMBER_RECO_NAME display cells (CJK names take two each), then the sku.
 */
static void member_recommendations(const Kassa__V1__Member *m, int *row, int bottom)
{
	char name[MEMBER_RECO_NAME * 4 + 1], line[256];

	if (m->n_recommendations == 0 || *row >= bottom)
		return;
	scr_put((*row)++, 2, _("Recommend:"), COLS - 4);
	for (size_t i = 0; i < m->n_recommendations && i < MEMBER_RECO_SHOWN && *row < bottom;
	     i++) {
		textwidth_pad(name, sizeof(name), m->recommendations[i]->name, MEMBER_RECO_NAME,
			      TEXT_LEFT);
		snprintf(line, sizeof(line), "  %zu. %s  %s", i + 1, name,
			 m->recommendations[i]->sku);
		scr_put((*row)++, 2, line, COLS - 4);
	}
}

static void member_lists(const Kassa__V1__Member *m, int row, int bottom)
{
	char a[24], line[256];
	size_t i;

	scr_put(row++, 2, _("Coupons usable today:"), COLS - 4);
	for (i = 0; i < m->n_coupons && row < bottom; i++) {
		/* a coupon without an end date says nothing about one */
		if (m->coupons[i]->valid_to[0] != '\0')
			snprintf(line, sizeof(line), "  %s  %s  %s %s", m->coupons[i]->code,
				 m->coupons[i]->name, _("until"), m->coupons[i]->valid_to);
		else
			snprintf(line, sizeof(line), "  %s  %s", m->coupons[i]->code,
				 m->coupons[i]->name);
		scr_put(row++, 2, line, COLS - 4);
	}
	if (m->n_coupons == 0 && row < bottom)
		scr_put(row++, 2, _("  none"), COLS - 4);
	if (row < bottom)
		scr_put(row++, 2, _("Last purchases:"), COLS - 4);
	for (i = 0; i < m->n_recent && row < bottom; i++) {
		const Kassa__V1__PurchaseSummary *p = m->recent[i];

		snprintf(line, sizeof(line), "  %.10s  %s  %s  %s %d", p->created_at, p->receipt_no,
			 scr_money(p->total_minor, a, sizeof(a)), _("items"), p->items);
		scr_put(row++, 2, line, COLS - 4);
	}
	for (i = 0; i < m->n_suggestions && row < bottom; i++) {
		snprintf(line, sizeof(line), "%s %s", _("Suggestion:"), m->suggestions[i]);
		scr_put(row++, 2, line, COLS - 4);
	}
	member_recommendations(m, &row, bottom);
}

/* The RFM class as the cashier reads it ("" for none or one this till does not know). */
static const char *class_text(const char *cls)
{
	static const struct {
		const char *key, *text;
	} classes[] = {
		{ "new", N_("new customer") },
		{ "active", N_("active") },
		{ "high_value", N_("high value") },
		{ "at_risk", N_("at risk") },
		{ "lost", N_("lost") },
	};

	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (strcmp(cls, classes[i].key) == 0)
			return _(classes[i].text);
	return "";
}

/*
 * The portrait in two lines at row (advanced): class, average basket and
 * favourite categories; usual store and hour, visit interval. Nothing for
 * a member the analytics job has not seen buy yet.
 */
static void member_portrait(const Kassa__V1__Member *m, int *row, int bottom)
{
	const Kassa__V1__Portrait *p = m->portrait;
	const char *cls = m->rfm != NULL ? class_text(m->rfm->class_) : "";
	char a[24], cats[96] = "", line[256], where[128], every[64];
	int n;

	if (p == NULL || (p->visits == 0 && cls[0] == '\0') || *row >= bottom)
		return;
	for (size_t i = 0; i < p->n_favourite_categories; i++)
		snprintf(cats + strlen(cats), sizeof(cats) - strlen(cats), "%s%s", i ? ", " : "",
			 p->favourite_categories[i]);
	n = snprintf(line, sizeof(line), "%s %s   %s %s", _("Class:"), cls[0] ? cls : "-",
		     _("Avg basket"), scr_money(p->avg_basket_minor, a, sizeof(a)));
	if (cats[0] != '\0' && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "   %s %s", _("Likes:"), cats);
	scr_put((*row)++, 2, line, COLS - 4);
	if (*row >= bottom || (p->usual_store[0] == '\0' && p->visit_interval_days <= 0))
		return;
	where[0] = every[0] = '\0';
	if (p->usual_store[0] != '\0' && p->usual_hour >= 0)
		snprintf(where, sizeof(where), _("Usually at %s around %02d:00"), p->usual_store,
			 p->usual_hour);
	else if (p->usual_store[0] != '\0')
		snprintf(where, sizeof(where), _("Usually at %s"), p->usual_store);
	if (p->visit_interval_days > 0)
		snprintf(every, sizeof(every), _("visits every %d days"), p->visit_interval_days);
	snprintf(line, sizeof(line), "%s%s%s", where, where[0] && every[0] ? "   " : "", every);
	scr_put((*row)++, 2, line, COLS - 4);
}

static void member_body(Screen *sc, void *ctx, int top, int bottom)
{
	MemberCtx *mc = ctx;
	const Kassa__V1__Member *m = mc->resp != NULL ? mc->resp->member : NULL;
	char a[24], line[256];
	int row = top + 1;

	member_summary(&sc->sale, line, sizeof(line));
	scr_put(top, 0, line, COLS);
	if (m == NULL) {
		scr_put(top + 2, 2, _("Type or scan the phone number, card number or QR code."),
			COLS - 4);
		return;
	}
	row++;
	attron(A_BOLD);
	snprintf(line, sizeof(line), "%s  %s  %s %s", m->name, m->phone_masked, _("Card"), m->card_no);
	scr_put(row++, 2, line, COLS - 4);
	attroff(A_BOLD);
	snprintf(line, sizeof(line), "%s %s (%d.%d%% %s)", _("Tier"), _(m->tier),
		 m->tier_discount_bp / 100, (m->tier_discount_bp % 100) / 10, _("off"));
	scr_put(row++, 2, line, COLS - 4);
	snprintf(line, sizeof(line), _("Points %lld (usable now %lld)   Stored value %s"),
		 (long long)m->points_balance, (long long)m->points_redeemable,
		 scr_money(m->stored_value_minor, a, sizeof(a)));
	scr_put(row++, 2, line, COLS - 4);
	if (m->birthday_today) {
		attron(A_BOLD | A_REVERSE);
		scr_put(row++, 2, _("Birthday today!"), scr_width(_("Birthday today!")));
		attroff(A_BOLD | A_REVERSE);
	}
	member_portrait(m, &row, bottom);
	member_lists(m, row, bottom);
}

/* True when s looks like a phone number: digits, '+', ' ', '-', '(' and ')'. */
static bool looks_like_phone(const char *s)
{
	int digits = 0;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (strchr("+ -()", *s) == NULL)
			return false;
	}
	return digits > 0;
}

/* Ask the server for a member with r (a kc_req_member_get_by_*()); true with mc->resp set. */
static bool member_get(Screen *sc, MemberCtx *mc, KcReq *r)
{
	Kassa__V1__Response *resp = NULL;

	if (!scr_call(sc, &r->req, &resp))
		return false;
	if (resp->body_case != KASSA__V1__RESPONSE__BODY_MEMBER) {
		kc_response_free(resp);
		scr_msg(sc, true, "%s", _("The server's answer had no member"));
		return false;
	}
	kc_response_free(mc->resp);
	mc->resp = resp;
	scr_msg(sc, false, "%s", _("Member found: Enter or F5 attaches"));
	return true;
}

/* Offline: attach by phone, for the server to find at replay. */
static void attach_phone(Screen *sc, const char *phone)
{
	SaleError e;

	if (!sc->sale.open)
		(void)sale_begin(&sc->sale);
	e = sale_set_member_phone(&sc->sale, phone);
	if (e != SALE_OK)
		scr_msg(sc, true, "%s", sale_error_message(e));
	else
		scr_msg(sc, false, "%s", _("Offline: member attached by phone; points come when the sale is sent"));
}

static void find(Screen *sc, MemberCtx *mc, const char *in)
{
	char e164[PHONE_MAX];
	KcReq r;

	if (*in == '\0')
		return;
	if (looks_like_phone(in)) {
		if (!phone_normalize(in, e164, sizeof(e164))) {
			scr_msg(sc, true, _("Not a valid phone number: %s"), in);
			return;
		}
		if (!till_online(sc->ts)) {
			attach_phone(sc, e164);
			return;
		}
		kc_req_member_get_by_phone(&r, e164);
		if (!member_get(sc, mc, &r) && strcmp(sc->detail, "OFFLINE") != 0) {
			snprintf(mc->phone, sizeof(mc->phone), "%s", e164);
			scr_msg(sc, true, _("No member with phone %s: F3 registers one"), in);
		} else if (strcmp(sc->detail, "OFFLINE") == 0) {
			attach_phone(sc, e164);
		}
		return;
	}
	kc_req_member_get_by_card(&r, in);
	if (member_get(sc, mc, &r) || strcmp(sc->detail, "OFFLINE") == 0)
		return;
	kc_req_member_get_by_qr(&r, in);
	if (!member_get(sc, mc, &r) && strcmp(sc->detail, "OFFLINE") != 0)
		scr_msg(sc, true, _("No member with card or QR code %s"), in);
}

/* F3: register with phone and name; the new member is shown, ready to attach. */
static void register_member(Screen *sc, MemberCtx *mc)
{
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *resp = NULL;
	char phone[64], e164[PHONE_MAX], name[128];
	KcReq r;

	if (!scr_prompt(sc, member_body, mc, _("New member's phone:"), mc->phone, 0, phone,
			sizeof(phone)))
		return;
	if (!phone_normalize(phone, e164, sizeof(e164))) {
		scr_msg(sc, true, _("Not a valid phone number: %s"), phone);
		return;
	}
	if (!scr_prompt(sc, member_body, mc, _("Name:"), NULL, 0, name, sizeof(name)))
		return;
	if (name[0] == '\0') {
		scr_msg(sc, true, "%s", _("A new member needs a name"));
		return;
	}
	reg.phone = e164;
	reg.name = name;
	kc_req_member_register(&r, &reg, NULL);
	if (!scr_call(sc, &r.req, &resp))
		return;
	if (resp->body_case != KASSA__V1__RESPONSE__BODY_MEMBER) {
		kc_response_free(resp);
		return;
	}
	kc_response_free(mc->resp);
	mc->resp = resp;
	mc->phone[0] = '\0';
	scr_msg(sc, false, _("Registered %s: Enter or F5 attaches"), resp->member->name);
}

/* Attach the member shown; true when done. */
static bool attach(Screen *sc, MemberCtx *mc)
{
	SaleError e;

	if (mc->resp == NULL) {
		scr_msg(sc, true, "%s", _("Find a member first"));
		return false;
	}
	if (!sc->sale.open)
		(void)sale_begin(&sc->sale);
	if (sc->sale.member != NULL || sc->sale.member_phone[0] != '\0')
		(void)sale_clear_member(&sc->sale);
	e = sale_set_member(&sc->sale, mc->resp->member);
	if (e != SALE_OK) {
		scr_msg(sc, true, "%s", sale_error_message(e));
		return false;
	}
	scr_msg(sc, false, _("Member %s attached"), mc->resp->member->name);
	return true;
}

void member_screen_run(Screen *sc)
{
	MemberCtx mc;
	ScrField f;

	memset(&mc, 0, sizeof(mc));
	memset(&f, 0, sizeof(f));
	scr_enter(sc, _("Member"), member_help, ARRAY_SIZE(member_help));
	for (;;) {
		int k;

		sc->prompt = _("Phone, card or QR:");
		sc->field = &f;
		scr_draw(sc, member_body, &mc);
		k = scr_getkey(sc);
		sc->field = NULL;
		if (k == SK_ESC)
			break;
		if (k == SK_ENTER && f.len == 0) {
			if (mc.resp != NULL && attach(sc, &mc))
				break;
		} else if (k == SK_ENTER || k == SK_F(2)) {
			char in[SCR_FIELD_LEN];

			memcpy(in, f.buf, f.len + 1);
			scr_field_clear(&f);
			find(sc, &mc, in);
			if (sc->sale.member_phone[0] != '\0' && sc->sale.member == NULL)
				break;	/* attached by phone, offline */
		} else if (k == SK_F(3)) {
			register_member(sc, &mc);
		} else if (k == SK_F(4)) {
			(void)sale_clear_member(&sc->sale);
			scr_msg(sc, false, "%s", _("Member detached"));
		} else if (k == SK_F(5)) {
			if (attach(sc, &mc))
				break;
		} else {
			(void)scr_edit(&f, k);
		}
	}
	kc_response_free(mc.resp);
}
