/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca_x509: the OpenSSL side of kassa-ca: loading the head-office CA (its
 * certificate and the key that must match it), issuing a till's client
 * certificate, and signing the CRL from the index (ca_index.h). Nothing
 * here writes a file; kassa_ca.c does, after every check has passed.
 */
#ifndef KASSA_CA_X509_H
#define KASSA_CA_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca_index.h"

typedef struct CaKeys {
	X509 *cert;			/* the CA certificate */
	EVP_PKEY *key;			/* its private key (NULL when only the certificate is needed) */
} CaKeys;

/* What a call failed on: a translated message for the user, and the exit code. */
typedef struct CaErr {
	char msg[512];
	int code;			/* 1: something failed; 2: bad input */
} CaErr;

/* Set e (msg is a translated format) and return false. */
bool ca_err(CaErr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Load the CA certificate (PEM) and, when key_path is not NULL, its key;
 * false (exit code 2) if either cannot be read, the certificate is not a
 * CA, or the key does not belong to it.
 */
bool ca_keys_load(CaKeys *k, const char *cert_path, const char *key_path, CaErr *e);
void ca_keys_free(CaKeys *k);

/* A till's new key and certificate, as PEM, and what the index records. */
typedef struct CaIssued {
	char *key_pem, *cert_pem;	/* malloc'd */
	char serial[80];		/* upper-case hex */
	char not_after[32];		/* index form (YYMMDDHHMMSSZ) */
	char subject[256];		/* "/O=Kassa/OU=KIND/CN=CODE" */
} CaIssued;

/*
 * Issue a certificate for code: a new EC P-256 key, subject
 * /O=Kassa/OU=kind/CN=code, days days of validity (from 5 minutes ago, for
 * clocks a little behind), client-auth EKU, a random positive 128-bit
 * serial not in ix, signed by the CA.
 */
bool ca_issue(const CaKeys *k, const CaIndex *ix, const char *code, const char *kind, int days,
	      CaIssued *out, CaErr *e);
void ca_issued_free(CaIssued *out);

/*
 * The CRL of every revoked entry of ix, number crl_number (hex), valid
 * for days days, signed by the CA; PEM in *pem (malloc'd).
 */
bool ca_crl_sign(const CaKeys *k, const CaIndex *ix, const char *crl_number, int days,
		 char **pem, CaErr *e);
/* The CRL number (hex, malloc'd) of the PEM CRL at path when it is this CA's; NULL otherwise. */
char *ca_crl_number(const CaKeys *k, const char *path);

/* A certificate file: its serial (hex), subject, expiry (index form); false if not this CA's. */
bool ca_cert_read(const CaKeys *k, const char *path, char *serial, size_t serlen,
		  char *subject, size_t sublen, char *not_after, size_t nalen, CaErr *e);

/* Now as an index time (UTCTime, YYMMDDHHMMSSZ). */
void ca_time_now(char *out, size_t outlen);
/* An index time as ISO 8601 UTC ("2026-12-02T12:30:00Z") into out; "" if unreadable. */
void ca_time_iso(const char *t, char *out, size_t outlen);
/* The index time t is in the past. */
bool ca_time_past(const char *t);

#endif
