/* SPDX-License-Identifier: Apache-2.0 */
/*
 * barcode.c: GS1 check digits (EAN-13, UPC-A, EAN-8). From the right of
 * the digits before the check digit, weights alternate 3, 1, 3...; the
 * check digit brings the weighted sum to a multiple of ten. The same rule
 * serves all three lengths, so a UPC-A is checked as itself, not only as
 * the EAN-13 with a leading zero it also is.
 */
#include <string.h>

#include "barcode.h"

int barcode_check_digit(const char *s, int n)
{
	int sum = 0;

	for (int i = n - 1, w = 3; i >= 0; i--, w = 4 - w)
		sum += (s[i] - '0') * w;
	return (10 - sum % 10) % 10;
}

BarcodeStatus barcode_check(const char *code)
{
	size_t n = strlen(code);

	if (n != 8 && n != 12 && n != 13)
		return BARCODE_BAD_LENGTH;
	for (size_t i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return BARCODE_NOT_DIGITS;
	if (barcode_check_digit(code, (int)n - 1) != code[n - 1] - '0')
		return BARCODE_BAD_CHECK;
	return BARCODE_OK;
}
