/* SPDX-License-Identifier: Apache-2.0 */
/* itest.c: see itest.h. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

KassaClient *it_connect(Harness *h, const char *code)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];
	KcOptions o = { 0 };
	KassaClient *kc;

	snprintf(cert, sizeof(cert), "%s", harness_cert(h, code, ".crt"));
	snprintf(key, sizeof(key), "%s", harness_cert(h, code, ".key"));
	snprintf(ca, sizeof(ca), "%s", harness_cert(h, "ca", ".crt"));
	o.host = h->host;
	o.port = h->port;
	o.cert = cert;
	o.key = key;
	o.ca = ca;
	o.server_name = "localhost";
	o.client_software = "kassa-itest";
	kc = kc_connect(&o, err, sizeof(err));
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
