/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca_x509.c: kassa-ca's certificates and CRLs through OpenSSL's API (see
 * ca_x509.h).
 */
#include "ca_x509.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "i18n.h"
#include "util.h"

#define CA_BACKDATE_S 300		/* notBefore: 5 minutes ago */

bool ca_err(CaErr *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->code = code;
	ERR_clear_error();
	return false;
}

static X509 *cert_load(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (f == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return x;
}

bool ca_keys_load(CaKeys *k, const char *cert_path, const char *key_path, CaErr *e)
{
	FILE *f;

	k->cert = cert_load(cert_path);
	k->key = NULL;
	if (k->cert == NULL)
		return ca_err(e, 2, _("cannot read the CA certificate %s"), cert_path);
	if (X509_check_ca(k->cert) == 0) {
		ca_keys_free(k);
		return ca_err(e, 2, _("%s is not a CA certificate"), cert_path);
	}
	if (key_path == NULL)
		return true;
	f = fopen(key_path, "r");
	if (f != NULL) {
		k->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (k->key == NULL) {
		ca_keys_free(k);
		return ca_err(e, 2, _("cannot read the CA key %s"), key_path);
	}
	if (X509_check_private_key(k->cert, k->key) != 1) {
		ca_keys_free(k);
		return ca_err(e, 2, _("the CA key %s does not belong to the CA certificate %s"),
			      key_path, cert_path);
	}
	return true;
}

void ca_keys_free(CaKeys *k)
{
	X509_free(k->cert);
	EVP_PKEY_free(k->key);
	k->cert = NULL;
	k->key = NULL;
}

/* The digest to sign with: none for EdDSA keys, else SHA-256. */
static const EVP_MD *sign_md(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_id(key);

	return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ? NULL : EVP_sha256();
}

/* A memory BIO's contents as a malloc'd string; frees the BIO. */
static char *bio_string(BIO *b)
{
	char *data, *out;
	long n = BIO_get_mem_data(b, &data);

	out = xmalloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(b);
	return out;
}

/* An ASN1_TIME as the index has it (its text: UTCTime or GeneralizedTime). */
static void time_index(const ASN1_TIME *t, char *out, size_t outlen)
{
	int n = ASN1_STRING_length(t);

	snprintf(out, outlen, "%.*s", n, (const char *)ASN1_STRING_get0_data(t));
}

void ca_time_now(char *out, size_t outlen)
{
	ASN1_TIME *t = X509_gmtime_adj(NULL, 0);

	time_index(t, out, outlen);
	ASN1_TIME_free(t);
}

void ca_time_iso(const char *t, char *out, size_t outlen)
{
	ASN1_TIME *a = ASN1_TIME_new();
	struct tm tm;

	out[0] = '\0';
	if (a != NULL && ASN1_TIME_set_string(a, t) == 1 && ASN1_TIME_to_tm(a, &tm) == 1)
		strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ASN1_TIME_free(a);
}

bool ca_time_past(const char *t)
{
	ASN1_TIME *a = ASN1_TIME_new();
	bool past = false;

	if (a != NULL && ASN1_TIME_set_string(a, t) == 1)
		past = X509_cmp_current_time(a) < 0;
	ASN1_TIME_free(a);
	return past;
}

/* A random positive 128-bit serial (top bits 01: always 16 bytes) not in ix. */
static BIGNUM *serial_new(const CaIndex *ix, char *hex, size_t hexlen)
{
	unsigned char b[16];
	BIGNUM *bn = NULL;
	char *h;

	for (int tries = 0; tries < 8; tries++) {
		if (RAND_bytes(b, sizeof(b)) != 1)
			return NULL;
		b[0] = (unsigned char)((b[0] & 0x3f) | 0x40);
		BN_free(bn);
		bn = BN_bin2bn(b, sizeof(b), NULL);
		h = bn ? BN_bn2hex(bn) : NULL;
		if (h == NULL)
			break;
		snprintf(hex, hexlen, "%s", h);
		OPENSSL_free(h);
		if (ca_index_find_serial((CaIndex *)ix, hex) == NULL)
			return bn;
	}
	BN_free(bn);
	return NULL;
}

/* Add extension nid = value (in OpenSSL's config syntax) to x. */
static bool ext_add(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	bool ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

/* The certificate's fields and extensions (not yet signed). */
static bool cert_fill(X509 *x, const CaKeys *k, EVP_PKEY *pkey, BIGNUM *serial, const char *code,
		      const char *kind, int days)
{
	X509_NAME *name = X509_get_subject_name(x);
	ASN1_INTEGER *sn = BN_to_ASN1_INTEGER(serial, NULL);
	X509V3_CTX ctx;
	bool ok = sn != NULL && X509_set_version(x, 2) == 1 && X509_set_serialNumber(x, sn) == 1;

	ASN1_INTEGER_free(sn);
	ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -CA_BACKDATE_S) != NULL &&
	     X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) != NULL &&
	     X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)"Kassa", -1, -1, 0) == 1 &&
	     X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
					(const unsigned char *)kind, -1, -1, 0) == 1 &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)code, -1, -1, 0) == 1 &&
	     X509_set_issuer_name(x, X509_get_subject_name(k->cert)) == 1 &&
	     X509_set_pubkey(x, pkey) == 1;
	if (!ok)
		return false;
	X509V3_set_ctx(&ctx, k->cert, x, NULL, NULL, 0);
	return ext_add(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
	       ext_add(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
	       ext_add(x, &ctx, NID_ext_key_usage, "clientAuth") &&
	       ext_add(x, &ctx, NID_subject_key_identifier, "hash") &&
	       ext_add(x, &ctx, NID_authority_key_identifier, "keyid:always") &&
	       X509_sign(x, k->key, sign_md(k->key)) > 0;
}

bool ca_issue(const CaKeys *k, const CaIndex *ix, const char *code, const char *kind, int days,
	      CaIssued *out, CaErr *e)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	BIGNUM *serial = serial_new(ix, out->serial, sizeof(out->serial));
	X509 *x = X509_new();
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	char *subj;
	bool ok;

	out->key_pem = out->cert_pem = NULL;
	ok = pkey != NULL && serial != NULL && x != NULL && kb != NULL && cb != NULL &&
	     cert_fill(x, k, pkey, serial, code, kind, days) &&
	     PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
	     PEM_write_bio_X509(cb, x) == 1;
	if (ok) {
		time_index(X509_get0_notAfter(x), out->not_after, sizeof(out->not_after));
		subj = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
		snprintf(out->subject, sizeof(out->subject), "%s", subj ? subj : "");
		OPENSSL_free(subj);
		out->key_pem = bio_string(kb);
		out->cert_pem = bio_string(cb);
	} else {
		BIO_free(kb);
		BIO_free(cb);
	}
	X509_free(x);
	BN_free(serial);
	EVP_PKEY_free(pkey);
	if (!ok)
		return ca_err(e, 1, "%s", _("could not make the certificate (OpenSSL failed)"));
	return true;
}

void ca_issued_free(CaIssued *out)
{
	free(out->key_pem);
	free(out->cert_pem);
	out->key_pem = out->cert_pem = NULL;
}

/* The CRL reason code of an index reason name ("keyCompromise"); -1 if none. */
static int reason_code(const char *name)
{
	static const char *const names[] = {
		"unspecified", "keyCompromise", "CACompromise", "affiliationChanged",
		"superseded", "cessationOfOperation", "certificateHold", NULL, "removeFromCRL",
	};

	for (int i = 0; i < (int)ARRAY_SIZE(names); i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* Entry e (revoked) as an X509_REVOKED of crl. */
static bool crl_add_entry(X509_CRL *crl, const CaEntry *e)
{
	char when[40];
	const char *comma = strchr(e->revoked, ',');
	size_t n = comma ? (size_t)(comma - e->revoked) : strlen(e->revoked);
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *t = ASN1_TIME_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *sn = NULL;
	int reason = comma ? reason_code(comma + 1) : -1;
	bool ok;

	snprintf(when, sizeof(when), "%.*s", (int)n, e->revoked);
	ok = r != NULL && t != NULL && BN_hex2bn(&bn, e->serial) > 0 &&
	     (sn = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	     ASN1_TIME_set_string(t, when) == 1 && X509_REVOKED_set_serialNumber(r, sn) == 1 &&
	     X509_REVOKED_set_revocationDate(r, t) == 1;
	if (ok && reason >= 0) {
		ASN1_ENUMERATED *re = ASN1_ENUMERATED_new();

		ok = re != NULL && ASN1_ENUMERATED_set(re, reason) == 1 &&
		     X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, re, 0, 0) == 1;
		ASN1_ENUMERATED_free(re);
	}
	ok = ok && X509_CRL_add0_revoked(crl, r) == 1;
	if (!ok)
		X509_REVOKED_free(r);
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	return ok;
}

/* The CRL's header, extensions (AKI, number) and signature. */
static bool crl_finish(X509_CRL *crl, const CaKeys *k, const char *number, int days)
{
	ASN1_TIME *last = X509_gmtime_adj(NULL, 0);
	ASN1_TIME *next = X509_time_adj_ex(NULL, days, 0, NULL);
	BIGNUM *bn = NULL;
	ASN1_INTEGER *num = NULL;
	X509V3_CTX ctx;
	X509_EXTENSION *aki;
	bool ok;

	ok = last != NULL && next != NULL && X509_CRL_set_version(crl, 1) == 1 &&
	     X509_CRL_set_issuer_name(crl, X509_get_subject_name(k->cert)) == 1 &&
	     X509_CRL_set1_lastUpdate(crl, last) == 1 && X509_CRL_set1_nextUpdate(crl, next) == 1 &&
	     BN_hex2bn(&bn, number) > 0 && (num = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	     X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1;
	if (ok) {
		X509V3_set_ctx(&ctx, k->cert, NULL, NULL, crl, 0);
		aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
		ok = aki != NULL && X509_CRL_add_ext(crl, aki, -1) == 1;
		X509_EXTENSION_free(aki);
	}
	ok = ok && X509_CRL_sort(crl) == 1 && X509_CRL_sign(crl, k->key, sign_md(k->key)) > 0;
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_INTEGER_free(num);
	BN_free(bn);
	return ok;
}

bool ca_crl_sign(const CaKeys *k, const CaIndex *ix, const char *crl_number, int days,
		 char **pem, CaErr *e)
{
	X509_CRL *crl = X509_CRL_new();
	BIO *b = BIO_new(BIO_s_mem());
	bool ok = crl != NULL && b != NULL;

	for (size_t i = 0; ok && i < ix->n; i++)
		if (ix->v[i].status == 'R')
			ok = crl_add_entry(crl, &ix->v[i]);
	ok = ok && crl_finish(crl, k, crl_number, days) && PEM_write_bio_X509_CRL(b, crl) == 1;
	X509_CRL_free(crl);
	*pem = NULL;
	if (!ok) {
		BIO_free(b);
		return ca_err(e, 1, "%s", _("could not sign the CRL (OpenSSL failed)"));
	}
	*pem = bio_string(b);
	return true;
}

char *ca_crl_number(const CaKeys *k, const char *path)
{
	FILE *f = fopen(path, "r");
	X509_CRL *crl = NULL;
	ASN1_INTEGER *num = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL, *out = NULL;
	EVP_PKEY *pub = X509_get0_pubkey(k->cert);

	if (f == NULL)
		return NULL;
	crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
	fclose(f);
	if (crl != NULL && pub != NULL && X509_CRL_verify(crl, pub) == 1)
		num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (num != NULL && (bn = ASN1_INTEGER_to_BN(num, NULL)) != NULL &&
	    (hex = BN_bn2hex(bn)) != NULL)
		out = xstrdup(hex);
	OPENSSL_free(hex);
	BN_free(bn);
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	ERR_clear_error();
	return out;
}

bool ca_cert_read(const CaKeys *k, const char *path, char *serial, size_t serlen,
		  char *subject, size_t sublen, char *not_after, size_t nalen, CaErr *e)
{
	X509 *x = cert_load(path);
	EVP_PKEY *pub = X509_get0_pubkey(k->cert);
	BIGNUM *bn;
	char *hex, *subj;

	if (x == NULL)
		return ca_err(e, 2, _("cannot read the certificate %s"), path);
	if (pub == NULL || X509_verify(x, pub) != 1) {
		X509_free(x);
		return ca_err(e, 2, _("the certificate %s was not issued by this CA"), path);
	}
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(serial, serlen, "%s", hex ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
	subj = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
	snprintf(subject, sublen, "%s", subj ? subj : "");
	OPENSSL_free(subj);
	time_index(X509_get0_notAfter(x), not_after, nalen);
	X509_free(x);
	ERR_clear_error();
	return serial[0] != '\0' || ca_err(e, 1, "%s", _("could not read the serial"));
}
