/* SPDX-License-Identifier: Apache-2.0 */
/*
 * money: amounts are int64 counts of minor units (fen, cents), never
 * floating point. Every operation that could overflow is checked and
 * reports failure instead of wrapping. Parsing and formatting handle the
 * two-decimal notation people type and read ("12.34", "-0.50"), and the
 * six-decimal exchange rates set at the office ("7.2345", as rate_micro).
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

/* rate_micro units per 1.0 of an exchange rate (USD->CNY 7.2345 is 7234500). */
#define MONEY_RATE_SCALE 1000000
/* The largest rate_micro: a rate of 10^9 store units per foreign unit. */
#define MONEY_RATE_MAX 1000000000000000LL
/* Longest string money_format_rate() writes, with the NUL. */
#define MONEY_RATE_FMT_LEN 28

/*
 * Parse a positive exchange rate with at most six fraction digits
 * ("7.2345", "0.9123", "110", "0.000001") into rate_micro (x
 * MONEY_RATE_SCALE), in integer arithmetic only. No sign, spaces,
 * thousands separators or exponent; at least one digit before any point
 * and one after it. False (*rate_micro untouched) on anything else, on 0,
 * or above MONEY_RATE_MAX. The office and kassad share this one parser.
 */
MUSTCHECK bool money_parse_rate(const char *s, int64_t *rate_micro);

/*
 * Write rate_micro as the shortest decimal money_parse_rate() reads back
 * to the same value: 7234500 -> "7.2345", 110000000 -> "110", 1 ->
 * "0.000001" (a negative value gets a '-'). buf is at least
 * MONEY_RATE_FMT_LEN; returns buf.
 */
char *money_format_rate(int64_t rate_micro, char *buf, size_t len);

/*
 * The ISO 4217 minor-unit exponent of currency code (three upper-case
 * letters): 2 for CNY, USD, EUR, HKD, GBP, MOP, TWD, SGD ..., 0 for JPY,
 * KRW, VND ..., 3 for KWD, BHD, ... -1 for a code not in the table (kassad
 * then refuses the currency rather than guess its exponent).
 */
int money_currency_exponent(const char *code);

#endif
