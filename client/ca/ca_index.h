/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca_index: kassa-ca's record of the certificates a CA issued and revoked,
 * the index.txt of `openssl ca` kept in ca-db/ next to the CA certificate
 * (scripts/gen-certs.sh keeps its revocations there too, so both tools
 * share one record and one CRL). One line per certificate, six fields
 * separated by tabs:
 *
 *	STATUS  NOT_AFTER  REVOKED  SERIAL  FILE  SUBJECT
 *	V       281231235959Z        7F3A...  unknown  /O=Kassa/OU=till/CN=S001-T9
 *	R       281231235959Z  261202123000Z,keyCompromise  7F3A...  unknown  /O=...
 *
 * STATUS V (valid), R (revoked) or E (expired); times are UTCTime
 * (YYMMDDHHMMSSZ) or GeneralizedTime; SERIAL is upper-case hexadecimal;
 * FILE is where the certificate was written or "unknown". ca-db/crlnumber
 * holds the next CRL number in hexadecimal, as `openssl ca` keeps it.
 */
#ifndef KASSA_CA_INDEX_H
#define KASSA_CA_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#define CA_CODE_MAX 64

typedef struct CaEntry {
	char status;			/* 'V', 'R', 'E' */
	char *not_after;		/* owned */
	char *revoked;			/* owned: "" or "TIME[,reason]" */
	char *serial;			/* owned: upper-case hex */
	char *file;			/* owned */
	char *subject;			/* owned: "/O=Kassa/OU=till/CN=CODE" */
} CaEntry;

typedef struct CaIndex {
	CaEntry *v;
	size_t n, cap;
} CaIndex;

/* A till code kassad and kassa-ca accept: 1-64 characters of [A-Za-z0-9._-]. */
bool ca_code_ok(const char *code);

/* Parse index text (NUL-ended) into ix (empty first); false on a malformed line (*line = its number). */
bool ca_index_parse(CaIndex *ix, const char *text, size_t *line);
/* The index as text (malloc'd), one line per entry, in order. */
char *ca_index_format(const CaIndex *ix);
/* Append an entry (the strings are copied). */
void ca_index_add(CaIndex *ix, char status, const char *not_after, const char *revoked,
		  const char *serial, const char *file, const char *subject);
void ca_index_free(CaIndex *ix);

/* The CN of a subject "/.../CN=X/..." into out (outlen bytes); false if none. */
bool ca_subject_cn(const char *subject, char *out, size_t outlen);
/* The value of OU in subject into out, or "" if none. */
void ca_subject_ou(const char *subject, char *out, size_t outlen);
/* The entry with this serial (hex, any case, leading zeros ignored), or NULL. */
CaEntry *ca_index_find_serial(CaIndex *ix, const char *serial);

/* Read a whole file into a NUL-ended malloc'd string; NULL if it cannot be read. */
char *ca_file_read(const char *path);
/*
 * Write data to path atomically (a temporary file next to it, then
 * rename) with the given mode; false on any error (errno set), nothing
 * left behind then.
 */
bool ca_file_write(const char *path, const char *data, size_t len, unsigned mode);

#endif
