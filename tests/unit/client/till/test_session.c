/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_session: the till session's own state, with no server (the
 * session starts offline against a port that refuses): an unusable state
 * directory is refused with a message, a new one is made 0700; receipt
 * numbers never repeat, also when the numbering process is killed with
 * SIGKILL in the middle, and a new state directory numbers from the
 * clock (a lost directory does not reissue old numbers); an offline login needs the verifier an online
 * login left (OFFLINE_UNKNOWN_STAFF otherwise, BAD_CREDENTIALS for a
 * wrong PIN); an offline sale is priced from the cache, journaled with
 * its key, receipt number, sold_at, cashier and member phone, and a sale
 * spending points is refused offline and stays open; a damaged catalogue
 * cache is an empty cache, not a crash; a withdrawn product leaves it; a
 * rating given after an offline sale is journaled after it (its own key,
 * the sale by receipt number) and bad values are refused first; a
 * damaged journal record found at start is counted with a message naming
 * the rejected file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/ssl.h>
#include <sodium.h>

#include "cache.h"
#include "journal.h"
#include "sale.h"
#include "till.h"

static char dir[256];
static TillConfig cfg;
static KcOptions opt;
static TillSession ts;

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_session.XXXXXX");
	if (mkdtemp(dir) == NULL || sodium_init() < 0)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.script = true;
	cfg.state_dir = dir;
	memset(&opt, 0, sizeof(opt));
	opt.host = "127.0.0.1";
	opt.port = "1";		/* nothing listens there: the till starts offline */
	opt.connect_timeout_ms = 1000;
	opt.ctx = SSL_CTX_new(TLS_client_method());
	write_file("identity", "store_id=1\ntill_id=2\nstore_code=S1\nstore_name=Store\n"
			       "till_code=T9\ncurrency=CNY\n");
	return opt.ctx != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	SSL_CTX_free(opt.ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void open_offline(void)
{
	char err[256];

	if (!till_open(&ts, &cfg, &opt, err, sizeof(err)))
		fail_msg("till_open: %s", err);
	assert_false(ts.online);
	assert_string_equal(ts.till_code, "T9");
}

/* Leave a PIN verifier as an online login of staff_id would. */
static void give_verifier(int64_t staff_id, const char *pin)
{
	char hash[crypto_pwhash_STRBYTES], text[300], name[32];

	assert_int_equal(crypto_pwhash_str(hash, pin, strlen(pin),
					   crypto_pwhash_OPSLIMIT_INTERACTIVE,
					   crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
	snprintf(text, sizeof(text), "verifier=%s\nname=Li Na\nrole=cashier\n", hash);
	snprintf(name, sizeof(name), "staff-%lld", (long long)staff_id);
	write_file(name, text);
}

static void test_state_dir(void **state)
{
	char path[300], err[256];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/identity", dir);	/* a file, not a directory */
	cfg.state_dir = path;
	assert_false(till_open(&ts, &cfg, &opt, err, sizeof(err)));
	assert_non_null(strstr(err, "not a directory"));
	till_close(&ts);
	snprintf(path, sizeof(path), "%s/new", dir);
	cfg.state_dir = path;
	assert_true(till_open(&ts, &cfg, &opt, err, sizeof(err)));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_false(ts.online);
	till_close(&ts);
}

static long receipt_number(void)
{
	char r[TILL_RECEIPT_LEN];

	assert_true(till_next_receipt(&ts, r));
	assert_memory_equal(r, "T9-", 3);
	return strtol(r + 3, NULL, 10);
}

static void test_receipt_never_repeats(void **state)
{
	long last = 0, n, child_max = 0;
	int fds[2], i, status;
	pid_t pid;
	FILE *in;

	(void)state;
	open_offline();
	/* a fresh directory starts at 1000 per second since 2026-01-01 */
	assert_true(receipt_number() >= (long)(time(NULL) - 1767225600 - 5) * 1000);
	for (i = 0; i < 50; i++) {
		n = receipt_number();
		assert_true(n > last);
		last = n;
	}
	/* a child numbers receipts and says each one it used; SIGKILL mid-way */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (;;) {
			char line[32];
			int len = snprintf(line, sizeof(line), "%ld\n", receipt_number());

			if (write(fds[1], line, (size_t)len) != len)
				_exit(1);
		}
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	for (i = 0; i < 40 && fscanf(in, "%ld", &n) == 1; i++)
		child_max = n > child_max ? n : child_max;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	while (fscanf(in, "%ld", &n) == 1)
		child_max = n > child_max ? n : child_max;
	fclose(in);
	assert_true(child_max > last);
	n = receipt_number();
	assert_true(n > child_max);
	till_close(&ts);
	/* and after reopening */
	open_offline();
	assert_true(receipt_number() > n);
	till_close(&ts);
}

static void test_offline_login(void **state)
{
	const char *detail = NULL;

	(void)state;
	open_offline();
	assert_false(till_login(&ts, 7, "2468", &detail));
	assert_string_equal(detail, "OFFLINE_UNKNOWN_STAFF");
	give_verifier(7, "2468");
	assert_false(till_login(&ts, 7, "1111", &detail));
	assert_string_equal(detail, "BAD_CREDENTIALS");
	assert_int_equal(ts.staff_id, 0);
	assert_true(till_login(&ts, 7, "2468", &detail));
	assert_int_equal(ts.staff_id, 7);
	assert_string_equal(ts.staff_name, "Li Na");
	till_logout(&ts);
	assert_int_equal(ts.staff_id, 0);
	till_close(&ts);
}

static void put_tea(void)
{
	Kassa__V1__Product p = KASSA__V1__PRODUCT__INIT;
	Kassa__V1__Money m = KASSA__V1__MONEY__INIT;

	p.product_id = 11;
	p.sku = "TEA-1";
	p.barcode = "6900011";
	p.name = "Tea";
	m.minor = 1200;
	m.currency = "CNY";
	p.price = &m;
	p.active = true;
	assert_non_null(cache_put(ts.cache, &p));
}

static void test_offline_sale(void **state)
{
	static Sale s;
	const Kassa__V1__Product *p;
	const char *detail = NULL;
	Kassa__V1__Request *req;
	TillSyncReport rep;
	TillFinish fin;
	char msg[256];

	(void)state;
	open_offline();
	give_verifier(7, "2468");
	assert_true(till_login(&ts, 7, "2468", &detail));
	put_tea();
	p = till_product(&ts, "6900011", &detail);
	assert_non_null(p);
	assert_null(till_product(&ts, "nope", &detail));
	assert_string_equal(detail, "UNKNOWN_PRODUCT");
	sale_init(&s);
	assert_int_equal(sale_begin(&s), SALE_OK);
	assert_int_equal(sale_add(&s, p, "6900011", 2, NULL), SALE_OK);
	assert_int_equal(sale_set_member_phone(&s, "13812345678"), SALE_OK);
	assert_int_equal(sale_pay(&s, KASSA__V1__TENDER_KIND__TENDER_CASH, 3000, NULL), SALE_OK);
	assert_true(till_finish(&ts, &s, &fin, &detail, msg, sizeof(msg)));
	assert_true(fin.offline);
	assert_false(s.open);
	assert_memory_equal(fin.receipt_no, "T9-", 3);
	assert_int_equal(fin.txn->total_minor, 2400);
	assert_int_equal(fin.txn->change_minor, 600);
	assert_true(fin.txn->offline);
	assert_int_equal(ts.journal->n, 1);
	req = kassa__v1__request__unpack(NULL, ts.journal->recs[0].len, ts.journal->recs[0].data);
	assert_non_null(req);
	assert_string_equal(req->idempotency_key, fin.key);
	assert_int_equal(req->body_case, KASSA__V1__REQUEST__BODY_CHECKOUT);
	assert_string_equal(req->checkout->receipt_no, fin.receipt_no);
	assert_true(req->checkout->offline);
	assert_int_equal(req->checkout->sold_by, 7);
	assert_int_equal(strlen(req->checkout->sold_at), 20);
	assert_string_equal(req->checkout->member_phone, "+8613812345678");
	assert_int_equal(req->checkout->n_lines, 1);
	assert_int_equal(req->checkout->lines[0]->quantity, 2);
	kassa__v1__request__free_unpacked(req, NULL);
	till_finish_free(&fin);

	/* points cannot be spent offline: refused, the sale stays open */
	assert_int_equal(sale_begin(&s), SALE_OK);
	assert_int_equal(sale_add(&s, p, "TEA-1", 1, NULL), SALE_OK);
	assert_int_equal(sale_redeem(&s, 100), SALE_OK);
	assert_int_equal(sale_pay(&s, KASSA__V1__TENDER_KIND__TENDER_CASH, 1200, NULL), SALE_OK);
	assert_false(till_finish(&ts, &s, &fin, &detail, msg, sizeof(msg)));
	assert_string_equal(detail, "OFFLINE_NOT_ALLOWED");
	assert_true(s.open);
	assert_int_equal(ts.journal->n, 1);
	sale_reset(&s);

	/* offline, sync replays nothing and keeps the record */
	assert_false(till_sync(&ts, &rep));
	assert_int_equal(rep.pending, 1);
	till_close(&ts);
	open_offline();
	assert_int_equal(ts.journal->n, 1);
	till_close(&ts);
}

/* One offline sale of a tea, cash; its receipt number into receipt. */
static void sell_tea(char receipt[TILL_RECEIPT_LEN])
{
	static Sale s;
	const Kassa__V1__Product *p;
	const char *detail = NULL;
	TillFinish fin;
	char msg[256];

	p = till_product(&ts, "TEA-1", &detail);
	assert_non_null(p);
	sale_init(&s);
	assert_int_equal(sale_begin(&s), SALE_OK);
	assert_int_equal(sale_add(&s, p, "TEA-1", 1, NULL), SALE_OK);
	assert_int_equal(sale_pay(&s, KASSA__V1__TENDER_KIND__TENDER_CASH, 1200, NULL), SALE_OK);
	assert_true(till_finish(&ts, &s, &fin, &detail, msg, sizeof(msg)));
	assert_true(fin.offline);
	memcpy(receipt, fin.receipt_no, TILL_RECEIPT_LEN);
	till_finish_free(&fin);
}

/*
 * A rating given after an offline sale is journaled after it: a Feedback
 * with its own key naming the sale by receipt number; bad values are
 * refused before anything is written.
 */
static void test_offline_feedback(void **state)
{
	const char *detail = NULL;
	TillFeedbackResult fb;
	Kassa__V1__Request *req;
	char receipt[TILL_RECEIPT_LEN], msg[256], sale_key[KC_KEY_LEN];

	(void)state;
	open_offline();
	give_verifier(7, "2468");
	assert_true(till_login(&ts, 7, "2468", &detail));
	put_tea();
	sell_tea(receipt);
	assert_int_equal(ts.journal->n, 1);
	req = kassa__v1__request__unpack(NULL, ts.journal->recs[0].len, ts.journal->recs[0].data);
	assert_non_null(req);
	snprintf(sale_key, sizeof(sale_key), "%s", req->idempotency_key);
	kassa__v1__request__free_unpacked(req, NULL);

	assert_false(till_feedback(&ts, receipt, 0, 6, NULL, &fb, &detail, msg, sizeof(msg)));
	assert_string_equal(detail, "BAD_RATING");
	assert_false(till_feedback(&ts, "", 0, 4, NULL, &fb, &detail, msg, sizeof(msg)));
	assert_string_equal(detail, "BAD_SALE");
	assert_false(till_feedback(&ts, receipt, 0, 4, "\x01", &fb, &detail, msg, sizeof(msg)));
	assert_string_equal(detail, "BAD_COMMENT");
	assert_int_equal(ts.journal->n, 1);

	assert_true(till_feedback(&ts, receipt, 0, 4, "很好", &fb, &detail, msg, sizeof(msg)));
	assert_true(fb.offline);
	assert_int_equal(fb.feedback_id, 0);
	assert_int_equal(ts.journal->n, 2);
	req = kassa__v1__request__unpack(NULL, ts.journal->recs[1].len, ts.journal->recs[1].data);
	assert_non_null(req);
	assert_int_equal(req->body_case, KASSA__V1__REQUEST__BODY_FEEDBACK);
	assert_string_equal(req->idempotency_key, fb.key);
	assert_string_not_equal(req->idempotency_key, sale_key);
	assert_string_equal(req->feedback->receipt_no, receipt);
	assert_int_equal(req->feedback->txn_id, 0);
	assert_int_equal(req->feedback->rating, 4);
	assert_string_equal(req->feedback->comment, "很好");
	kassa__v1__request__free_unpacked(req, NULL);
	/* durable: both are there after a restart, in order */
	till_close(&ts);
	open_offline();
	assert_int_equal(ts.journal->n, 2);
	till_logout(&ts);
	assert_false(till_feedback(&ts, receipt, 0, 4, NULL, &fb, &detail, msg, sizeof(msg)));
	assert_string_equal(detail, "NOT_LOGGED_IN");
	till_close(&ts);
}

/*
 * A damaged record found at start: till_open() keeps the count and a
 * message naming the rejected file; the other records stay.
 */
static void test_journal_notice(void **state)
{
	const char *detail = NULL, *notice;
	char receipt[TILL_RECEIPT_LEN], path[512];
	size_t first;
	int damaged = -1, i;
	FILE *f;

	(void)state;
	open_offline();
	assert_null(till_journal_notice(&ts, &damaged));
	assert_int_equal(damaged, 0);
	give_verifier(7, "2468");
	assert_true(till_login(&ts, 7, "2468", &detail));
	put_tea();
	for (i = 0; i < 3; i++)
		sell_tea(receipt);
	first = ts.journal->recs[0].len;
	till_close(&ts);
	/* flip one byte inside the second record's payload */
	snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_FILE);
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)(2 * JOURNAL_HEADER + first + 5), SEEK_SET), 0);
	i = fgetc(f);
	assert_int_equal(fseek(f, (long)(2 * JOURNAL_HEADER + first + 5), SEEK_SET), 0);
	fputc(i ^ 0x01, f);
	fclose(f);
	open_offline();
	notice = till_journal_notice(&ts, &damaged);
	assert_int_equal(damaged, 1);
	assert_non_null(notice);
	assert_non_null(strstr(notice, "1 damaged offline sale"));
	snprintf(path, sizeof(path), "%s/rejected", dir);
	assert_non_null(strstr(notice, path));
	assert_int_equal(ts.journal->n, 2);
	assert_int_equal(till_rejected(&ts), 1);
	till_close(&ts);
	/* told once: the next start finds nothing new */
	open_offline();
	assert_null(till_journal_notice(&ts, &damaged));
	assert_int_equal(damaged, 0);
	till_close(&ts);
}

static void test_cache_files(void **state)
{
	Kassa__V1__CatalogPage page = KASSA__V1__CATALOG_PAGE__INIT;
	Kassa__V1__Product gone = KASSA__V1__PRODUCT__INIT, *pp[1] = { &gone };
	char err[256];
	TillCache *c;

	(void)state;
	open_offline();
	put_tea();
	till_close(&ts);	/* saves the cache */
	c = cache_open(dir);
	assert_non_null(cache_find(c, "TEA-1"));
	assert_non_null(cache_find(c, "6900011"));
	/* a withdrawal from CatalogSync removes it and moves the seq */
	gone.product_id = 11;
	gone.seq = 5;
	gone.active = false;
	page.products = pp;
	page.n_products = 1;
	page.last_seq = 5;
	assert_int_equal(cache_apply_page(c, &page), 1);
	assert_null(cache_find(c, "TEA-1"));
	assert_int_equal(c->last_seq, 5);
	assert_true(cache_save(c, err, sizeof(err)));
	cache_close(c);
	c = cache_open(dir);
	assert_int_equal(c->last_seq, 5);
	assert_int_equal(c->n, 0);
	cache_close(c);
	/* a damaged file: an empty cache and a warning, not a crash */
	write_file(CACHE_CATALOG_FILE, "KCC1 this is not a catalogue");
	c = cache_open(dir);
	assert_int_equal(c->n, 0);
	assert_int_equal(c->last_seq, 0);
	cache_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_never_repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_sale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_feedback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_notice, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
