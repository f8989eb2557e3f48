/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coupon_json.c: kassa_coupon_json() objects to Coupon messages.
 */
#include "coupon_json.h"

#include <stdlib.h>

#include "util.h"

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

Kassa__V1__Coupon **coupon_pb_from_json(json_t *arr, size_t *n)
{
	size_t count = json_is_array(arr) ? json_array_size(arr) : 0;
	/* one block: the pointers, then the messages they point to */
	Kassa__V1__Coupon **v = xcalloc(1, (count + 1) * (sizeof(*v) + sizeof(**v)));
	Kassa__V1__Coupon *c = (Kassa__V1__Coupon *)(v + count + 1);

	for (size_t i = 0; i < count; i++) {
		json_t *o = json_array_get(arr, i);

		kassa__v1__coupon__init(&c[i]);
		c[i].code = (char *)jstr(o, "code");
		c[i].name = (char *)jstr(o, "name");
		c[i].kind = (Kassa__V1__CouponKind)json_integer_value(json_object_get(o, "kind"));
		c[i].value_minor = json_integer_value(json_object_get(o, "value"));
		c[i].percent_bp = (int32_t)json_integer_value(json_object_get(o, "percent_bp"));
		c[i].cap_minor = json_integer_value(json_object_get(o, "cap"));
		c[i].min_spend_minor = json_integer_value(json_object_get(o, "min_spend"));
		c[i].item_sku = (char *)jstr(o, "item_sku");
		c[i].valid_to = (char *)jstr(o, "valid_to");
		c[i].stackable = json_is_true(json_object_get(o, "stackable"));
		v[i] = &c[i];
	}
	*n = count;
	return v;
}

void coupon_pb_free(Kassa__V1__Coupon **v)
{
	free(v);
}

char **coupon_codes_from_json(json_t *arr, size_t *n)
{
	size_t count = json_is_array(arr) ? json_array_size(arr) : 0;
	char **v = count ? xcalloc(count, sizeof(*v)) : NULL;

	for (size_t i = 0; i < count; i++) {
		const char *code = json_string_value(json_array_get(arr, i));

		v[i] = (char *)(code ? code : "");
	}
	*n = count;
	return v;
}
