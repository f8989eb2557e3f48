/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tls: the contexts tls.c builds, exercised by real handshakes over an
 * in-memory BIO pair (no sockets). Certificates are made at setup time by
 * the openssl command line tool in a temporary directory: a CA, a server
 * cert for localhost/127.0.0.1, two till certs (one later revoked in a CRL),
 * a till cert from a rogue CA, and a till cert without a CN.
 *
 * What is shown: a till with a CA-signed cert gets through and its CN is
 * read; no cert, a rogue cert or a revoked cert is refused by the server; the
 * client checks the server's name; resumption works (TLS 1.3 tickets and the
 * TLS 1.2 session cache) and a resumed session still yields the CN; the
 * context settings the memory budget depends on are set; bad files fail
 * with a reason naming the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "tls.h"

typedef struct Fixture {
	char dir[64];		/* temporary directory holding the certificates */
	SSL_CTX *server;	/* owned: server context without CRL */
	SSL_CTX *server_crl;	/* owned: server context with the CRL */
} Fixture;

static Fixture fx;

/* The certificates, made with the same subjects as scripts/gen-certs.sh. */
static const char gen_script[] =
	"set -e\n"
	"cd \"$1\"\n"
	"O=\"${KASSA_OPENSSL:-openssl}\"\n"
	"ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'\n"
	"$O req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj '/O=Kassa/CN=Kassa Test CA'\n"
	"$O req -x509 $ec -keyout rogue-ca.key -out rogue-ca.crt -days 2 -subj '/CN=Rogue CA'\n"
	"printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\\n"
	"extendedKeyUsage=serverAuth\\n' > server.ext\n"
	"printf 'extendedKeyUsage=clientAuth\\n' > client.ext\n"
	"leaf() { # name subject ca ext\n"
	"  $O req -new $ec -keyout \"$1.key\" -out \"$1.csr\" -subj \"$2\"\n"
	"  $O x509 -req -in \"$1.csr\" -CA \"$3.crt\" -CAkey \"$3.key\" -CAcreateserial \\\n"
	"    -days 2 -sha256 -extfile \"$4\" -out \"$1.crt\"\n"
	"}\n"
	"leaf server /CN=localhost ca server.ext\n"
	"leaf T001 /O=Kassa/OU=S001/CN=T001 ca client.ext\n"
	"leaf T002 /O=Kassa/OU=S001/CN=T002 ca client.ext\n"
	"leaf nocn /O=Kassa/OU=S001 ca client.ext\n"
	"leaf rogue /O=Kassa/OU=S001/CN=T001 rogue-ca client.ext\n"
	"touch index.txt\n"
	"echo 01 > crlnumber\n"
	"printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\ncrlnumber=crlnumber\\n"
	"default_md=sha256\\ndefault_crl_days=2\\ncertificate=ca.crt\\nprivate_key=ca.key\\n'"
	" > ca.cnf\n"
	"$O ca -config ca.cnf -revoke T002.crt\n"
	"$O ca -config ca.cnf -gencrl -out crl.pem\n";

/* Path of a file in the fixture directory (static buffer, one per slot). */
static const char *path(int slot, const char *name)
{
	static char bufs[6][128];

	snprintf(bufs[slot], sizeof(bufs[slot]), "%s/%s", fx.dir, name);
	return bufs[slot];
}

static int setup(void **state)
{
	char cmd[256], err[512];
	FILE *f;

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/kassa-test-tls-XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	f = fopen(path(0, "gen.sh"), "w");
	if (f == NULL)
		return -1;
	fputs(gen_script, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sh %s/gen.sh %s > %s/gen.log 2>&1", fx.dir, fx.dir, fx.dir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/gen.log >&2", fx.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "certificate generation failed\n");
		return -1;
	}
	fx.server = tls_server_ctx_new(path(0, "server.crt"), path(1, "server.key"),
				       path(2, "ca.crt"), NULL, err, sizeof(err));
	if (fx.server == NULL) {
		fprintf(stderr, "server context: %s\n", err);
		return -1;
	}
	fx.server_crl = tls_server_ctx_new(path(0, "server.crt"), path(1, "server.key"),
					   path(2, "ca.crt"), path(3, "crl.pem"), err, sizeof(err));
	if (fx.server_crl == NULL) {
		fprintf(stderr, "server context with CRL: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	SSL_CTX_free(fx.server);
	SSL_CTX_free(fx.server_crl);
	if (fx.dir[0] != '\0' && strncmp(fx.dir, "/tmp/kassa-test-tls-", 20) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", fx.dir);
	}
	return 0;
}

/* A client context for till cert name ("T001"), or without a cert for NULL. */
static SSL_CTX *client_ctx(const char *name, const char *ca)
{
	char crt[64], key[64], err[512];
	SSL_CTX *ctx;

	snprintf(crt, sizeof(crt), "%s.crt", name ? name : "");
	snprintf(key, sizeof(key), "%s.key", name ? name : "");
	ctx = tls_client_ctx_new(name ? path(0, crt) : NULL, name ? path(1, key) : NULL,
				 path(2, ca), err, sizeof(err));
	if (ctx == NULL)
		fail_msg("client context for %s: %s", name ? name : "(none)", err);
	return ctx;
}

typedef struct Conn {
	SSL *c;		/* owned: client end */
	SSL *s;		/* owned: server end */
	int c_ok;	/* 1 handshake done, 0 in progress, -1 failed */
	int s_ok;	/* same for the server */
} Conn;

/* Drive one side's handshake a step: 1 done, 0 wants I/O, -1 failed. */
static int step(SSL *ssl)
{
	int r = SSL_do_handshake(ssl);

	if (r == 1)
		return 1;
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default:
		return -1;
	}
}

/*
 * Connect a client from cctx to a server from sctx over a BIO pair. host
 * (may be NULL) is checked against the server cert; sess (may be NULL) is
 * offered for resumption.
 */
static void conn_run(Conn *k, SSL_CTX *cctx, SSL_CTX *sctx, const char *host, SSL_SESSION *sess)
{
	BIO *bc, *bs;

	memset(k, 0, sizeof(*k));
	k->c = SSL_new(cctx);
	k->s = SSL_new(sctx);
	assert_non_null(k->c);
	assert_non_null(k->s);
	assert_int_equal(BIO_new_bio_pair(&bc, 0, &bs, 0), 1);
	SSL_set_bio(k->c, bc, bc);
	SSL_set_bio(k->s, bs, bs);
	SSL_set_connect_state(k->c);
	SSL_set_accept_state(k->s);
	if (host != NULL)
		assert_true(tls_client_set_host(k->c, host));
	if (sess != NULL)
		assert_int_equal(SSL_set_session(k->c, sess), 1);
	for (int i = 0; i < 50 && (k->c_ok == 0 || k->s_ok == 0); i++) {
		if (k->c_ok == 0)
			k->c_ok = step(k->c);
		if (k->s_ok == 0)
			k->s_ok = step(k->s);
		if (k->c_ok < 0 || k->s_ok < 0)
			break;
	}
	/* One side gave up: let the other read its alert. */
	if (k->c_ok == 0)
		k->c_ok = step(k->c);
	if (k->s_ok == 0)
		k->s_ok = step(k->s);
	/*
	 * In TLS 1.3 the client is done before the server has judged its
	 * certificate; let it read the server's verdict (an alert, or the
	 * session tickets), which is also how a ticket reaches the client.
	 */
	if (k->c_ok == 1) {
		char b;

		if (SSL_read(k->c, &b, 1) <= 0 &&
		    SSL_get_error(k->c, -1) != SSL_ERROR_WANT_READ)
			k->c_ok = -1;
	}
	ERR_clear_error();
}

/*
 * Close like a well-behaved peer. Freeing an SSL that has not sent
 * close_notify marks its session not resumable (OpenSSL's bad-session rule),
 * so the resumption tests depend on this.
 */
static void conn_free(Conn *k)
{
	if (k->c_ok == 1 && k->s_ok == 1) {
		SSL_shutdown(k->c);
		SSL_shutdown(k->s);
	}
	SSL_free(k->c);
	SSL_free(k->s);
}

static void test_mutual_ok(void **state)
{
	SSL_CTX *cctx = client_ctx("T001", "ca.crt");
	char cn[64];
	Conn k;

	(void)state;
	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);
	assert_int_equal(k.c_ok, 1);
	assert_true(SSL_version(k.s) >= TLS1_2_VERSION);
	assert_true(tls_peer_cn(k.s, cn, sizeof(cn)));
	assert_string_equal(cn, "T001");
	/* The client sees the server's CN the same way. */
	assert_true(tls_peer_cn(k.c, cn, sizeof(cn)));
	assert_string_equal(cn, "localhost");
	/* Too small a buffer is a failure, not a cut identity. */
	assert_false(tls_peer_cn(k.s, cn, 4));
	assert_string_equal(cn, "");
	assert_true(tls_peer_cn(k.s, cn, 5));
	assert_string_equal(cn, "T001");
	conn_free(&k);

	/* The server's certificate also names 127.0.0.1. */
	conn_run(&k, cctx, fx.server, "127.0.0.1", NULL);
	assert_int_equal(k.c_ok, 1);
	assert_int_equal(k.s_ok, 1);
	conn_free(&k);
	SSL_CTX_free(cctx);
}

static void test_no_client_cert_refused(void **state)
{
	SSL_CTX *cctx = client_ctx(NULL, "ca.crt");
	char cn[64];
	Conn k;

	(void)state;
	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, -1);
	assert_int_equal(k.c_ok, -1);
	assert_false(tls_peer_cn(k.s, cn, sizeof(cn)));
	conn_free(&k);
	SSL_CTX_free(cctx);
}

static void test_rogue_cert_refused(void **state)
{
	/* Signed by another CA, same subject as a real till. */
	SSL_CTX *cctx = client_ctx("rogue", "ca.crt");
	char cn[64];
	Conn k;

	(void)state;
	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, -1);
	assert_int_equal(k.c_ok, -1);
	assert_int_not_equal(SSL_get_verify_result(k.s), X509_V_OK);
	assert_false(tls_peer_cn(k.s, cn, sizeof(cn)));
	conn_free(&k);
	SSL_CTX_free(cctx);
}

static void test_crl(void **state)
{
	SSL_CTX *revoked = client_ctx("T002", "ca.crt");
	SSL_CTX *good = client_ctx("T001", "ca.crt");
	char cn[64];
	Conn k;

	(void)state;
	/* T002 is fine without the CRL ... */
	conn_run(&k, revoked, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);
	conn_free(&k);
	/* ... and refused with it. */
	conn_run(&k, revoked, fx.server_crl, "localhost", NULL);
	assert_int_equal(k.s_ok, -1);
	assert_int_equal(SSL_get_verify_result(k.s), X509_V_ERR_CERT_REVOKED);
	assert_false(tls_peer_cn(k.s, cn, sizeof(cn)));
	conn_free(&k);
	/* T001 is not on the CRL. */
	conn_run(&k, good, fx.server_crl, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);
	assert_true(tls_peer_cn(k.s, cn, sizeof(cn)));
	assert_string_equal(cn, "T001");
	conn_free(&k);
	SSL_CTX_free(revoked);
	SSL_CTX_free(good);
}

/* A verify callback that lets every certificate through (a bug we guard against). */
static int accept_all_cb(int ok, X509_STORE_CTX *store)
{
	(void)ok;
	(void)store;
	return 1;
}

/* tls_peer_cn() trusts the verification result, not the mere presence of a cert. */
static void test_peer_cn_needs_verified_cert(void **state)
{
	SSL_CTX *cctx = client_ctx("rogue", "ca.crt");
	SSL_CTX *lax;
	char err[512], cn[64];
	Conn k;

	(void)state;
	lax = tls_server_ctx_new(path(0, "server.crt"), path(1, "server.key"), path(2, "ca.crt"),
				 NULL, err, sizeof(err));
	assert_non_null(lax);
	SSL_CTX_set_verify(lax, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_all_cb);
	conn_run(&k, cctx, lax, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);
	assert_int_not_equal(SSL_get_verify_result(k.s), X509_V_OK);
	assert_false(tls_peer_cn(k.s, cn, sizeof(cn)));
	assert_string_equal(cn, "");
	conn_free(&k);
	SSL_CTX_free(lax);
	SSL_CTX_free(cctx);
}

static void test_no_cn(void **state)
{
	SSL_CTX *cctx = client_ctx("nocn", "ca.crt");
	char cn[64];
	Conn k;

	(void)state;
	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);		/* TLS is fine ... */
	assert_false(tls_peer_cn(k.s, cn, sizeof(cn)));	/* ... but there is no identity */
	assert_string_equal(cn, "");
	conn_free(&k);
	SSL_CTX_free(cctx);
}

static void test_server_name_checked(void **state)
{
	SSL_CTX *cctx = client_ctx("T001", "ca.crt");
	SSL_CTX *rogue_trust = client_ctx("T001", "rogue-ca.crt");
	Conn k;

	(void)state;
	conn_run(&k, cctx, fx.server, "kassa.example.com", NULL);
	assert_int_equal(k.c_ok, -1);
	assert_int_equal(SSL_get_verify_result(k.c), X509_V_ERR_HOSTNAME_MISMATCH);
	conn_free(&k);

	conn_run(&k, cctx, fx.server, "127.0.0.2", NULL);
	assert_int_equal(k.c_ok, -1);
	assert_int_equal(SSL_get_verify_result(k.c), X509_V_ERR_IP_ADDRESS_MISMATCH);
	conn_free(&k);

	/* A client trusting another CA refuses our server. */
	conn_run(&k, rogue_trust, fx.server, "localhost", NULL);
	assert_int_equal(k.c_ok, -1);
	assert_int_not_equal(SSL_get_verify_result(k.c), X509_V_OK);
	conn_free(&k);

	assert_false(tls_client_set_host(NULL, "localhost"));
	SSL_CTX_free(cctx);
	SSL_CTX_free(rogue_trust);
}

/* Connect once, then again offering the first session: is it resumed, with the CN? */
static void check_resumption(SSL_CTX *cctx)
{
	SSL_SESSION *sess;
	char cn[64];
	Conn k;

	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);
	assert_int_equal(SSL_session_reused(k.s), 0);
	sess = SSL_get1_session(k.c);
	assert_non_null(sess);
	assert_int_equal(SSL_SESSION_is_resumable(sess), 1);
	conn_free(&k);

	conn_run(&k, cctx, fx.server, "localhost", sess);
	assert_int_equal(k.c_ok, 1);
	assert_int_equal(k.s_ok, 1);
	assert_int_equal(SSL_session_reused(k.c), 1);
	assert_int_equal(SSL_session_reused(k.s), 1);
	/* The identity survives resumption: kassad reads the CN on every connection. */
	assert_true(tls_peer_cn(k.s, cn, sizeof(cn)));
	assert_string_equal(cn, "T001");
	conn_free(&k);
	SSL_SESSION_free(sess);
}

static void test_resumption_tls13(void **state)
{
	SSL_CTX *cctx = client_ctx("T001", "ca.crt");

	(void)state;
	check_resumption(cctx);
	SSL_CTX_free(cctx);
}

static void test_resumption_tls12_cache(void **state)
{
	SSL_CTX *cctx = client_ctx("T001", "ca.crt");
	long before = SSL_CTX_sess_number(fx.server);

	(void)state;
	/* TLS 1.2 without tickets: resumption must come from the server's cache. */
	assert_int_equal(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION), 1);
	SSL_CTX_set_options(cctx, SSL_OP_NO_TICKET);
	check_resumption(cctx);
	assert_true(SSL_CTX_sess_number(fx.server) > before);
	SSL_CTX_free(cctx);
}

static void test_old_protocol_refused(void **state)
{
	SSL_CTX *cctx = client_ctx("T001", "ca.crt");
	Conn k;

	(void)state;
	/* Let the client offer nothing newer than TLS 1.1. */
	SSL_CTX_set_security_level(cctx, 0);
	assert_int_equal(SSL_CTX_set_min_proto_version(cctx, TLS1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(cctx, TLS1_1_VERSION), 1);
	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, -1);
	assert_int_equal(k.c_ok, -1);
	conn_free(&k);
	/* Control: the same client allowed TLS 1.2 gets in. */
	assert_int_equal(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION), 1);
	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);
	assert_int_equal(k.c_ok, 1);
	assert_int_equal(SSL_version(k.s), TLS1_2_VERSION);
	conn_free(&k);
	SSL_CTX_free(cctx);
}

static void test_ctx_settings(void **state)
{
	SSL_CTX *cctx = client_ctx("T001", "ca.crt");
	STACK_OF(X509_NAME) *names = SSL_CTX_get_client_CA_list(fx.server);
	unsigned int sid_len = 0;
	Conn k;

	(void)state;
	assert_int_equal(SSL_CTX_get_min_proto_version(fx.server), TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_get_min_proto_version(cctx), TLS1_2_VERSION);
	/* Idle connections must give their buffers back (memory budget per till). */
	assert_true(SSL_CTX_get_mode(fx.server) & SSL_MODE_RELEASE_BUFFERS);
	assert_true(SSL_CTX_get_options(fx.server) & SSL_OP_NO_RENEGOTIATION);
	assert_int_equal(SSL_CTX_get_verify_mode(fx.server),
			 SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
	assert_int_equal(SSL_CTX_get_verify_mode(cctx), SSL_VERIFY_PEER);
	assert_true(SSL_CTX_get_session_cache_mode(fx.server) & SSL_SESS_CACHE_SERVER);
	assert_non_null(names);
	assert_int_equal(sk_X509_NAME_num(names), 1);
	/* Sessions carry an id context (resumption with client certs needs one). */
	conn_run(&k, cctx, fx.server, "localhost", NULL);
	assert_int_equal(k.s_ok, 1);
	assert_non_null(SSL_SESSION_get0_id_context(SSL_get_session(k.s), &sid_len));
	assert_true(sid_len > 0);
	conn_free(&k);
	SSL_CTX_free(cctx);
}

/* Fail, showing the whole message, unless err mentions what. */
#define assert_err_has(err, what) \
	do { \
		if (strstr((err), (what)) == NULL) \
			fail_msg("error \"%s\" does not mention \"%s\"", (err), (what)); \
	} while (0)

static void test_bad_files(void **state)
{
	char err[512];
	SSL_CTX *ctx;

	(void)state;
	ctx = tls_server_ctx_new(path(0, "missing.crt"), path(1, "server.key"), path(2, "ca.crt"),
				 NULL, err, sizeof(err));
	assert_null(ctx);
	assert_err_has(err, "could not load certificate file");
	assert_err_has(err, "missing.crt");

	/* The key of another certificate. */
	ctx = tls_server_ctx_new(path(0, "server.crt"), path(1, "T001.key"), path(2, "ca.crt"),
				 NULL, err, sizeof(err));
	assert_null(ctx);
	assert_err_has(err, "does not match");

	ctx = tls_server_ctx_new(path(0, "server.crt"), path(1, "server.key"),
				 path(2, "missing-ca.crt"), NULL, err, sizeof(err));
	assert_null(ctx);
	assert_err_has(err, "missing-ca.crt");

	ctx = tls_server_ctx_new(path(0, "server.crt"), path(1, "server.key"), path(2, "ca.crt"),
				 path(3, "missing-crl.pem"), err, sizeof(err));
	assert_null(ctx);
	assert_err_has(err, "missing-crl.pem");

	/* A file with no CRL in it. */
	ctx = tls_server_ctx_new(path(0, "server.crt"), path(1, "server.key"), path(2, "ca.crt"),
				 path(3, "ca.crt"), err, sizeof(err));
	assert_null(ctx);
	assert_err_has(err, "no CRL");

	ctx = tls_server_ctx_new(NULL, path(1, "server.key"), path(2, "ca.crt"), NULL, err,
				 sizeof(err));
	assert_null(ctx);
	assert_true(err[0] != '\0');

	ctx = tls_client_ctx_new(path(0, "T001.crt"), path(1, "T001.key"), "", err, sizeof(err));
	assert_null(ctx);
	assert_true(err[0] != '\0');

	/* No error may be left queued for the next, unrelated, caller. */
	assert_int_equal(ERR_peek_error(), 0);
}

static void test_errors(void **state)
{
	char buf[256] = "prefix";

	(void)state;
	ERR_clear_error();
	assert_null(BIO_new_file(path(0, "does-not-exist"), "r"));
	assert_int_not_equal(ERR_peek_error(), 0);
	tls_errors(buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "prefix", 6), 0);
	assert_true(strlen(buf) > 6);
	assert_int_equal(ERR_peek_error(), 0);		/* queue drained */

	/* A tiny buffer still drains the queue and stays terminated. */
	assert_null(BIO_new_file(path(0, "does-not-exist"), "r"));
	buf[0] = '\0';
	tls_errors(buf, 8);
	assert_true(strlen(buf) < 8);
	assert_int_equal(ERR_peek_error(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutual_ok),
		cmocka_unit_test(test_no_client_cert_refused),
		cmocka_unit_test(test_rogue_cert_refused),
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_peer_cn_needs_verified_cert),
		cmocka_unit_test(test_no_cn),
		cmocka_unit_test(test_server_name_checked),
		cmocka_unit_test(test_resumption_tls13),
		cmocka_unit_test(test_resumption_tls12_cache),
		cmocka_unit_test(test_old_protocol_refused),
		cmocka_unit_test(test_ctx_settings),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("tls", tests, setup, teardown);
}
