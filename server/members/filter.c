/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter.c: the member filter of head office (MemberFilter): check every
 * field and turn it into the text parameters of the SQL functions in
 * migrations/functions/member_find.sql (kassa_member_count,
 * kassa_member_find_ids, kassa_member_export_rows). MemberFind, segments
 * and exports all go through member_filter_check(), so a filter that is
 * refused by one is refused by all, with the same code and message; the
 * parameter order is documented in members.h and does not change.
 *
 * Pure: no database, no clock. A phone is a whole number in any notation
 * (normalised by phone.c) or, when it is only digits and not a whole
 * number, the last 4-15 digits of one.
 */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "phone.h"
#include "core.h"
#include "members.h"

#define FILTER_TEXT_MAX 100	/* bytes of a name prefix, tier or card number */
#define FILTER_TAG_MAX 32	/* as a member's tag */
#define FILTER_SUFFIX_MIN 4
#define FILTER_SUFFIX_MAX 15

/* The classes the analytics job writes (member_stats.class). */
static const char *const filter_classes[] = {
	"new", "active", "high_value", "at_risk", "lost", "none",
};

/* Positions in MemberFilterParams.v, the SQL parameters' order minus one. */
enum {
	FP_PHONE = 0,		/* $1 */
	FP_SUFFIX,		/* $2 */
	FP_CARD,		/* $3 */
	FP_NAME,		/* $4 */
	FP_TAG,			/* $5 */
	FP_TIER,		/* $6 */
	FP_CLASS,		/* $7 */
	FP_MONTH,		/* $8 */
	FP_STORE,		/* $9 */
	FP_VISIT_FROM,		/* $10 */
	FP_VISIT_TO,		/* $11 */
	FP_SPEND_MIN,		/* $12 */
	FP_SPEND_MAX,		/* $13 */
	FP_CONSENT,		/* $14 */
};

/* Is s 1..max bytes without control characters? */
static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Copy the decimal of v into p's buffer at *used and point p->v[i] at it. */
static void put_int(MemberFilterParams *p, size_t *used, int i, long long v)
{
	int n = snprintf(p->buf + *used, sizeof(p->buf) - *used, "%lld", v);

	p->v[i] = p->buf + *used;
	*used += (size_t)n + 1;
}

/* The phone field into $1 or $2; false with the reason when it is neither. */
static bool filter_phone(const char *phone, MemberFilterParams *p, size_t *used,
			 const char **detail, const char **msg)
{
	size_t n = strlen(phone);

	if (n == 0)
		return true;
	if (phone_normalize(phone, p->buf + *used, PHONE_MAX)) {
		p->v[FP_PHONE] = p->buf + *used;
		*used += strlen(p->v[FP_PHONE]) + 1;
		return true;
	}
	if (strspn(phone, "0123456789") == n) {
		if (n < FILTER_SUFFIX_MIN || n > FILTER_SUFFIX_MAX) {
			*detail = "BAD_PHONE_SUFFIX";
			*msg = N_("a phone suffix is 4-15 digits");
			return false;
		}
		p->v[FP_SUFFIX] = phone;
		return true;
	}
	*detail = "BAD_PHONE";
	*msg = N_("phone is neither a valid number nor its last 4-15 digits");
	return false;
}

/* The text fields (card, name, tag, tier, class); false with the reason. */
static bool filter_texts(const Kassa__V1__MemberFilter *f, MemberFilterParams *p,
			 const char **detail, const char **msg)
{
	bool class_ok = false;

	if (f->card_no[0] && !text_ok(f->card_no, FILTER_TEXT_MAX)) {
		*detail = "BAD_CARD", *msg = N_("card number must be 1-100 bytes of text");
		return false;
	}
	if (f->name_prefix[0] && !text_ok(f->name_prefix, FILTER_TEXT_MAX)) {
		*detail = "BAD_NAME", *msg = N_("name prefix must be 1-100 bytes of text");
		return false;
	}
	if (f->tag[0] && !text_ok(f->tag, FILTER_TAG_MAX)) {
		*detail = "BAD_TAG", *msg = N_("a tag is 1-32 bytes of text");
		return false;
	}
	if (f->tier[0] && !text_ok(f->tier, FILTER_TEXT_MAX)) {
		*detail = "BAD_TIER", *msg = N_("tier must be 1-100 bytes of text");
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(filter_classes); i++)
		class_ok = class_ok || strcmp(f->class_, filter_classes[i]) == 0;
	if (f->class_[0] && !class_ok) {
		*detail = "BAD_CLASS";
		*msg = N_("class must be new, active, high_value, at_risk, lost or none");
		return false;
	}
	p->v[FP_CARD] = f->card_no[0] ? f->card_no : NULL;
	p->v[FP_NAME] = f->name_prefix[0] ? f->name_prefix : NULL;
	p->v[FP_TAG] = f->tag[0] ? f->tag : NULL;
	p->v[FP_TIER] = f->tier[0] ? f->tier : NULL;
	p->v[FP_CLASS] = f->class_[0] ? f->class_ : NULL;
	return true;
}

/* The ranges (visits, spend), the month, store and consent; false with the reason. */
static bool filter_ranges(const Kassa__V1__MemberFilter *f, MemberFilterParams *p,
			  size_t *used, const char **detail, const char **msg)
{
	if (f->birthday_month > 12) {
		*detail = "BAD_BIRTHDAY_MONTH", *msg = N_("birthday month must be 1-12");
		return false;
	}
	if (f->store_id < 0) {
		*detail = "BAD_STORE", *msg = N_("store must be a store id");
		return false;
	}
	if ((f->last_visit_from[0] && !date_parse(f->last_visit_from, NULL, NULL, NULL)) ||
	    (f->last_visit_to[0] && !date_parse(f->last_visit_to, NULL, NULL, NULL))) {
		*detail = "BAD_DATE", *msg = N_("a last-visit date must be a real date YYYY-MM-DD");
		return false;
	}
	if (f->last_visit_from[0] && f->last_visit_to[0] &&
	    strcmp(f->last_visit_from, f->last_visit_to) > 0) {
		*detail = "BAD_RANGE", *msg = N_("the last-visit range ends before it starts");
		return false;
	}
	if (f->spend_min_minor < 0 || f->spend_max_minor < 0) {
		*detail = "BAD_SPEND", *msg = N_("a spend bound cannot be negative");
		return false;
	}
	if (f->spend_min_minor > 0 && f->spend_max_minor > 0 &&
	    f->spend_min_minor > f->spend_max_minor) {
		*detail = "BAD_RANGE", *msg = N_("the minimum spend is above the maximum");
		return false;
	}
	if (f->consent != KASSA__V1__CONSENT__CONSENT_ANY &&
	    f->consent != KASSA__V1__CONSENT__CONSENT_YES &&
	    f->consent != KASSA__V1__CONSENT__CONSENT_NO) {
		*detail = "BAD_CONSENT", *msg = N_("consent must be any, yes or no");
		return false;
	}
	if (f->birthday_month)
		put_int(p, used, FP_MONTH, (long long)f->birthday_month);
	if (f->store_id)
		put_int(p, used, FP_STORE, (long long)f->store_id);
	p->v[FP_VISIT_FROM] = f->last_visit_from[0] ? f->last_visit_from : NULL;
	p->v[FP_VISIT_TO] = f->last_visit_to[0] ? f->last_visit_to : NULL;
	if (f->spend_min_minor)
		put_int(p, used, FP_SPEND_MIN, (long long)f->spend_min_minor);
	if (f->spend_max_minor)
		put_int(p, used, FP_SPEND_MAX, (long long)f->spend_max_minor);
	if (f->consent != KASSA__V1__CONSENT__CONSENT_ANY)
		p->v[FP_CONSENT] = f->consent == KASSA__V1__CONSENT__CONSENT_YES ? "true" : "false";
	return true;
}

bool member_filter_check(const Kassa__V1__MemberFilter *f, MemberFilterParams *p,
			 const char **detail, const char **msg)
{
	static const Kassa__V1__MemberFilter empty = KASSA__V1__MEMBER_FILTER__INIT;
	size_t used = 0;

	memset(p->v, 0, sizeof(p->v));
	*detail = "";
	*msg = "";
	if (f == NULL)
		f = &empty;
	return filter_phone(f->phone, p, &used, detail, msg) &&
	       filter_texts(f, p, detail, msg) && filter_ranges(f, p, &used, detail, msg);
}

bool member_filter_params(Call *c, const Kassa__V1__MemberFilter *f, MemberFilterParams *p)
{
	const char *detail, *msg;

	if (member_filter_check(f, p, &detail, &msg))
		return true;
	call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, detail, "%s",
		  session_text(c->sess, msg));
	return false;
}
