/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls: build the OpenSSL contexts for kassad and the tills, and read the
 * till's identity off a verified connection.
 *
 * tls_server_ctx_new() builds a complete SSL_CTX (certificate, key, CA,
 * optional CRL, verification mode) and returns it only when every step
 * worked, so a reload can build a new context and swap it in, keeping the
 * old one on failure [PG be_tls_init]. Settings that matter for a server
 * holding ~20000 idle tills:
 *   - SSL_MODE_RELEASE_BUFFERS: an idle connection gives back its 16 KiB
 *     read and write buffers; without it each idle TLS connection costs
 *     over 34 KiB in buffers alone and the ≤ 40 KiB/connection target fails.
 *   - session resumption: a session id context (required when client
 *     certificates are verified, or OpenSSL refuses to resume) and the
 *     server-side cache for TLS 1.2; TLS 1.3 resumes from stateless tickets.
 *   - no renegotiation: a client-initiated renegotiation costs the server a
 *     full handshake each time (a cheap CPU attack) and we never need one.
 *
 * A handshake checks the CRL once; tls_peer_is_revoked() looks an open
 * connection's certificate up in a (newer) context's CRLs, so that a reload
 * can cut off what it now revokes.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "util.h"

#define TLS_SESSION_ID_CTX "kassad"
#define TLS_VERIFY_DEPTH 4		/* till -> (intermediate) -> CA, with room */
#define TLS_SESSION_TIMEOUT 3600	/* seconds a TLS 1.2 session may be resumed */

void tls_errors(char *buf, size_t len)
{
	size_t used;
	unsigned long e;

	if (len == 0) {
		ERR_clear_error();
		return;
	}
	used = strnlen(buf, len);
	if (used == len) {
		/* Not terminated: start over rather than read past the end. */
		used = 0;
		buf[0] = '\0';
	}
	while ((e = ERR_get_error()) != 0) {
		char one[256];
		int w;

		if (used + 1 >= len)
			continue;	/* keep draining the queue */
		ERR_error_string_n(e, one, sizeof(one));
		w = snprintf(buf + used, len - used, "%s%s", used > 0 ? "; " : "", one);
		if (w < 0)
			break;
		used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
}

/* Write "what: <openssl errors>" into err (errlen may be 0). */
static void tls_fail(char *err, size_t errlen, const char *what, const char *file)
{
	int w;

	if (errlen == 0) {
		ERR_clear_error();
		return;
	}
	if (file != NULL)
		w = snprintf(err, errlen, "%s \"%s\"", what, file);
	else
		w = snprintf(err, errlen, "%s", what);
	if (w >= 0 && (size_t)w + 3 < errlen && ERR_peek_error() != 0) {
		memcpy(err + w, ": ", 3);
		tls_errors(err + w + 2, errlen - (size_t)w - 2);
	} else {
		ERR_clear_error();
	}
}

static bool is_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Load cert chain + key and check they match; false + err on failure. */
static bool tls_load_identity(SSL_CTX *ctx, const char *cert, const char *key, char *err,
			      size_t errlen)
{
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_fail(err, errlen, "could not load certificate file", cert);
		return false;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		unsigned long e = ERR_peek_last_error();

		/* OpenSSL checks the pair while loading; say so in plain words. */
		if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
		    ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			tls_fail(err, errlen, "private key does not match certificate: key file",
				 key);
		else
			tls_fail(err, errlen, "could not load private key file", key);
		return false;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_fail(err, errlen, "private key does not match certificate", key);
		return false;
	}
	return true;
}

/* Add every CRL in the PEM file crl to the context's store and turn checking on. */
static bool tls_load_crl(SSL_CTX *ctx, const char *crl, char *err, size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio = BIO_new_file(crl, "r");
	X509_CRL *x;
	int count = 0;

	if (bio == NULL) {
		tls_fail(err, errlen, "could not open CRL file", crl);
		return false;
	}
	while ((x = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		int ok = X509_STORE_add_crl(store, x);

		X509_CRL_free(x);
		if (ok != 1) {
			BIO_free(bio);
			tls_fail(err, errlen, "could not add CRL from", crl);
			return false;
		}
		count++;
	}
	BIO_free(bio);
	if (count == 0) {
		tls_fail(err, errlen, "no CRL found in", crl);
		return false;
	}
	ERR_clear_error();	/* the PEM reader's end-of-file "no start line" */
	/* Only the leaf (the till) is checked: our CA publishes one CRL for it. */
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	return true;
}

SSL_CTX *tls_server_ctx_new(const char *cert, const char *key, const char *ca,
			    const char *crl, char *err, size_t errlen)
{
	STACK_OF(X509_NAME) *names;
	SSL_CTX *ctx;

	if (errlen > 0)
		err[0] = '\0';
	if (!is_set(cert) || !is_set(key) || !is_set(ca)) {
		tls_fail(err, errlen, "certificate, key and CA files must all be set", NULL);
		return NULL;
	}
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		tls_fail(err, errlen, "could not create TLS context", NULL);
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		tls_fail(err, errlen, "could not set minimum TLS version", NULL);
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (!tls_load_identity(ctx, cert, key, err, errlen))
		goto fail;

	/* Trust the Kassa CA, and tell clients which CA their cert must come from. */
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		tls_fail(err, errlen, "could not load CA file", ca);
		goto fail;
	}
	names = SSL_load_client_CA_file(ca);
	if (names == NULL) {
		tls_fail(err, errlen, "could not read CA names from", ca);
		goto fail;
	}
	SSL_CTX_set_client_CA_list(ctx, names);	/* ctx owns names now */
	if (is_set(crl) && !tls_load_crl(ctx, crl, err, errlen))
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, TLS_VERIFY_DEPTH);

	/* Resumption: without an id context OpenSSL refuses to resume verified sessions. */
	if (SSL_CTX_set_session_id_context(ctx, (const unsigned char *)TLS_SESSION_ID_CTX,
					   sizeof(TLS_SESSION_ID_CTX) - 1) != 1) {
		tls_fail(err, errlen, "could not set session id context", NULL);
		goto fail;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_timeout(ctx, TLS_SESSION_TIMEOUT);
	/* One TLS 1.3 ticket is enough for a till that reconnects to one server. */
	SSL_CTX_set_num_tickets(ctx, 1);
	return ctx;

fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *tls_client_ctx_new(const char *cert, const char *key, const char *ca,
			    char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (errlen > 0)
		err[0] = '\0';
	if (!is_set(ca)) {
		tls_fail(err, errlen, "a CA file must be set", NULL);
		return NULL;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		tls_fail(err, errlen, "could not create TLS context", NULL);
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		tls_fail(err, errlen, "could not set minimum TLS version", NULL);
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	/* kassa-bench holds thousands of idle connections too. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* No certificate is allowed only so tests can show the server refuses that. */
	if ((is_set(cert) || is_set(key)) && !tls_load_identity(ctx, cert, key, err, errlen))
		goto fail;
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		tls_fail(err, errlen, "could not load CA file", ca);
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, TLS_VERIFY_DEPTH);
	return ctx;

fail:
	SSL_CTX_free(ctx);
	return NULL;
}

bool tls_client_set_host(SSL *ssl, const char *host)
{
	X509_VERIFY_PARAM *param;

	if (ssl == NULL || !is_set(host))
		return false;
	param = SSL_get0_param(ssl);
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	/* An address literal is checked against the certificate's IP SANs. */
	if (X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1)
		return true;
	ERR_clear_error();
	if (SSL_set1_host(ssl, host) != 1)
		return false;
	/* SNI is for names only (RFC 6066 forbids address literals). */
	return SSL_set_tlsext_host_name(ssl, host) == 1;
}

/* True if a CRL in store issued by peer's issuer lists peer. */
static bool tls_store_revokes(X509_STORE *store, X509 *peer)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	const X509_NAME *issuer = X509_get_issuer_name(peer);
	X509_REVOKED *rev;

	for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509_CRL *crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objs, i));

		if (crl == NULL || X509_NAME_cmp(X509_CRL_get_issuer(crl), issuer) != 0)
			continue;
		/* 1 = revoked; 2 = listed with removeFromCRL (a delta CRL lifting a hold) */
		if (X509_CRL_get0_by_cert(crl, &rev, peer) == 1)
			return true;
	}
	return false;
}

bool tls_peer_is_revoked(SSL *ssl, SSL_CTX *ctx)
{
	X509 *peer;
	bool revoked;

	if (ssl == NULL || ctx == NULL)
		return false;
	peer = SSL_get1_peer_certificate(ssl);
	if (peer == NULL)
		return false;
	revoked = tls_store_revokes(SSL_CTX_get_cert_store(ctx), peer);
	X509_free(peer);
	return revoked;
}

bool tls_peer_cn(SSL *ssl, char *out, size_t outlen)
{
	X509 *peer;
	X509_NAME *subj;
	ASN1_STRING *data;
	unsigned char *utf8 = NULL;
	int idx, n;
	bool ok = false;

	if (outlen > 0)
		out[0] = '\0';
	if (ssl == NULL || outlen == 0)
		return false;
	peer = SSL_get1_peer_certificate(ssl);
	if (peer == NULL)
		return false;
	if (SSL_get_verify_result(ssl) != X509_V_OK)
		goto out;
	subj = X509_get_subject_name(peer);
	idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	if (idx < 0)
		goto out;
	/* Two CNs would make the identity ambiguous: refuse rather than pick one. */
	if (X509_NAME_get_index_by_NID(subj, NID_commonName, idx) >= 0)
		goto out;
	data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
	n = ASN1_STRING_to_UTF8(&utf8, data);
	if (n <= 0 || (size_t)n >= outlen || memchr(utf8, '\0', (size_t)n) != NULL)
		goto out;
	memcpy(out, utf8, (size_t)n);
	out[n] = '\0';
	ok = true;
out:
	OPENSSL_free(utf8);
	X509_free(peer);
	return ok;
}
