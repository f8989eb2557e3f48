/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_wire: bad input on the wire. Oversized, empty and undecodable
 * frames, random bytes, unknown request types, invalid UTF-8, strings with
 * a NUL byte inside (which protobuf-c would cut short) and encodings that
 * are not canonical, requests before Hello, and clients without a
 * certificate or with one from another CA are each refused, and the server
 * goes on serving a well-behaved till that was connected all along.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "itest.h"
#include "util.h"

static KcOptions opts(Harness *h, const char *code, char *cert, char *key, char *ca)
{
	KcOptions o = { 0 };

	snprintf(cert, 1024, "%s", harness_cert(h, code, ".crt"));
	snprintf(key, 1024, "%s", harness_cert(h, code, ".key"));
	snprintf(ca, 1024, "%s", harness_cert(h, "ca", ".crt"));
	o.host = h->host;
	o.port = h->port;
	o.cert = cert;
	o.key = key;
	o.ca = ca;
	o.server_name = "localhost";
	o.io_timeout_ms = 10000;
	return o;
}

/* Read one whole response frame; NULL if the connection closed or timed out. */
static Kassa__V1__Response *read_frame(KassaClient *kc)
{
	uint8_t hdr[4], *body;
	size_t got = 0;
	uint32_t len;
	Kassa__V1__Response *r;

	while (got < 4) {
		ssize_t n = kc_read_raw(kc, hdr + got, 4 - got, 10000);

		if (n <= 0)
			return NULL;
		got += (size_t)n;
	}
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (len > 1 << 20)
		return NULL;
	body = malloc(len + 1);
	for (got = 0; got < len;) {
		ssize_t n = kc_read_raw(kc, body + got, len - got, 10000);

		if (n <= 0) {
			free(body);
			return NULL;
		}
		got += (size_t)n;
	}
	r = kassa__v1__response__unpack(NULL, len, body);
	free(body);
	return r;
}

/* Has the server closed the connection (EOF, not a timeout)? */
static bool is_closed(KassaClient *kc)
{
	uint8_t b;

	return kc_read_raw(kc, &b, 1, 10000) == 0;
}

/* The bystander till still gets answers. */
static void still_serving(Harness *h, KassaClient *bystander, const char *after)
{
	Kassa__V1__Response *r = NULL;

	(void)h;
	CHECK(kc_product_lookup(bystander, "SKU-APPLE", &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__OK && r->product &&
	      r->product->price->minor == 1250, "server still serves after %s", after);
	kc_response_free(r);
}

static KassaClient *bystander;

/* Guards: a frame longer than the maximum is refused and the connection closed. */
static void test_oversized_frame(Harness *h)
{
	KassaClient *kc = it_connect(h, "S001-T2");
	uint8_t hdr[4] = { 0x00, 0x10, 0x00, 0x01 };	/* 1 MiB + 1 */
	Kassa__V1__Response *r;

	if (kc == NULL)
		return;
	CHECK(kc_write_raw(kc, hdr, 4), "header written");
	r = read_frame(kc);
	CHECK(r && kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	      strcmp(kc_detail(r), "FRAME_TOO_LARGE") == 0, "FRAME_TOO_LARGE answer");
	CHECK(is_closed(kc), "connection closed");
	kc_response_free(r);
	kc_free(kc);
	still_serving(h, bystander, "an oversized frame");
}

/* Guards: a zero-length frame is refused and the connection closed. */
static void test_empty_frame(Harness *h)
{
	KassaClient *kc = it_connect(h, "S001-T2");
	uint8_t hdr[4] = { 0, 0, 0, 0 };
	Kassa__V1__Response *r;

	if (kc == NULL)
		return;
	CHECK(kc_write_raw(kc, hdr, 4), "header written");
	r = read_frame(kc);
	CHECK(r && strcmp(kc_detail(r), "EMPTY_FRAME") == 0, "EMPTY_FRAME answer");
	CHECK(is_closed(kc), "connection closed");
	kc_response_free(r);
	kc_free(kc);
	still_serving(h, bystander, "an empty frame");
}

/* Guards: random bytes right after the handshake do not hurt the server. */
static void test_random_bytes(Harness *h)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];
	KcOptions o = opts(h, "S001-T2", cert, key, ca);
	KassaClient *kc = kc_connect_raw(&o, err, sizeof(err));
	uint8_t junk[4096];
	unsigned seed = 12345;

	CHECK(kc != NULL, "raw connect: %s", err);
	if (kc == NULL)
		return;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(rand_r(&seed) >> 7);
	junk[0] = 0xde;	/* announce an absurd length, as noise on a wire would */
	CHECK(kc_write_raw(kc, junk, sizeof(junk)), "junk written");
	Kassa__V1__Response *r = read_frame(kc);
	CHECK(r == NULL || kc_status(r) != KASSA__V1__STATUS_CODE__OK, "no success for junk");
	kc_response_free(r);
	CHECK(is_closed(kc), "connection closed");
	kc_free(kc);
	still_serving(h, bystander, "random bytes");
}

/* Guards: an undecodable body gets an error, and framing stays in sync. */
static void test_undecodable_body(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	uint8_t frame[4 + 6] = { 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	Kassa__V1__Response *r;

	if (kc == NULL)
		return;
	CHECK(kc_write_raw(kc, frame, sizeof(frame)), "bad body written");
	r = read_frame(kc);
	CHECK(r && kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	      strcmp(kc_detail(r), "MALFORMED_MESSAGE") == 0, "MALFORMED_MESSAGE answer");
	kc_response_free(r);
	still_serving(h, kc, "an undecodable body on the same connection");
	kc_free(kc);
}

/* Guards: an unknown request type is UNIMPLEMENTED, not a crash or a hang. */
static void test_unknown_type(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	/* Request{request_id=7, field 999 (length-delimited) = "hi"}: no request has it */
	uint8_t body[] = { 0x08, 0x07, 0xba, 0x3e, 0x02, 'h', 'i' };
	uint8_t hdr[4] = { 0, 0, 0, sizeof(body) };
	Kassa__V1__Response *r;

	if (kc == NULL)
		return;
	CHECK(kc_write_raw(kc, hdr, 4) && kc_write_raw(kc, body, sizeof(body)), "written");
	r = read_frame(kc);
	CHECK(r && r->request_id == 7 && kc_status(r) == KASSA__V1__STATUS_CODE__UNIMPLEMENTED,
	      "UNIMPLEMENTED for request 7");
	kc_response_free(r);
	still_serving(h, kc, "an unknown request type");
	kc_free(kc);
}

/* Guards: invalid UTF-8 in any string field is refused before it reaches the database. */
static void test_invalid_utf8(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	int64_t before = it_sql_int(h, "SELECT count(*) FROM members");

	if (kc == NULL)
		return;
	kc_new_key(key);
	reg.name = (char *)"Bad \xc3\x28 Name";
	reg.phone = (char *)"+86 139 1111 2222";
	req.idempotency_key = key;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_REGISTER;
	req.member_register = &reg;
	CHECK(kc_call(kc, &req, &r) == KC_OK && kc_status(r) ==
	      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT && strcmp(kc_detail(r), "INVALID_UTF8") == 0,
	      "INVALID_UTF8 answer: %s", r ? kc_detail(r) : "-");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members") == before, "nothing stored");
	kc_response_free(r);
	kc_free(kc);
}

/*
 * Pack req into frame (header + body), then overwrite the first byte 'X'
 * of the body's first occurrence of marker with a NUL: a string with a NUL
 * inside, which the client library could not send. Returns the frame's
 * length, 0 (and a failure) if marker is not there.
 */
static size_t frame_with_nul(const Kassa__V1__Request *req, const char *marker,
			     uint8_t *frame, size_t cap)
{
	size_t n = kassa__v1__request__get_packed_size(req), m = strlen(marker);

	if (!CHECK(n + 4 <= cap, "request fits"))
		return 0;
	kassa__v1__request__pack(req, frame + 4);
	store_be32(frame, (uint32_t)n);
	for (size_t i = 4; i + m <= n + 4; i++) {
		if (memcmp(frame + i, marker, m) == 0) {
			uint8_t *x = memchr(frame + i, 'X', m);

			if (!CHECK(x != NULL, "marker %s has an X", marker))
				return 0;
			*x = 0;
			return n + 4;
		}
	}
	CHECK(false, "marker %s not found in the packed request", marker);
	return 0;
}

/* Send a whole frame as is and read the answer; NULL + failure if none. */
static Kassa__V1__Response *send_frame(KassaClient *kc, const uint8_t *frame, size_t n)
{
	Kassa__V1__Response *r;

	if (n == 0 || !CHECK(kc_write_raw(kc, frame, n), "frame written"))
		return NULL;
	r = read_frame(kc);
	CHECK(r != NULL, "an answer to the frame");
	return r;
}

static bool is_malformed(const Kassa__V1__Response *r, uint64_t id)
{
	return r && r->request_id == id && kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	       strcmp(kc_detail(r), "MALFORMED_REQUEST") == 0;
}

static int64_t members_with_phone(Harness *h, const char *phone)
{
	return it_sql_int(h, "SELECT count(*) FROM members WHERE phone = '%s'", phone);
}

/*
 * Register a member named name_marker (its X becomes a NUL) with key
 * key_marker (likewise, if it has an X); the answer, or NULL.
 */
static Kassa__V1__Response *register_with_nul(KassaClient *kc, uint64_t id, const char *name,
					      const char *phone, const char *key,
					      const char *marker)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	uint8_t frame[512];

	reg.name = (char *)name;
	reg.phone = (char *)phone;
	req.request_id = id;
	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_REGISTER;
	req.member_register = &reg;
	return send_frame(kc, frame, frame_with_nul(&req, marker, frame, sizeof(frame)));
}

/* Guards: a name "Ab\0cd" is refused whole, not stored as "Ab" (issue 7). */
static void test_nul_in_name(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r;
	char phone[32], key[KC_KEY_LEN];

	if (kc == NULL)
		return;
	it_fresh_phone(phone);
	kc_new_key(key);
	r = register_with_nul(kc, 41, "AbXcd", phone, key, "AbXcd");
	CHECK(is_malformed(r, 41), "a NUL inside a name is MALFORMED_REQUEST: %s %s",
	      r ? kc_detail(r) : "-", r ? kc_message(r) : "");
	CHECK(members_with_phone(h, phone) == 0, "no member stored");
	kc_response_free(r);
	still_serving(h, kc, "a string with a NUL inside, on the same connection");
	kc_free(kc);
}

/* Guards: invalid UTF-8 hidden behind a NUL is refused, not stored. */
static void test_bad_utf8_after_nul(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r;
	char phone[32], key[KC_KEY_LEN];

	if (kc == NULL)
		return;
	it_fresh_phone(phone);
	kc_new_key(key);
	r = register_with_nul(kc, 42, "AbX\xc3\x28", phone, key, "AbX\xc3\x28");
	CHECK(is_malformed(r, 42), "invalid UTF-8 after a NUL is refused: %s %s",
	      r ? kc_detail(r) : "-", r ? kc_message(r) : "");
	CHECK(members_with_phone(h, phone) == 0, "no member stored");
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: keys "K\0A" and "K\0B" are two refusals, not one key "K" and its replay. */
static void test_nul_in_key(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *a, *b;
	char phone[32], base[KC_KEY_LEN], ka[KC_KEY_LEN + 4], kb[KC_KEY_LEN + 4];

	if (kc == NULL)
		return;
	it_fresh_phone(phone);
	kc_new_key(base);
	snprintf(ka, sizeof(ka), "%.20sXA", base);
	snprintf(kb, sizeof(kb), "%.20sXB", base);
	a = register_with_nul(kc, 43, "Nul Key", phone, ka, ka);
	b = register_with_nul(kc, 44, "Nul Key", phone, kb, kb);
	CHECK(is_malformed(a, 43), "key K\\0A refused: %s %s", a ? kc_detail(a) : "-",
	      a ? kc_message(a) : "");
	CHECK(is_malformed(b, 44), "key K\\0B refused too, not answered as a replay: %s %s",
	      b ? kc_detail(b) : "-", b ? kc_message(b) : "");
	CHECK(members_with_phone(h, phone) == 0, "no member stored");
	kc_response_free(a);
	kc_response_free(b);
	kc_free(kc);
}

/*
 * Guards: an encoding that is not protobuf's canonical one (here an
 * overlong varint) is refused with the request's id, the connection stays
 * usable, and the same request sent canonically is served.
 */
static void test_not_canonical(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	/* Request{request_id = 9 (as 0x89 0x00), product_lookup(16) = {code = "SKU-APPLE"}} */
	uint8_t odd[] = { 0, 0, 0, 17, 0x08, 0x89, 0x00, 0x82, 0x01, 0x0b, 0x0a, 0x09,
			  'S', 'K', 'U', '-', 'A', 'P', 'P', 'L', 'E' };
	uint8_t fine[] = { 0, 0, 0, 16, 0x08, 0x0a, 0x82, 0x01, 0x0b, 0x0a, 0x09,
			   'S', 'K', 'U', '-', 'A', 'P', 'P', 'L', 'E' };
	Kassa__V1__Response *r;

	if (kc == NULL)
		return;
	r = send_frame(kc, odd, sizeof(odd));
	CHECK(is_malformed(r, 9), "an overlong varint is MALFORMED_REQUEST: %s",
	      r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = send_frame(kc, fine, sizeof(fine));
	CHECK(r && r->request_id == 10 && kc_status(r) == KASSA__V1__STATUS_CODE__OK &&
	      r->product && r->product->price->minor == 1250,
	      "the canonical request is served: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	still_serving(h, kc, "a non-canonical request on the same connection");
	kc_free(kc);
}

/* Guards: nothing but Hello is served before Hello. */
static void test_before_hello(Harness *h)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];
	KcOptions o = opts(h, "S001-T2", cert, key, ca);
	KassaClient *kc = kc_connect_raw(&o, err, sizeof(err));
	Kassa__V1__Response *r = NULL;

	CHECK(kc != NULL, "raw connect: %s", err);
	if (kc == NULL)
		return;
	CHECK(kc_product_lookup(kc, "SKU-APPLE", &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__UNAUTHENTICATED &&
	      strcmp(kc_detail(r), "HELLO_REQUIRED") == 0, "HELLO_REQUIRED");
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: mutual TLS: no certificate, or one from another CA, gets no session. */
static void test_tls_refusals(Harness *h)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];
	KcOptions o = opts(h, "rogue", cert, key, ca);
	KassaClient *kc;
	SSL_CTX *bare;

	kc = kc_connect(&o, err, sizeof(err));
	CHECK(kc == NULL, "a certificate from another CA is refused");
	kc_free(kc);

	bare = SSL_CTX_new(TLS_client_method());
	SSL_CTX_load_verify_locations(bare, ca, NULL);
	SSL_CTX_set_verify(bare, SSL_VERIFY_PEER, NULL);
	o = opts(h, "S001-T2", cert, key, ca);
	o.ctx = bare;
	kc = kc_connect(&o, err, sizeof(err));
	CHECK(kc == NULL, "a client without a certificate is refused");
	kc_free(kc);
	SSL_CTX_free(bare);
	still_serving(h, bystander, "refused handshakes");
}

/* Guards: a till that stops halfway through a frame is cut off (frame_timeout = 2 s here). */
static void test_stalled_frame(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	uint8_t half[6] = { 0, 0, 0, 40, 0x08, 0x01 };	/* announces 40 bytes, sends 2 */

	if (kc == NULL)
		return;
	CHECK(kc_write_raw(kc, half, sizeof(half)), "half a frame written");
	CHECK(is_closed(kc), "connection closed after the frame stalled");
	kc_free(kc);
	still_serving(h, bystander, "a stalled frame");
}

/* Guards: a revoked till certificate (on the CRL) gets no session. */
static void test_revoked(Harness *h)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];
	KcOptions o = opts(h, "S001-REVOKED", cert, key, ca);
	KassaClient *kc = kc_connect(&o, err, sizeof(err));

	CHECK(kc == NULL, "a revoked certificate is refused");
	kc_free(kc);
}

/* Guards: pipelined requests are all answered, each with its own request id. */
static void test_pipelining(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	const char *codes[] = { "SKU-APPLE", "SKU-RICE", "NO-SUCH", "SKU-TEA", "SKU-WATER" };
	const int64_t prices[] = { 1250, 7500, -1, 1000, 200 };
	uint64_t ids[5];
	int answered = 0;

	if (kc == NULL)
		return;
	for (int i = 0; i < 5; i++) {
		Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
		Kassa__V1__ProductLookup pl = KASSA__V1__PRODUCT_LOOKUP__INIT;

		pl.code = (char *)codes[i];
		req.body_case = KASSA__V1__REQUEST__BODY_PRODUCT_LOOKUP;
		req.product_lookup = &pl;
		CHECK(kc_send(kc, &req, &ids[i]) == KC_OK, "request %d sent", i);
	}
	for (int i = 4; i >= 0; i--) {	/* collect in reverse: ids must match up */
		Kassa__V1__Response *r = NULL;

		if (kc_recv_id(kc, ids[i], &r) != KC_OK)
			continue;
		if (prices[i] < 0)
			answered += kc_status(r) == KASSA__V1__STATUS_CODE__NOT_FOUND;
		else
			answered += kc_status(r) == KASSA__V1__STATUS_CODE__OK && r->product &&
				    r->product->price->minor == prices[i];
		kc_response_free(r);
	}
	CHECK(answered == 5, "%d of 5 pipelined requests answered correctly", answered);
	kc_free(kc);
}

/*
 * How much kassad may grow while a till floods it without reading. Under
 * AddressSanitizer freed memory sits in a quarantine (256 MB by default), so
 * RSS follows churn, not live buffers: allow for that there.
 */
#if defined(__SANITIZE_ADDRESS__)
#define UNREAD_GROWTH_MAX_KB (600L * 1024)
#else
#define UNREAD_GROWTH_MAX_KB (64L * 1024)
#endif

static long kassad_rss_kb(Harness *h)
{
	char path[64], line[256];
	long kb = -1;
	pid_t pid = harness_kassad_pid(h);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* Guards: a till that sends without reading its answers cannot make kassad buffer them all. */
static void test_unread_answers(Harness *h)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];
	KcOptions o = opts(h, "S001-T2", cert, key, ca);
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberSearch ms = KASSA__V1__MEMBER_SEARCH__INIT;
	Kassa__V1__Response *r = NULL;
	KassaClient *kc;
	uint8_t frame[256];
	size_t n;
	long rss0, rss1;
	int sent = 0;
	const int tries = 200000;

	o.io_timeout_ms = 2000;	/* a write that blocks this long: kassad stopped reading */
	kc = kc_connect(&o, err, sizeof(err));
	CHECK(kc != NULL, "connect: %s", err);
	if (kc == NULL)
		return;
	CHECK(kc_login(kc, 1001, "1234", &r) == KC_OK && kc_status(r) == 0, "login");
	kc_response_free(r);
	ms.by_case = KASSA__V1__MEMBER_SEARCH__BY_NAME_PREFIX;
	ms.name_prefix = (char *)"\xe7\x8e\x8b";	/* "王": a few dozen members, a few kB an answer */
	ms.limit = 200;
	req.request_id = 1;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_SEARCH;
	req.member_search = &ms;
	n = kassa__v1__request__get_packed_size(&req);
	kassa__v1__request__pack(&req, frame + 4);
	frame[0] = frame[1] = 0;
	frame[2] = (uint8_t)(n >> 8);
	frame[3] = (uint8_t)n;
	rss0 = kassad_rss_kb(h);
	rss1 = rss0;
	while (sent < tries && kc_write_raw(kc, frame, n + 4)) {
		if (++sent % 1000 == 0 && (rss1 = kassad_rss_kb(h)) - rss0 > UNREAD_GROWTH_MAX_KB)
			break;	/* growing without bound: no need to go on */
	}
	rss1 = kassad_rss_kb(h);
	printf("# %d requests sent before kassad stopped reading; RSS %ld -> %ld kB\n", sent, rss0,
	       rss1);
	CHECK(sent < tries, "kassad stopped reading from a till that does not read");
	CHECK(rss1 - rss0 < UNREAD_GROWTH_MAX_KB, "kassad grew by %ld kB, not without bound",
	      rss1 - rss0);
	kc_free(kc);
	still_serving(h, bystander, "a till that did not read its answers");
}

static void setup(Harness *h)
{
	bystander = it_cashier(h);
}

static void test_bystander_first(Harness *h)
{
	setup(h);
	CHECK(bystander != NULL, "bystander connected");
}

static void test_bystander_last(Harness *h)
{
	if (bystander)
		still_serving(h, bystander, "all of the above");
	kc_free(bystander);
	bystander = NULL;
}

static const HarnessTest tests[] = {
	{ "bystander_connects", test_bystander_first },
	{ "oversized_frame", test_oversized_frame },
	{ "empty_frame", test_empty_frame },
	{ "random_bytes", test_random_bytes },
	{ "undecodable_body", test_undecodable_body },
	{ "unknown_type", test_unknown_type },
	{ "invalid_utf8", test_invalid_utf8 },
	{ "nul_in_name", test_nul_in_name },
	{ "bad_utf8_after_nul", test_bad_utf8_after_nul },
	{ "nul_in_key", test_nul_in_key },
	{ "not_canonical", test_not_canonical },
	{ "before_hello", test_before_hello },
	{ "tls_refusals", test_tls_refusals },
	{ "revoked_certificate", test_revoked },
	{ "stalled_frame", test_stalled_frame },
	{ "pipelining", test_pipelining },
	{ "unread_answers", test_unread_answers },
	{ "bystander_still_served", test_bystander_last },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
