/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coupon: a member's coupons as the till sees them, built from the JSON
 * objects kassa_coupon_json() makes in the database (checkout answers and
 * member look-ups both carry them).
 */
#ifndef KASSA_COUPON_JSON_H
#define KASSA_COUPON_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "kassa.pb-c.h"

/*
 * Coupons from a JSON array (NULL or not an array: none). The strings are
 * borrowed from arr, which must outlive the reply. Free with coupon_pb_free.
 */
Kassa__V1__Coupon **coupon_pb_from_json(json_t *arr, size_t *n);
void coupon_pb_free(Kassa__V1__Coupon **v);

/*
 * Coupon codes from a JSON array of strings (NULL or not an array: none,
 * and then NULL; a non-string: ""), as a sale's coupon_codes or a refund's
 * coupons_restored. The strings are borrowed from arr. Free with free().
 */
char **coupon_codes_from_json(json_t *arr, size_t *n);

#endif
