/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cardnum: finding a payment card number (PAN) in text a person typed, so
 * that kassad can refuse to store one. Pure: no I/O, no allocation, no
 * globals.
 *
 * A card number is 13-19 digits that pass the Luhn check. People type them
 * in groups ("4111 1111 1111 1111", "4111-1111-1111-1111"), so the text is
 * read as runs of digit groups: a group is an unbroken string of digits,
 * and the groups of one run are joined by spaces and dashes (any number of
 * them). ASCII digits and their fullwidth forms (U+FF10..U+FF19, what a
 * Chinese input method types), and the fullwidth hyphen-minus (U+FF0D) and
 * the ideographic space (U+3000) as separators, count the same. Any other
 * character ends a run, so a number inside a longer reference
 * ("AUTH4111111111111111") is found too.
 *
 * A candidate is one group, or several consecutive groups of one run, that
 * hold 13-19 digits in all. A group is never cut: a run of 20 or more
 * unbroken digits holds no candidate. That is a choice. No card number is
 * longer than 19 digits, and the references tills really type for
 * e-wallets are long unbroken numbers (an Alipay or WeChat Pay trade number
 * has 28-32 digits). Trying every 13-19 digit window inside such a string
 * (35 windows in 20 digits, each passing the Luhn check one time in ten)
 * would refuse nearly all of them. The price of the choice: a card number
 * typed with other digits glued to it, no separator between, goes through.
 */
#ifndef KASSA_CARDNUM_H
#define KASSA_CARDNUM_H

#include <stdbool.h>
#include <stddef.h>

#define CARDNUM_MIN_DIGITS 13	/* shortest card number (ISO/IEC 7812) */
#define CARDNUM_MAX_DIGITS 19	/* longest */

/*
 * Whether the n ASCII digits at digits pass the Luhn check (the last digit
 * is the check digit). False for n == 0 or any character that is not
 * '0'..'9'. The length is not checked: any n is read.
 */
bool cardnum_is_luhn_valid(const char *digits, size_t n);

/*
 * Whether the len bytes at text hold a card number as described above. On
 * true, and when start and end are not NULL, [*start, *end) are the byte
 * offsets of the first one found (from its first digit to its last). text
 * need not be NUL-terminated and may hold any bytes. Linear in len.
 */
bool cardnum_has_card_number(const char *text, size_t len, size_t *start, size_t *end);

#endif
