/* SPDX-License-Identifier: Apache-2.0 */
/*
 * barcode: check the retail barcodes products carry: EAN-13, UPC-A (12
 * digits) and EAN-8, each with its GS1 check digit (the last digit).
 * Pure: no I/O. ProductPut refuses anything else (BAD_BARCODE).
 */
#ifndef KASSA_BARCODE_H
#define KASSA_BARCODE_H

#include <stdbool.h>

/* What barcode_check() found. */
typedef enum BarcodeStatus {
	BARCODE_OK = 0,		/* an EAN-13, UPC-A or EAN-8 with a right check digit */
	BARCODE_BAD_LENGTH,	/* not 8, 12 or 13 characters */
	BARCODE_NOT_DIGITS,	/* a character other than 0-9 */
	BARCODE_BAD_CHECK,	/* the last digit is not the check digit of the others */
} BarcodeStatus;

/* Check code (NUL-terminated; leading zeros are digits like any other). */
BarcodeStatus barcode_check(const char *code);

/* The GS1 check digit (0-9) of the n digits of s (not checked: digits). */
int barcode_check_digit(const char *s, int n);

#endif
