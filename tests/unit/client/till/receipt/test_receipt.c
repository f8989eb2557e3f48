/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_receipt: the receipts of client/till/receipt/ against golden files
 * (golden/, compared byte for byte): a member sale with Chinese product
 * names, a tier discount, a claim-code coupon, points redeemed, a USD cash
 * tender at its rate and change in yuan, as text in English and in
 * Chinese, and as ESC/POS in UTF-8 and in GB18030 (Chinese). The GB18030
 * file is also decoded with iconv and must hold every line of the Chinese
 * text. Besides: every line fits the columns whatever the width; a card
 * number in a reference never shows; control characters and bytes that
 * are not UTF-8 cannot reach the printer; a reprint and an offline sale
 * say so; receipt_save() writes both files and appends to the printer.
 *
 * KASSA_UPDATE_GOLDEN=1 rewrites the golden files from what the code makes
 * now (review the diff before committing). On a mismatch the bytes made
 * are left in <name>.actual in the working directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iconv.h>
#include <unistd.h>
#include <cmocka.h>

#include "i18n.h"
#include "receipt.h"
#include "textwidth.h"

#ifndef KASSA_GOLDEN_DIR
#error "KASSA_GOLDEN_DIR must be set by CMake"
#endif

/* ---- the sale ---- */

static Kassa__V1__TransactionLine g_line[3];
static Kassa__V1__TransactionLine *g_lines[3];
static Kassa__V1__TenderRecord g_tender[1];
static Kassa__V1__TenderRecord *g_tenders[1];
static char *g_coupons[] = { (char *)"AUDIT20" };
static Kassa__V1__Transaction g_txn;

static void line_init(int i, const char *sku, const char *name, int32_t qty, int64_t unit)
{
	kassa__v1__transaction_line__init(&g_line[i]);
	g_line[i].line_no = i + 1;
	g_line[i].product_id = i + 1;
	g_line[i].sku = (char *)sku;
	g_line[i].name = (char *)name;
	g_line[i].quantity = qty;
	g_line[i].unit_price_minor = unit;
	g_line[i].line_total_minor = unit * qty;
	g_lines[i] = &g_line[i];
}

/*
 * 2 x 68.00 + 3 x 3.50 + 1 x 128.00 = 274.50; Gold 20 % off 54.90; coupon
 * 20.00; 100 points = 10.00; total 189.60. USD 30.00 at 7.2345 = 217.03
 * (rounded down); change 27.43.
 */
static void txn_init(void)
{
	line_init(0, "TEA-500", "乌龙茶 Oolong tea 500g", 2, 6800);
	line_init(1, "COLA-330", "Cola 330ml", 3, 350);
	line_init(2, "GIFTBOX", "有机高山绿茶礼盒装（特级）二百五十克限量版", 1, 12800);
	kassa__v1__tender_record__init(&g_tender[0]);
	g_tender[0].tender_no = 1;
	g_tender[0].kind = KASSA__V1__TENDER_KIND__TENDER_CASH;
	g_tender[0].amount_minor = 21703;
	g_tender[0].reference = (char *)"";
	g_tender[0].currency = (char *)"USD";
	g_tender[0].foreign_minor = 3000;
	g_tender[0].rate_micro = 7234500;
	g_tender[0].rate_version = 3;
	g_tenders[0] = &g_tender[0];

	kassa__v1__transaction__init(&g_txn);
	g_txn.txn_id = 4242;
	g_txn.store_id = 1;
	g_txn.till_id = 1;
	g_txn.staff_id = 1001;
	g_txn.member_id = 77;
	g_txn.currency = (char *)"CNY";
	g_txn.n_lines = 3;
	g_txn.lines = g_lines;
	g_txn.n_tenders = 1;
	g_txn.tenders = g_tenders;
	g_txn.gross_minor = 27450;
	g_txn.tier = (char *)"Gold";
	g_txn.tier_saving_minor = 5490;
	g_txn.coupon_off_minor = 2000;
	g_txn.n_coupon_codes = 1;
	g_txn.coupon_codes = g_coupons;
	g_txn.points_redeemed = 100;
	g_txn.points_value_minor = 1000;
	g_txn.total_minor = 18960;
	g_txn.tendered_minor = 21703;
	g_txn.change_minor = 2743;
	g_txn.points_earned = 18;
	g_txn.points_balance = 1268;
	g_txn.created_at = (char *)"2025-06-01T14:32:05+08:00";
	g_txn.receipt_no = (char *)"S001-T1-000042";
}

static ReceiptInfo info(void)
{
	ReceiptInfo r = { 0 };

	r.store_name = "Kassa 南京路店";
	r.store_code = "S001";
	r.till_code = "S001-T1";
	r.cashier_name = "王小明";
	r.cashier_id = 1001;
	r.receipt_no = "S001-T1-000042";
	r.member_name = "李华";
	r.member_phone_masked = "138****5678";
	r.member_tier = "Gold";
	r.currency = "CNY";
	r.txn = &g_txn;
	return r;
}

static int setup(void **state)
{
	(void)state;
	txn_init();
	return 0;
}

/* ---- golden files ---- */

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf != NULL) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static void write_all(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* data must be the golden file name, byte for byte (or replace it when asked). */
static void golden(const char *name, const void *data, size_t len)
{
	char path[1024];
	const char *upd = getenv("KASSA_UPDATE_GOLDEN");
	unsigned char *want;
	size_t wlen = 0, i;

	snprintf(path, sizeof(path), "%s/%s", KASSA_GOLDEN_DIR, name);
	if (upd != NULL && strcmp(upd, "1") == 0) {
		write_all(path, data, len);
		return;
	}
	want = read_all(path, &wlen);
	if (want == NULL)
		fail_msg("golden file %s is missing (KASSA_UPDATE_GOLDEN=1 makes it)", path);
	for (i = 0; i < len && i < wlen && want[i] == ((const unsigned char *)data)[i]; i++)
		;
	if (i != len || len != wlen) {
		snprintf(path, sizeof(path), "%s.actual", name);
		write_all(path, data, len);
		free(want);
		fail_msg("%s differs from the golden file at byte %zu (%zu bytes made, "
			 "%zu golden); made: %s", name, i, len, wlen, path);
	}
	free(want);
}

/* Every line of text is at most cols cells. */
static void assert_fits(const char *text, int cols)
{
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int w = textwidth_n(p, n);

		if (w > cols)
			fail_msg("line \"%.*s\" is %d cells, more than %d", (int)n, p, w, cols);
		p += n + (nl != NULL);
	}
}

static char *text_in(const char *lang, const ReceiptInfo *r, int cols)
{
	char *t;

	assert_true(i18n_init(lang));
	t = receipt_text(r, cols);
	assert_non_null(t);
	assert_fits(t, cols);
	return t;
}

/* ---- the golden receipts ---- */

static void test_text_en(void **state)
{
	ReceiptInfo r = info();
	char *t = text_in("en", &r, RECEIPT_COLUMNS);

	(void)state;
	assert_non_null(strstr(t, "Total CNY"));
	assert_non_null(strstr(t, "USD 30.00 @ 7.2345"));
	assert_non_null(strstr(t, "27.43"));
	golden("receipt_en.txt", t, strlen(t));
	free(t);
}

static void test_text_zh(void **state)
{
	ReceiptInfo r = info();
	char *t = text_in("zh_CN", &r, RECEIPT_COLUMNS);

	(void)state;
	assert_non_null(strstr(t, "合计 CNY"));
	assert_non_null(strstr(t, "找零"));
	assert_non_null(strstr(t, "积分余额"));
	assert_non_null(strstr(t, "乌龙茶"));
	golden("receipt_zh_CN.txt", t, strlen(t));
	free(t);
}

static void test_escpos_utf8(void **state)
{
	ReceiptInfo r = info();
	unsigned char *b = NULL;
	size_t n = 0;

	(void)state;
	assert_true(i18n_init("zh_CN"));
	assert_true(receipt_escpos(&r, RECEIPT_UTF8, &b, &n));
	assert_true(n > 8);
	assert_memory_equal(b, "\x1b@", 2);				/* ESC @ */
	assert_memory_equal(b + n - 4, "\x1dV\x42\x00", 4);		/* GS V 66 0 */
	assert_non_null(memmem(b, n, "找零", strlen("找零")));
	golden("receipt_zh_CN_utf8.escpos", b, n);
	free(b);
}

/*
 * Decode len bytes of GB18030 with iconv into UTF-8, leave the printer
 * commands receipt_escpos.c uses out and the spaces at the ends of lines:
 * what a person reads on the paper, as receipt_text() writes it.
 */
static char *gb18030_decode(const unsigned char *in, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	size_t cap = len * 4 + 1, inleft = len, outleft = cap - 1, n, o = 0;
	char *out = malloc(cap), *ip = (char *)in, *op = out, *txt = malloc(cap);

	assert_true(cd != (iconv_t)-1);
	assert_non_null(out);
	assert_non_null(txt);
	assert_true(iconv(cd, &ip, &inleft, &op, &outleft) != (size_t)-1);
	assert_int_equal(inleft, 0);
	iconv_close(cd);
	n = (size_t)(op - out);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)out[i];
		unsigned char d = i + 1 < n ? (unsigned char)out[i + 1] : 0;

		if ((c == 0x1B && d == '@') || (c == 0x1C && (d == '&' || d == '.')))
			i += 2;		/* ESC @, FS &, FS . */
		else if ((c == 0x1B && (d == 'E' || d == 'd')) ||
			 ((c == 0x1C || c == 0x1D) && d == '!'))
			i += 3;		/* ESC E n, ESC d n, FS ! n, GS ! n */
		else if (c == 0x1D && d == 'V')
			i += 4;		/* GS V 66 0 */
		else if (c < 0x20 && c != '\n')
			fail_msg("unexpected control byte 0x%02x at %zu", c, i);
		else {
			if (c == '\n')
				while (o > 0 && txt[o - 1] == ' ')
					o--;
			txt[o++] = out[i++];
		}
	}
	txt[o] = '\0';
	free(out);
	return txt;
}

static void test_escpos_gb18030(void **state)
{
	ReceiptInfo r = info();
	unsigned char *b = NULL, *file;
	size_t n = 0, flen = 0;
	char path[1024], *decoded, *text;

	(void)state;
	text = text_in("zh_CN", &r, RECEIPT_COLUMNS);
	assert_true(receipt_escpos(&r, RECEIPT_GB18030, &b, &n));
	assert_memory_equal(b, "\x1b@\x1c&", 4);			/* ESC @, FS & */
	assert_memory_equal(b + n - 9, "\x1c.\x1b" "d\x04\x1dV\x42\x00", 9);
	/* 合计 in GB18030 is BA CF BC C6; no UTF-8 left in the bytes */
	assert_non_null(memmem(b, n, "\xba\xcf\xbc\xc6", 4));
	assert_null(memmem(b, n, "合计", strlen("合计")));
	golden("receipt_zh_CN_gb18030.escpos", b, n);

	/* the golden file itself decodes to the Chinese text receipt */
	snprintf(path, sizeof(path), "%s/receipt_zh_CN_gb18030.escpos", KASSA_GOLDEN_DIR);
	file = read_all(path, &flen);
	assert_non_null(file);
	decoded = gb18030_decode(file, flen);
	assert_string_equal(decoded, text);
	free(decoded);
	free(file);
	free(text);
	free(b);
}

/* ---- the rules around them ---- */

static void test_every_width_fits(void **state)
{
	static const int widths[] = { 24, 32, 42, 48, 64 };
	ReceiptInfo r = info();

	(void)state;
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		free(text_in("zh_CN", &r, widths[i]));
		free(text_in("en", &r, widths[i]));
	}
}

static void test_no_card_number(void **state)
{
	Kassa__V1__TenderRecord card = g_tender[0], wallet = g_tender[0];
	Kassa__V1__TenderRecord *two[] = { &card, &wallet };
	ReceiptInfo r = info();
	char *t;

	(void)state;
	card.kind = KASSA__V1__TENDER_KIND__TENDER_CARD;
	card.currency = (char *)"";
	card.reference = (char *)"AUTH 4111-1111-1111-1111";
	wallet.kind = KASSA__V1__TENDER_KIND__TENDER_EWALLET;
	wallet.currency = (char *)"";
	wallet.reference = (char *)"2025060122001412345678901234";	/* Alipay-like, 28 digits */
	g_txn.tenders = two;
	g_txn.n_tenders = 2;
	t = text_in("en", &r, RECEIPT_COLUMNS);
	g_txn.tenders = g_tenders;
	g_txn.n_tenders = 1;
	assert_null(strstr(t, "4111-1111-1111-1111"));
	assert_null(strstr(t, "4111"));
	assert_non_null(strstr(t, "**-1111"));			/* the last four only */
	assert_null(strstr(t, "2025060122001412345678901234"));	/* shortened */
	assert_non_null(strstr(t, "..12345678901234"));
	free(t);
}

static void test_hostile_text(void **state)
{
	ReceiptInfo r = info();
	unsigned char *b = NULL;
	size_t n = 0;
	char *t;

	(void)state;
	g_line[1].name = (char *)"Tea\x1b@\x1dV\x42\xff\xfe end";
	r.cashier_name = "Bob\nTotal 0.00";
	t = text_in("en", &r, RECEIPT_COLUMNS);
	assert_non_null(strstr(t, "Tea?@?V"));
	assert_non_null(strstr(t, "Bob?Total 0.00"));
	assert_true(receipt_escpos(&r, RECEIPT_GB18030, &b, &n));
	g_line[1].name = (char *)"Cola 330ml";
	/* the only ESC @ and GS V are the receipt's own, at the start and the end */
	assert_ptr_equal(memmem(b, n, "\x1b@", 2), b);
	assert_ptr_equal(memmem(b, n, "\x1dV", 2), b + n - 4);
	free(b);
	free(t);
}

static void test_reprint_and_offline(void **state)
{
	ReceiptInfo r = info();
	char *t;

	(void)state;
	r.reprint = true;
	r.offline = true;
	t = text_in("en", &r, RECEIPT_COLUMNS);
	assert_non_null(strstr(t, "REPRINT"));
	assert_non_null(strstr(t, "Sold offline."));
	assert_non_null(strstr(t, "Points are added when the till is"));
	assert_null(strstr(t, "Points earned"));	/* the server awards them later */
	free(t);
	t = text_in("zh_CN", &r, RECEIPT_COLUMNS);
	assert_non_null(strstr(t, "重印"));
	free(t);
	assert_null(receipt_text(&(ReceiptInfo){ 0 }, RECEIPT_COLUMNS));
}

/*
 * The server's times are UTC ("...Z"): the receipt shows the till's own
 * time zone (the test runs with TZ=Asia/Shanghai, UTC+8), to the second.
 */
static void test_local_time(void **state)
{
	ReceiptInfo r = info();
	char *t;

	(void)state;
	g_txn.created_at = (char *)"2025-06-01T06:32:05.123456Z";
	t = text_in("en", &r, RECEIPT_COLUMNS);
	assert_non_null(strstr(t, "Date: 2025-06-01 14:32:05\n"));
	free(t);
	g_txn.created_at = (char *)"2025-12-31T20:00:00-03:00";	/* 23:00 UTC */
	t = text_in("en", &r, RECEIPT_COLUMNS);
	assert_non_null(strstr(t, "Date: 2026-01-01 07:00:00\n"));
	free(t);
}

/* receipt_save(): both files (a reprint as -copy), the printer appended to, a bad name refused. */
static void test_save(void **state)
{
	char dir[] = "/tmp/kassa-receipt-XXXXXX", path[256], err[256], printer[256];
	ReceiptInfo r = info();
	unsigned char *b = NULL, *got;
	size_t n = 0, glen = 0;
	char *t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(i18n_init("en"));
	t = receipt_text(&r, RECEIPT_COLUMNS);
	assert_true(receipt_escpos(&r, RECEIPT_GB18030, &b, &n));
	snprintf(printer, sizeof(printer), "%s/printer", dir);
	assert_true(receipt_save(&r, dir, printer, RECEIPT_GB18030, err, sizeof(err)));
	r.reprint = true;
	assert_true(receipt_save(&r, NULL, printer, RECEIPT_GB18030, err, sizeof(err)));
	assert_true(receipt_save(&r, dir, NULL, RECEIPT_GB18030, err, sizeof(err)));

	snprintf(path, sizeof(path), "%s/S001-T1-000042.txt", dir);
	got = read_all(path, &glen);
	assert_non_null(got);
	assert_string_equal((char *)got, t);
	free(got);
	snprintf(path, sizeof(path), "%s/S001-T1-000042.escpos", dir);
	got = read_all(path, &glen);
	assert_non_null(got);
	assert_int_equal(glen, n);
	assert_memory_equal(got, b, n);
	free(got);
	snprintf(path, sizeof(path), "%s/S001-T1-000042-copy.txt", dir);
	got = read_all(path, &glen);
	assert_non_null(got);
	assert_non_null(strstr((char *)got, "REPRINT"));
	free(got);
	got = read_all(printer, &glen);
	assert_non_null(got);
	assert_true(glen > 2 * n);			/* the receipt, then the copy */
	assert_memory_equal(got, b, n);
	free(got);

	r.receipt_no = "../../etc/passwd";
	assert_false(receipt_save(&r, dir, NULL, RECEIPT_GB18030, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot name a file"));
	free(t);
	free(b);
	for (const char *const *f = (const char *const[]){ "S001-T1-000042.txt",
			"S001-T1-000042.escpos", "S001-T1-000042-copy.txt",
			"S001-T1-000042-copy.escpos", "printer", NULL }; *f != NULL; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_text_en, setup),
		cmocka_unit_test_setup(test_text_zh, setup),
		cmocka_unit_test_setup(test_escpos_utf8, setup),
		cmocka_unit_test_setup(test_escpos_gb18030, setup),
		cmocka_unit_test_setup(test_every_width_fits, setup),
		cmocka_unit_test_setup(test_no_card_number, setup),
		cmocka_unit_test_setup(test_hostile_text, setup),
		cmocka_unit_test_setup(test_reprint_and_offline, setup),
		cmocka_unit_test_setup(test_local_time, setup),
		cmocka_unit_test_setup(test_save, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
