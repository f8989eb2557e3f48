/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_records: the JSON the database hands kassad for a stored sale's
 * tenders and a member's coupons (server/loyalty/tender_json.c and
 * coupon_json.c), which carries text a till once sent (references, codes,
 * names). The input is parsed with jansson as db rows are, and every
 * decoder is run on the value and on each member of an object:
 * tender_pb_from_json(), coupon_pb_from_json(), coupon_codes_from_json().
 * Beyond "no memory errors": what they build packs to exactly its packed
 * size (as the reply would), and its count is a JSON array's size and 0
 * for anything else.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "core.h"
#include "coupon_json.h"
#include "tender_json.h"

static bool call_answered;		/* call_fail() was called */

/* tender_json.c's checks answer through call_fail(); never called here. */
void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
{
	(void)c;
	(void)code;
	(void)detail;
	(void)fmt;
	call_answered = true;	/* a JSON decoder must not answer a Call */
}

static void decode(json_t *v)
{
	size_t want = json_is_array(v) ? json_array_size(v) : 0;
	size_t n = 99;
	Kassa__V1__TenderRecord **tr = tender_pb_from_json(v, &n);

	FUZZ_CHECK(n == want);
	for (size_t i = 0; i < n; i++) {
		size_t len = kassa__v1__tender_record__get_packed_size(tr[i]);
		uint8_t *buf = malloc(len ? len : 1);

		FUZZ_CHECK(buf != NULL && kassa__v1__tender_record__pack(tr[i], buf) == len);
		free(buf);
	}
	tender_pb_free(tr);

	n = 99;
	Kassa__V1__Coupon **cp = coupon_pb_from_json(v, &n);

	FUZZ_CHECK(n == want);
	for (size_t i = 0; i < n; i++) {
		size_t len = kassa__v1__coupon__get_packed_size(cp[i]);
		uint8_t *buf = malloc(len ? len : 1);

		FUZZ_CHECK(buf != NULL && kassa__v1__coupon__pack(cp[i], buf) == len);
		free(buf);
	}
	coupon_pb_free(cp);

	n = 99;
	char **codes = coupon_codes_from_json(v, &n);

	FUZZ_CHECK(n == want);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(codes[i] != NULL);
	free(codes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &err);
	const char *k;
	json_t *v;

	if (root == NULL)
		return 0;
	decode(root);
	if (json_is_object(root))
		json_object_foreach(root, k, v)
			decode(v);
	json_decref(root);
	FUZZ_CHECK(!call_answered);
	return 0;
}
