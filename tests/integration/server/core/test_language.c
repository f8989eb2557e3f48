/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_language: Status.message speaks the language the till's Hello
 * asked for (Hello.language), while Status.code and Status.detail stay the
 * same machine words. One refusal from each place a message is made: the
 * route gate on the loop thread (LOGIN_REQUIRED, before the handler), a
 * handler's database callback (UNKNOWN_PRODUCT), the PIN check that runs
 * on a worker thread (BAD_CREDENTIALS), the table of messages for the
 * details our SQL functions raise (IDEMPOTENCY_KEY_REUSED), and a database
 * callback that translates with _() itself, before call_db_ok (Feedback's
 * TRANSACTION_NOT_FOUND: db.c runs every callback in the locale its query
 * was sent in, the Call's). "zh_CN" and
 * "zh_CN.UTF-8" get the Chinese of po/zh_CN.po; "en", "" and a language
 * without a catalogue ("fr") get English. Two sessions in different
 * languages at once do not disturb each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "util.h"

typedef struct Refusal {
	const char *detail;
	const char *en, *zh;	/* the message in each language */
} Refusal;

static const Refusal login_required = { "LOGIN_REQUIRED", "log in with a staff id and PIN first",
					"请先用员工号和密码登录" };
static const Refusal unknown_product = { "UNKNOWN_PRODUCT", "no product has that SKU or barcode",
					 "没有货号或条码与此相符的商品" };
static const Refusal bad_credentials = { "BAD_CREDENTIALS", "unknown staff id or wrong PIN",
					 "员工号不存在或密码错误" };
static const Refusal no_such_sale = { "TRANSACTION_NOT_FOUND", "no such sale at this store",
				      "本店没有这笔销售" };
static const Refusal key_reused = { "IDEMPOTENCY_KEY_REUSED",
				    "this idempotency key was used for another request",
				    "此幂等键已用于另一个请求" };

static KassaClient *connect_lang(Harness *h, const char *lang)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];
	KcOptions o = { 0 };
	KassaClient *kc;

	snprintf(cert, sizeof(cert), "%s", harness_cert(h, "S001-T1", ".crt"));
	snprintf(key, sizeof(key), "%s", harness_cert(h, "S001-T1", ".key"));
	snprintf(ca, sizeof(ca), "%s", harness_cert(h, "ca", ".crt"));
	o.host = h->host;
	o.port = h->port;
	o.cert = cert;
	o.key = key;
	o.ca = ca;
	o.server_name = "localhost";
	o.client_software = "kassa-itest";
	o.language = lang;
	kc = kc_connect(&o, err, sizeof(err));
	CHECK(kc != NULL, "connect with language \"%s\": %s", lang, err);
	return kc;
}

/* r must be a refusal with want's detail and the message of the language. */
static void expect(const char *lang, const char *what, KcResult kr, Kassa__V1__Response *r,
		   const Refusal *want, bool zh)
{
	const char *msg = zh ? want->zh : want->en;

	if (!CHECK(kr == KC_OK && r != NULL, "[%s] %s: %s", lang, what, kc_result_name(kr)))
		return;
	CHECK(kc_status(r) != KASSA__V1__STATUS_CODE__OK, "[%s] %s: not refused", lang, what);
	CHECK(strcmp(kc_detail(r), want->detail) == 0, "[%s] %s: detail %s, want %s", lang, what,
	      kc_detail(r), want->detail);
	CHECK(strcmp(kc_message(r), msg) == 0, "[%s] %s: message \"%s\", want \"%s\"", lang, what,
	      kc_message(r), msg);
}

/* Each refusal in lang (a Chinese one when zh). */
static void refusals_in(Harness *h, const char *lang, bool zh)
{
	KassaClient *kc = connect_lang(h, lang);
	Kassa__V1__Response *r = NULL;
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	char key[KC_KEY_LEN], phone[32], code[64];
	KcResult kr;

	if (kc == NULL)
		return;
	it_fresh_name("NO-SUCH", code);
	kr = kc_product_lookup(kc, code, &r);
	expect(lang, "lookup before login", kr, r, &login_required, zh);
	kc_response_free(r);

	r = NULL;
	kr = kc_login(kc, 987654321, "999999", &r);	/* no such staff: argon2 still runs */
	expect(lang, "login of an unknown staff id", kr, r, &bad_credentials, zh);
	kc_response_free(r);

	r = NULL;
	if (!CHECK(kc_login(kc, 1001, "1234", &r) == KC_OK &&
		   kc_status(r) == KASSA__V1__STATUS_CODE__OK, "[%s] login: %s", lang,
		   r ? kc_message(r) : kc_last_error(kc)))
		goto out;
	kc_response_free(r);

	r = NULL;
	kr = kc_product_lookup(kc, code, &r);
	expect(lang, "lookup of an unknown code", kr, r, &unknown_product, zh);
	kc_response_free(r);

	/* the same key for another member: the SQL raises IDEMPOTENCY_KEY_REUSED */
	kc_new_key(key);
	it_fresh_phone(phone);
	reg.name = (char *)"语言测试";
	reg.phone = phone;
	r = NULL;
	CHECK(kc_member_register(kc, &reg, key, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__OK, "[%s] register: %s", lang,
	      r ? kc_message(r) : kc_last_error(kc));
	kc_response_free(r);
	it_fresh_phone(phone);
	r = NULL;
	kr = kc_member_register(kc, &reg, key, &r);
	expect(lang, "register again with the key", kr, r, &key_reused, zh);
	kc_response_free(r);

	kc_new_key(key);
	r = NULL;
	kr = kc_feedback(kc, 999999999999LL, "", 5, "", key, &r);
	expect(lang, "feedback on a sale that does not exist", kr, r, &no_such_sale, zh);
out:
	kc_response_free(r);
	kc_free(kc);
}

static void test_chinese(Harness *h)
{
	refusals_in(h, "zh_CN", true);
	refusals_in(h, "zh_CN.UTF-8", true);
}

static void test_english(Harness *h)
{
	refusals_in(h, "en", false);
	refusals_in(h, "", false);
	refusals_in(h, "fr", false);
}

/* Two sessions, one per language, interleaved on the one loop. */
static void test_side_by_side(Harness *h)
{
	KassaClient *zh = connect_lang(h, "zh_CN"), *en = connect_lang(h, "en");
	Kassa__V1__Response *r = NULL;
	char code[64];

	if (zh == NULL || en == NULL)
		goto out;
	it_fresh_name("NO-SUCH", code);
	for (int i = 0; i < 5; i++) {
		KassaClient *kc = (i % 2) ? en : zh;
		KcResult kr;

		r = NULL;
		kr = kc_product_lookup(kc, code, &r);
		expect(i % 2 ? "en" : "zh_CN", "interleaved lookup", kr, r, &login_required,
		       i % 2 == 0);
		kc_response_free(r);
	}
out:
	kc_free(zh);
	kc_free(en);
}

int main(int argc, char **argv)
{
	static const HarnessTest tests[] = {
		{ "chinese", test_chinese },
		{ "english", test_english },
		{ "side_by_side", test_side_by_side },
	};

	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
