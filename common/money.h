/* SPDX-License-Identifier: Apache-2.0 */
/*
 * money: amounts are int64 counts of minor units (fen, cents), never
 * floating point. Every operation that could overflow is checked and
 * reports failure instead of wrapping. Parsing and formatting handle the
 * two-decimal notation people type and read ("12.34", "-0.50").
 */
#ifndef KASSA_MONEY_H
#define KASSA_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

/* Longest string money_format() writes, with the NUL. */
#define MONEY_FMT_LEN 24

/* *out = a + b; false on overflow (out untouched). */
MUSTCHECK bool money_add(int64_t a, int64_t b, int64_t *out);
/* *out = a - b; false on overflow. */
MUSTCHECK bool money_sub(int64_t a, int64_t b, int64_t *out);
/* *out = unit * qty; false on overflow. */
MUSTCHECK bool money_mul(int64_t unit, int64_t qty, int64_t *out);

/*
 * Parse a decimal amount with at most two fraction digits ("12", "12.3",
 * "12.34", "-0.05", "+3.00") into minor units. No spaces, no thousands
 * separators, no exponent, at least one digit before any point. False on
 * anything else or on overflow.
 */
MUSTCHECK bool money_parse(const char *s, int64_t *out);

/* Write minor as "12.34" / "-0.05" into buf (>= MONEY_FMT_LEN); returns buf. */
char *money_format(int64_t minor, char *buf, size_t len);

#endif
