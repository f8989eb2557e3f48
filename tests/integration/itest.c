/* SPDX-License-Identifier: Apache-2.0 */
/* itest.c: see itest.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

/* Connect as till code to host:port (timeouts in ms, 0 = the library's); NULL + err. */
static KassaClient *connect_to(Harness *h, const char *host, const char *port, const char *code,
			       int connect_ms, int io_ms, char *err, size_t errlen)
{
	char cert[1024], key[1024], ca[1024];
	KcOptions o = { 0 };

	snprintf(cert, sizeof(cert), "%s", harness_cert(h, code, ".crt"));
	snprintf(key, sizeof(key), "%s", harness_cert(h, code, ".key"));
	snprintf(ca, sizeof(ca), "%s", harness_cert(h, "ca", ".crt"));
	o.host = host;
	o.port = port;
	o.cert = cert;
	o.key = key;
	o.ca = ca;
	o.server_name = "localhost";
	o.connect_timeout_ms = connect_ms;
	o.io_timeout_ms = io_ms;
	o.client_software = "kassa-itest";
	return kc_connect(&o, err, errlen);
}

KassaClient *it_connect(Harness *h, const char *code)
{
	char err[KC_ERR_LEN];
	KassaClient *kc = connect_to(h, h->host, h->port, code, 0, 0, err, sizeof(err));

	CHECK(kc != NULL, "connect as %s: %s", code, err);
	return kc;
}

KassaClient *it_login(Harness *h, const char *code, int64_t staff_id, const char *pin)
{
	KassaClient *kc = it_connect(h, code);
	Kassa__V1__Response *r = NULL;

	if (kc == NULL)
		return NULL;
	if (kc_login(kc, staff_id, pin, &r) != KC_OK || kc_status(r) != KASSA__V1__STATUS_CODE__OK) {
		CHECK(false, "login %lld at %s: %s", (long long)staff_id, code,
		      r ? kc_message(r) : kc_last_error(kc));
		kc_response_free(r);
		kc_free(kc);
		return NULL;
	}
	kc_response_free(r);
	return kc;
}

KassaClient *it_cashier(Harness *h)
{
	return it_login(h, "S001-T1", 1001, "1234");
}

void it_fresh_phone(char out[32])
{
	static unsigned counter;
	unsigned long v = ((unsigned long)getpid() * 7919UL + (unsigned long)time(NULL) * 31UL +
			   __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST) * 104729UL) % 100000000UL;

	snprintf(out, 32, "+86137%08lu", v);
}

int64_t it_register(Harness *h, KassaClient *kc, const char *name, char phone_out[32])
{
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	(void)h;
	it_fresh_phone(phone_out);
	reg.name = (char *)name;
	reg.phone = phone_out;
	reg.marketing_consent = true;
	if (kc_member_register(kc, &reg, NULL, &r) == KC_OK &&
	    kc_status(r) == KASSA__V1__STATUS_CODE__OK &&
	    r->body_case == KASSA__V1__RESPONSE__BODY_MEMBER)
		id = r->member->member_id;
	CHECK(id > 0, "register %s %s: %s", name, phone_out, r ? kc_message(r) : kc_last_error(kc));
	kc_response_free(r);
	return id;
}

int64_t it_sql_int(Harness *h, const char *fmt, ...)
{
	char sql[2048], out[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (!harness_psql_scalar(h, sql, out, sizeof(out))) {
		CHECK(false, "query failed: %s", sql);
		return INT64_MIN;
	}
	return strtoll(out, NULL, 10);
}

bool it_sqlf(Harness *h, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;
	bool ok;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (!CHECK(n >= 0, "format set-up SQL: %s", fmt))
		return false;
	text = malloc((size_t)n + 1);
	if (!CHECK(text != NULL, "out of memory for set-up SQL"))
		return false;
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ok = harness_psql_exec(h, text);
	CHECK(ok, "set-up SQL failed: %s", text);
	free(text);
	return ok;
}

void it_fresh_name(const char *prefix, char out[64])
{
	static unsigned counter;
	unsigned n = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);

	snprintf(out, 64, "%s-%ld-%lld-%u", prefix, (long)getpid(), (long long)time(NULL), n);
}

int64_t it_cash_sale(Harness *h, KassaClient *kc, const char *prefix, int64_t member_id,
		     int64_t price_minor)
{
	char sku[64], key[64];
	KcLine line = { 0 };
	KcTender t = { KASSA__V1__TENDER_KIND__TENDER_CASH, price_minor, NULL };
	KcSale s = { 0 };
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	it_fresh_name(prefix, sku);
	if (!it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', '%s', %lld)",
		     sku, prefix, (long long)price_minor))
		return 0;
	line.code = sku;
	line.quantity = 1;
	s.lines = &line;
	s.nlines = 1;
	s.tenders = &t;
	s.ntenders = 1;
	s.member_id = member_id;
	it_fresh_name("sale", key);
	if (CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK && r != NULL &&
		  kc_status(r) == KASSA__V1__STATUS_CODE__OK && r->transaction,
		  "sale: %s", r ? kc_detail(r) : kc_last_error(kc)))
		id = r->transaction->txn_id;
	kc_response_free(r);
	return id;
}

int64_t it_register_tier(Harness *h, KassaClient *kc, const char *name, const char *tier)
{
	char phone[32];
	int64_t id = it_register(h, kc, name, phone);

	if (id > 0 && strcmp(tier, "Regular") != 0 &&
	    !it_sqlf(h, "UPDATE members SET tier = '%s' WHERE member_id = %lld", tier,
		     (long long)id))
		return 0;
	return id;
}

/*
 * One statement, so the lot's remaining is computed from the balance under
 * the row lock the UPDATE takes (tests give points while kassad spends
 * them). RETURNING makes a missing member "no row", hence a failure.
 */
bool it_give_points(Harness *h, int64_t member_id, int64_t points, int expires_days)
{
	char sql[1024], out[32];
	bool ok;

	snprintf(sql, sizeof(sql),
		 "WITH m AS (UPDATE members SET points_balance = points_balance + %lld"
		 " WHERE member_id = %lld RETURNING member_id, points_balance - %lld AS was),"
		 " l AS (INSERT INTO points_ledger (member_id, kind, points)"
		 " SELECT member_id, 'adjust', %lld FROM m)"
		 " INSERT INTO points_lots (member_id, source, points, remaining, expires_on)"
		 " SELECT member_id, 'adjust', %lld, CASE WHEN was >= 0 THEN %lld"
		 " ELSE greatest(0, was + %lld) END, current_date + %d FROM m RETURNING member_id",
		 (long long)points, (long long)member_id, (long long)points, (long long)points,
		 (long long)points, (long long)points, (long long)points, expires_days);
	ok = harness_psql_scalar(h, sql, out, sizeof(out));
	CHECK(ok, "give member %lld %lld points: %s", (long long)member_id, (long long)points, sql);
	return ok;
}

bool it_give_wallet(Harness *h, int64_t member_id, int64_t amount_minor)
{
	char sql[1024], out[32];
	bool ok;

	snprintf(sql, sizeof(sql),
		 "WITH w AS (INSERT INTO wallets (member_id, balance_minor) VALUES (%lld, %lld)"
		 " ON CONFLICT (member_id) DO UPDATE SET balance_minor = wallets.balance_minor"
		 " + excluded.balance_minor, updated_at = now() RETURNING member_id)"
		 " INSERT INTO wallet_ledger (member_id, kind, amount_minor)"
		 " SELECT member_id, 'topup', %lld FROM w RETURNING member_id",
		 (long long)member_id, (long long)amount_minor, (long long)amount_minor);
	ok = harness_psql_scalar(h, sql, out, sizeof(out));
	CHECK(ok, "give member %lld %lld on the wallet: %s", (long long)member_id,
	      (long long)amount_minor, sql);
	return ok;
}

bool it_stock_folded(Harness *h, int timeout_s)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };
	time_t deadline = time(NULL) + timeout_s;
	int64_t left;

	while ((left = it_sql_int(h, "SELECT count(*) FROM stock_pending")) > 0 &&
	       time(NULL) < deadline)
		nanosleep(&step, NULL);
	return CHECK(left == 0, "%lld sales' stock movements still unfolded after %d s",
		     (long long)left, timeout_s);
}

bool it_check_ledgers(Harness *h, int64_t member_id)
{
	long long m = (long long)member_id;
	int64_t balance, ledger, lots, bad_wallets;
	bool ok = true;

	balance = it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld", m);
	if (!CHECK(balance != INT64_MIN, "member %lld exists", m))
		return false;
	ledger = it_sql_int(h, "SELECT coalesce(sum(points), 0) FROM points_ledger"
			    " WHERE member_id = %lld", m);
	lots = it_sql_int(h, "SELECT coalesce(sum(remaining), 0) FROM points_lots"
			  " WHERE member_id = %lld", m);
	bad_wallets = it_sql_int(h, "SELECT count(*) FROM wallets w WHERE member_id = %lld"
				 " AND (balance_minor < 0 OR balance_minor <> (SELECT"
				 "  coalesce(sum(amount_minor), 0) FROM wallet_ledger l"
				 "  WHERE l.member_id = w.member_id))", m);
	if (!CHECK(balance == ledger, "member %lld: points balance %lld = points ledger sum %lld",
		   m, (long long)balance, (long long)ledger))
		ok = false;
	if (!CHECK(lots == (balance > 0 ? balance : 0),
		   "member %lld: open lots %lld = greatest(balance %lld, 0)", m, (long long)lots,
		   (long long)balance))
		ok = false;
	if (!CHECK(bad_wallets == 0, "member %lld: wallet = wallet ledger sum, >= 0", m))
		ok = false;
	return ok;
}

ItCounts it_counts(Harness *h)
{
	ItCounts c;

	c.txns = it_sql_int(h, "SELECT count(*) FROM transactions");
	c.lines = it_sql_int(h, "SELECT count(*) FROM transaction_lines");
	c.tenders = it_sql_int(h, "SELECT count(*) FROM tenders");
	c.ledger = it_sql_int(h, "SELECT count(*) FROM points_ledger");
	c.idem = it_sql_int(h, "SELECT count(*) FROM idempotency");
	c.wallet_ledger = it_sql_int(h, "SELECT count(*) FROM wallet_ledger");
	c.points = it_sql_int(h, "SELECT coalesce(sum(points_balance), 0) FROM members");
	c.spend = it_sql_int(h, "SELECT coalesce(sum(cumulative_spend_minor), 0) FROM members");
	c.wallets = it_sql_int(h, "SELECT coalesce(sum(balance_minor), 0) FROM wallets");
	return c;
}

bool it_same_counts(ItCounts a, ItCounts b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

bool it_same_response(const Kassa__V1__Response *a, const Kassa__V1__Response *b)
{
	Kassa__V1__Response ca = *a, cb = *b;
	size_t na, nb;
	uint8_t *pa, *pb;
	bool same;

	ca.request_id = cb.request_id = 0;
	na = kassa__v1__response__get_packed_size(&ca);
	nb = kassa__v1__response__get_packed_size(&cb);
	if (na != nb)
		return false;
	pa = malloc(na + 1);
	pb = malloc(nb + 1);
	kassa__v1__response__pack(&ca, pa);
	kassa__v1__response__pack(&cb, pb);
	same = memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return same;
}

bool it_free_port(char out[16])
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	     getsockname(fd, (struct sockaddr *)&sin, &len) == 0;
	if (ok)
		snprintf(out, 16, "%u", ntohs(sin.sin_port));
	if (fd >= 0)
		close(fd);
	return ok;
}

void it_setenv_each(const char *const env[])
{
	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		const char *eq = strchr(env[i], '=');
		char name[128];

		if (eq == NULL || (size_t)(eq - env[i]) >= sizeof(name))
			_exit(127);
		memcpy(name, env[i], (size_t)(eq - env[i]));
		name[eq - env[i]] = '\0';
		setenv(name, eq + 1, 1);
	}
}

bool it_kassad_spawn(Harness *h, ItKassad *k, const char *tmpl_dir, const char *const env[])
{
	char listen[64];

	if (tmpl_dir != NULL) {
		snprintf(k->dir, sizeof(k->dir), "%s", tmpl_dir);
		if (mkdtemp(k->dir) == NULL || !it_free_port(k->port))
			return false;
	}
	snprintf(k->log, sizeof(k->log), "%s/kassad.log", k->dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%s", k->port);
	fflush(stdout);
	fflush(stderr);
	k->pid = fork();
	if (k->pid < 0) {
		k->pid = 0;
		return false;
	}
	if (k->pid == 0) {
		int fd = open(k->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		setenv("KASSA_SERVER_LISTEN", listen, 1);
		it_setenv_each(env);
		execl(h->kassad, "kassad", "--config", h->config, (char *)NULL);
		_exit(127);
	}
	return true;
}

int it_kassad_stop(ItKassad *k, int timeout_s)
{
	struct timespec tick = { 0, 50 * 1000000L };
	int status;

	if (k->pid <= 0)
		return -1;
	kill(k->pid, SIGTERM);
	for (long i = 0; i < (long)timeout_s * 20; i++) {
		pid_t r = waitpid(k->pid, &status, WNOHANG);

		if (r == k->pid) {
			k->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		if (r < 0 && errno != EINTR)
			break;
		nanosleep(&tick, NULL);
	}
	kill(k->pid, SIGKILL);
	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	k->pid = 0;
	return -1;
}

int it_kassad_log_count(const ItKassad *k, const char *text)
{
	FILE *f = fopen(k->log, "r");
	char line[1024];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

KassaClient *it_kassad_connect(Harness *h, const ItKassad *k, const char *code,
			       int connect_timeout_ms, int io_timeout_ms, char *err, size_t errlen)
{
	return connect_to(h, "127.0.0.1", k->port, code, connect_timeout_ms, io_timeout_ms, err,
			  errlen);
}

void it_kassad_keep_log(const ItKassad *k)
{
	const char *env = getenv("KASSA_TEST_ENV");
	const char *base = strrchr(k->dir, '/');
	char path[PATH_MAX], buf[8192];
	FILE *in, *out;
	size_t n;

	if (env == NULL || *env == '\0' || k->log[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/kassad-logs", env);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return;
	snprintf(path, sizeof(path), "%s/kassad-logs/kassad-%s.log", env,
		 base != NULL ? base + 1 : k->dir);
	in = fopen(k->log, "rb");
	out = in != NULL ? fopen(path, "wb") : NULL;
	while (out != NULL && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	if (out != NULL)
		fclose(out);
	if (in != NULL)
		fclose(in);
}
