/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receipt: the customer's receipt for a sale, as plain text (screen and
 * file) and as ESC/POS bytes for a thermal printer (GB18030 for
 * Chinese-capable printers, or UTF-8). It shows store, till, cashier,
 * receipt number, member, lines, tier savings, coupons, points earned and
 * balance, stored-value balance, tenders with currency and rate, and
 * change; never a card number. Text is laid out by display width, so
 * Chinese names line up. Labels are in the till's language (gettext).
 */
#ifndef KASSA_TILL_RECEIPT_H
#define KASSA_TILL_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kassa_client.h"

#define RECEIPT_COLUMNS 42		/* an 80 mm printer's line in half-width columns */

typedef enum ReceiptEncoding {
	RECEIPT_GB18030 = 0,
	RECEIPT_UTF8 = 1,
} ReceiptEncoding;

/* One receipt: everything borrowed. NULL strings print nothing. */
typedef struct ReceiptInfo {
	const char *store_name, *store_code, *till_code;
	const char *cashier_name;
	int64_t cashier_id;
	const char *receipt_no;
	const char *member_name, *member_phone_masked, *member_tier;	/* NULL = anonymous */
	const char *currency;		/* store currency, e.g. "CNY" */
	bool offline;			/* sold offline: points are added when synchronised */
	bool reprint;			/* a copy: says so at the top */
	const Kassa__V1__Transaction *txn;
} ReceiptInfo;

/* The receipt as UTF-8 text, lines of at most columns display cells; malloc'd. */
char *receipt_text(const ReceiptInfo *r, int columns);

/* The receipt as ESC/POS bytes in enc into *out (malloc'd, *len bytes). */
MUSTCHECK bool receipt_escpos(const ReceiptInfo *r, ReceiptEncoding enc, unsigned char **out,
			      size_t *len);

/*
 * Keep the receipt (receipt_save.c). When dir is not NULL: write
 * <dir>/<receipt no>.txt (the text, RECEIPT_COLUMNS wide) and
 * <dir>/<receipt no>.escpos (ESC/POS in enc), "-copy" before the
 * extension for a reprint, each through a temporary file that is fsync'd
 * and renamed, so a reader never sees half a receipt. When printer is not
 * NULL: append the ESC/POS bytes to it (a file or a device such as
 * /dev/usb/lp0). A receipt number that is not 1-47 of A-Z a-z 0-9 - _ is
 * refused (it names a file). False with err filled (in the till's
 * language) on the first failure; what was written before stays.
 */
MUSTCHECK bool receipt_save(const ReceiptInfo *r, const char *dir, const char *printer,
			    ReceiptEncoding enc, char *err, size_t errlen);

#endif
