/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone: member phone numbers. Tills type them in many notations
 * ("138 1234 5678", "+86-138-1234-5678", "0086 13812345678"); the member
 * base stores one normalised E.164 form so that the unique index really
 * means one member per phone.
 */
#ifndef KASSA_PHONE_H
#define KASSA_PHONE_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

#define PHONE_MAX 17	/* "+" + 15 digits + NUL */

/*
 * Normalise in to E.164 in out (>= PHONE_MAX bytes). Spaces, dashes, dots
 * and parentheses are ignored. A number without a country prefix is taken
 * as a Chinese mobile (11 digits, starting 1[3-9]) and gets "+86"; "+" or
 * "00" introduces an explicit country code. For +86 the national part must
 * be a valid mobile number; other countries need 8-15 digits in all. False
 * (out = "") for anything else, including letters.
 */
MUSTCHECK bool phone_normalize(const char *in, char *out, size_t outlen);

/*
 * Mask a normalised number for display at a till: the national part's
 * first 3 and last 4 digits stay, the rest become '*' ("138****5678").
 * A national part shorter than 10 digits keeps only its last half (at most
 * 4 digits). Anything not in E.164 form gives "". out must hold PHONE_MAX bytes.
 */
void phone_mask(const char *e164, char *out, size_t outlen);

#endif
