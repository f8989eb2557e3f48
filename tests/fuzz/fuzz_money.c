/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_money: the text parsers a till's typing reaches, common/money.c and
 * common/phone.c. The input, cut at its first NUL, is one string:
 *   money_parse(): if it parses, money_format() of the value must parse
 *     back to the same value (format and parse are inverses), and the
 *     text must fit MONEY_FMT_LEN;
 *   phone_normalize(): if it succeeds, the output must be E.164 ("+" and
 *     8-15 digits) and normalising it again must give the same output
 *     (normalisation is idempotent, which the unique index on members
 *     relies on); phone_mask() of it must not overrun PHONE_MAX.
 * Output buffers are allocated at exactly the documented minimum size, so
 * ASan catches a write past it.
 */
#include <string.h>

#include "fuzz.h"
#include "money.h"
#include "phone.h"

static void check_money(const char *s)
{
	char *buf = malloc(MONEY_FMT_LEN);
	int64_t v, back;

	FUZZ_CHECK(buf != NULL);
	if (money_parse(s, &v)) {
		money_format(v, buf, MONEY_FMT_LEN);
		FUZZ_CHECK(strlen(buf) < MONEY_FMT_LEN);
		FUZZ_CHECK(money_parse(buf, &back));
		FUZZ_CHECK(back == v);
	}
	free(buf);
}

static void check_phone(const char *s)
{
	char *out = malloc(PHONE_MAX), *again = malloc(PHONE_MAX), *mask = malloc(PHONE_MAX);
	size_t n;

	FUZZ_CHECK(out != NULL && again != NULL && mask != NULL);
	if (phone_normalize(s, out, PHONE_MAX)) {
		n = strlen(out);
		FUZZ_CHECK(out[0] == '+');
		FUZZ_CHECK(n >= 1 + 8 && n <= 1 + 15);
		FUZZ_CHECK(strspn(out + 1, "0123456789") == n - 1);
		FUZZ_CHECK(phone_normalize(out, again, PHONE_MAX));
		FUZZ_CHECK(strcmp(out, again) == 0);
		phone_mask(out, mask, PHONE_MAX);
		FUZZ_CHECK(strlen(mask) < PHONE_MAX);
	} else {
		FUZZ_CHECK(out[0] == '\0');
	}
	/* phone_mask() takes what is stored; it must cope with anything. */
	phone_mask(s, mask, PHONE_MAX);
	FUZZ_CHECK(strlen(mask) < PHONE_MAX);
	free(out);
	free(again);
	free(mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s != NULL);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	check_money(s);
	check_phone(s);
	free(s);
	return 0;
}
