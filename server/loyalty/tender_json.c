/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tender_json.c: a request's tender checks (kind, amount, reference, and
 * no card number in the reference: cardnum.h; a sale's foreign-currency
 * cash and card), and kassa_txn_json() /
 * kassa_refund_json() tender objects to TenderRecord messages.
 */
#include "tender_json.h"

#include <stdlib.h>
#include <string.h>

#include "cardnum.h"
#include "money.h"
#include "util.h"

/* Kind and reference: every tender, in any currency. */
static bool tender_check_ref(Call *c, size_t i, const Kassa__V1__Tender *t)
{
	size_t n = strlen(t->reference);
	bool needs_ref = t->kind == KASSA__V1__TENDER_KIND__TENDER_CARD ||
			 t->kind == KASSA__V1__TENDER_KIND__TENDER_EWALLET;

	if (t->kind != KASSA__V1__TENDER_KIND__TENDER_CASH && !needs_ref &&
	    t->kind != KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDER_KIND",
			  "tender %zu: unknown kind %d", i + 1, (int)t->kind);
		return false;
	}
	if (n > TENDER_REF_MAX || (needs_ref && n == 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REFERENCE",
			  "tender %zu: card and e-wallet tenders need a reference of "
			  "1-%d characters", i + 1, TENDER_REF_MAX);
		return false;
	}
	/* never stored, never echoed: a reference is the terminal's, not the card's */
	if (cardnum_has_card_number(t->reference, n, NULL, NULL)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "CARD_NUMBER_REFUSED",
			  "tender %zu: a tender reference must not hold a card number; type "
			  "the terminal's approval code or receipt number", i + 1);
		return false;
	}
	return true;
}

bool tender_check(Call *c, size_t i, const Kassa__V1__Tender *t)
{
	if (t->currency[0] != '\0' || t->foreign_minor != 0 || t->rate_version != 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "FOREIGN_NOT_ACCEPTED",
			  "tender %zu: this request takes the store currency only", i + 1);
		return false;
	}
	if (t->amount_minor <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_AMOUNT",
			  "tender %zu: the amount must be positive", i + 1);
		return false;
	}
	return tender_check_ref(c, i, t);
}

bool tender_check_sale(Call *c, size_t i, const Kassa__V1__Tender *t,
		       const char *store_currency)
{
	bool cash_or_card = t->kind == KASSA__V1__TENDER_KIND__TENDER_CASH ||
			    t->kind == KASSA__V1__TENDER_KIND__TENDER_CARD;

	if (t->currency[0] == '\0')
		return tender_check(c, i, t);
	if (!cash_or_card) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "FOREIGN_NOT_ACCEPTED",
			  "tender %zu: only cash and card may be in a foreign currency", i + 1);
		return false;
	}
	if (money_currency_exponent(t->currency) < 0 || strcmp(t->currency, store_currency) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURRENCY",
			  "tender %zu: \"%.8s\" is not a foreign currency kassad takes (ISO 4217, "
			  "upper case; \"\" for %s)", i + 1, t->currency, store_currency);
		return false;
	}
	if (t->foreign_minor <= 0 || t->amount_minor < 0 || t->rate_version <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_AMOUNT",
			  "tender %zu: a foreign tender needs a positive foreign amount and the "
			  "rate version it was converted with", i + 1);
		return false;
	}
	return tender_check_ref(c, i, t);
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

Kassa__V1__TenderRecord **tender_pb_from_json(json_t *arr, size_t *n)
{
	size_t count = json_is_array(arr) ? json_array_size(arr) : 0;
	/* one block: the pointers, then the messages they point to */
	Kassa__V1__TenderRecord **v = xcalloc(1, (count + 1) * (sizeof(*v) + sizeof(**v)));
	Kassa__V1__TenderRecord *d = (Kassa__V1__TenderRecord *)(v + count + 1);

	for (size_t i = 0; i < count; i++) {
		json_t *o = json_array_get(arr, i);
		const char *ref = json_string_value(json_object_get(o, "ref"));
		const char *cur = json_string_value(json_object_get(o, "currency"));

		kassa__v1__tender_record__init(&d[i]);
		d[i].tender_no = (int32_t)jint(o, "tender_no");
		d[i].kind = (Kassa__V1__TenderKind)jint(o, "kind");
		d[i].amount_minor = jint(o, "amount");
		d[i].reference = (char *)(ref ? ref : "");
		d[i].currency = (char *)(cur ? cur : "");
		d[i].foreign_minor = jint(o, "foreign");
		d[i].rate_micro = jint(o, "rate");
		d[i].rate_version = (int32_t)jint(o, "rate_version");
		v[i] = &d[i];
	}
	*n = count;
	return v;
}

void tender_pb_free(Kassa__V1__TenderRecord **v)
{
	free(v);
}
