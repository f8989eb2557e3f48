/* SPDX-License-Identifier: Apache-2.0 */
/*
 * itest: shortcuts the integration tests share on top of the harness and
 * the real client library: connect as a given till certificate, log a
 * staff member in, register a member with a fresh phone, build a basket,
 * and read counts straight from PostgreSQL to check what was written.
 */
#ifndef KASSA_ITEST_H
#define KASSA_ITEST_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"
#include "kassa_client.h"

/* Connect with the certificate of till `code` (e.g. "S001-T1"); NULL + CHECK failure. */
KassaClient *it_connect(Harness *h, const char *code);
/* it_connect() then log staff_id in with pin; NULL on any failure. */
KassaClient *it_login(Harness *h, const char *code, int64_t staff_id, const char *pin);
/* The usual cashier at store S001. */
KassaClient *it_cashier(Harness *h);

/* A phone number no other test uses ("+86137" + 8 digits from pid, time, counter). */
void it_fresh_phone(char out[32]);
/* Register a member with a fresh phone; returns its id (0 on failure). */
int64_t it_register(Harness *h, KassaClient *kc, const char *name, char phone_out[32]);

/* SELECT returning one bigint; INT64_MIN on failure. */
int64_t it_sql_int(Harness *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Compare two responses' packed bytes (ignoring request ids). */
bool it_same_response(const Kassa__V1__Response *a, const Kassa__V1__Response *b);

#endif
