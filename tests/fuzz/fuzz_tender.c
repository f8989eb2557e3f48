/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_tender: the tenders a till sends with Checkout and TopUp, as
 * server/loyalty/tender_json.c checks them: a Tender unpacked from the
 * input and given to tender_check() (a top-up's) and tender_check_sale()
 * (a sale's, store currency CNY). Beyond "no memory errors": each check
 * either passes or answers the Call exactly once with INVALID_ARGUMENT and
 * a detail; a tender a top-up accepts a sale accepts too; and no accepted
 * tender's reference holds a card number or is longer than TENDER_REF_MAX.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "cardnum.h"
#include "fuzz.h"
#include "core.h"
#include "tender_json.h"

static int answers;			/* call_fail() calls for the Call under test */
static Kassa__V1__StatusCode answered;

void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
{
	(void)c;
	(void)fmt;
	FUZZ_CHECK(detail != NULL && detail[0] != '\0');
	answers++;
	answered = code;
}

/* One check's verdict: true = passed; false = answered exactly once, INVALID_ARGUMENT. */
static bool verdict(bool ok)
{
	if (ok) {
		FUZZ_CHECK(answers == 0);
	} else {
		FUZZ_CHECK(answers == 1 && answered == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT);
	}
	answers = 0;
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Kassa__V1__Tender *t = kassa__v1__tender__unpack(NULL, size, data);
	Call c;
	bool topup_ok, sale_ok;

	if (t == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	answers = 0;
	topup_ok = verdict(tender_check(&c, 0, t));
	sale_ok = verdict(tender_check_sale(&c, 2, t, "CNY"));
	if (topup_ok)
		FUZZ_CHECK(sale_ok);
	if (topup_ok || sale_ok) {
		size_t n = strlen(t->reference);

		FUZZ_CHECK(n <= TENDER_REF_MAX);
		FUZZ_CHECK(!cardnum_has_card_number(t->reference, n, NULL, NULL));
	}
	kassa__v1__tender__free_unpacked(t, NULL);
	return 0;
}
