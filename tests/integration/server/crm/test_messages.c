/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_messages: messages to members (care/messages). Guards that a
 * template Put refuses an unknown placeholder (naming it), a broken brace,
 * a bad name, language or length and writes nothing, while a good one is
 * a new version, exactly once per key, audited and listed; that a member's
 * language is registered, updated and answered; that the birthday job
 * greets a consenting member whose preferred channel has an endpoint with
 * exactly one marketing message (their language's template, the coupon's
 * code in vars) however often it runs, greets nobody without consent (who
 * still gets the coupon) and queues nothing without an endpoint; and that
 * withdrawing consent through MemberUpdate cancels the pending marketing
 * message at once (a service message stays); and that the file sender
 * delivers the greeting rendered, the member's name and the coupon's code
 * in the English text.
 *
 * The environment's kassad runs the outbox sender every 100 ms: the test's
 * endpoint is a webhook on a loopback port nobody listens on, so its
 * deliveries fail and a row stays pending (or is being tried); the counts
 * below count rows whatever their state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"
#include "kc_templates.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_BAD KASSA__V1__STATUS_CODE__INVALID_ARGUMENT
#define SMS KASSA__V1__CHANNEL__CHANNEL_SMS
#define WECHAT KASSA__V1__CHANNEL__CHANNEL_WECHAT

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

static KassaClient *admin(Harness *h)
{
	return it_login(h, "HQ-OFFICE-1", 9001, "0000");
}

/* ---- templates ---- */

/* Put and expect a refusal with detail; the message must hold `names` if given. */
static void put_refused(KassaClient *kc, const char *name, const char *lang, const char *subject,
			const char *body, const char *detail, const char *names)
{
	Kassa__V1__Response *r = NULL;

	CHECK(kc_template_put(kc, name, lang, subject, body, NULL, &r) == KC_OK &&
	      is(r, ST_BAD, detail) && (names == NULL || strstr(kc_message(r), names) != NULL),
	      "put %s/%s \"%.40s\" refused %s: %s %s", name, lang, body, detail,
	      r ? kc_detail(r) : kc_last_error(kc), r ? kc_message(r) : "");
	kc_response_free(r);
}

/* Guards: bad templates are refused, naming the fault, and write nothing. */
static void test_template_refusals(Harness *h)
{
	KassaClient *kc = admin(h);
	char big[2100], name[64];
	int64_t before;

	if (kc == NULL)
		return;
	it_fresh_name("bad", name);
	for (char *p = name; *p; p++)
		*p = *p == '-' ? '_' : *p;
	before = it_sql_int(h, "SELECT count(*) FROM message_templates");
	put_refused(kc, name, "en", "", "Hi {nmae}!", "BAD_TEMPLATE", "{nmae}");
	put_refused(kc, name, "en", "Hello {who}", "Hi {name}", "BAD_TEMPLATE", "{who}");
	put_refused(kc, name, "zh_CN", "", "你好 {name", "BAD_TEMPLATE", NULL);
	put_refused(kc, name, "zh_CN", "", "你好 name}", "BAD_TEMPLATE", NULL);
	put_refused(kc, name, "zh_CN", "", "{}", "BAD_TEMPLATE", NULL);
	put_refused(kc, name, "fr", "", "Bonjour", "BAD_LANGUAGE", NULL);
	put_refused(kc, name, "", "", "Hi", "BAD_LANGUAGE", NULL);
	put_refused(kc, "Birthday", "en", "", "Hi", "BAD_NAME", NULL);
	put_refused(kc, "", "en", "", "Hi", "BAD_NAME", NULL);
	put_refused(kc, name, "en", "", "", "BAD_BODY", NULL);
	/* (bytes that are not UTF-8 never reach the handler: kassad's pbcheck refuses them) */
	put_refused(kc, name, "en", "", "a control \x01 character", "BAD_BODY", NULL);
	memset(big, 'x', 2001);
	big[2001] = '\0';
	put_refused(kc, name, "en", "", big, "BAD_BODY", NULL);
	big[201] = '\0';
	put_refused(kc, name, "en", big, "Hi", "BAD_SUBJECT", NULL);
	put_refused(kc, name, "en", "two\nlines", "Hi", "BAD_SUBJECT", NULL);
	CHECK(it_sql_int(h, "SELECT count(*) FROM message_templates") == before,
	      "no refused template was stored");
	kc_free(kc);
}

/* Guards: each Put is a new version, once per key, audited, listed; a cashier may not put. */
static void test_template_versions(Harness *h)
{
	KassaClient *kc = admin(h), *cashier = it_cashier(h);
	Kassa__V1__Response *r = NULL, *again = NULL, *list = NULL;
	char name[64], key[KC_KEY_LEN], zh2000[6100];
	bool listed = false;

	if (kc == NULL || cashier == NULL)
		goto out;
	it_fresh_name("tpl", name);
	for (char *p = name; *p; p++)
		*p = *p == '-' ? '_' : *p;
	kc_new_key(key);
	CHECK(kc_template_put(kc, name, "zh_CN", "{name}您好", "{name}，{{会员}}日快乐 {points}",
			      key, &r) == KC_OK && is(r, ST_OK, NULL) && r->message_template &&
	      r->message_template->version == 1 &&
	      strcmp(r->message_template->body, "{name}，{{会员}}日快乐 {points}") == 0,
	      "first version: %s %s", r ? kc_detail(r) : "-", r ? kc_message(r) : "");
	CHECK(kc_template_put(kc, name, "zh_CN", "{name}您好", "{name}，{{会员}}日快乐 {points}",
			      key, &again) == KC_OK && is(again, ST_OK, NULL) &&
	      it_same_response(r, again), "a retry with the key answers the same version");
	kc_response_free(again);
	again = NULL;
	/* 2000 Chinese characters are within the limit (6000 bytes) */
	for (int i = 0; i < 2000; i++)
		memcpy(zh2000 + 3 * i, "好", 3);
	zh2000[6000] = '\0';
	CHECK(kc_template_put(kc, name, "zh_CN", "", zh2000, NULL, &again) == KC_OK &&
	      is(again, ST_OK, NULL) && again->message_template->version == 2,
	      "a second Put is version 2: %s", again ? kc_detail(again) : "-");
	CHECK(it_sql_int(h, "SELECT count(*) FROM message_templates WHERE name = '%s'", name) == 2,
	      "two versions stored");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'template.put'"
			 " AND subject = 'template:%s/zh_CN' AND staff_id = 9001", name) == 2,
	      "each version audited once");
	if (CHECK(kc_template_list(kc, &list) == KC_OK && is(list, ST_OK, NULL) &&
		  list->report_table, "template list")) {
		for (size_t i = 0; i < list->report_table->n_rows; i++) {
			Kassa__V1__ReportRow *row = list->report_table->rows[i];

			if (row->n_cells >= 5 && strcmp(row->cells[0], name) == 0)
				listed = strcmp(row->cells[1], "zh_CN") == 0 &&
					 strcmp(row->cells[2], "2") == 0 &&
					 strlen(row->cells[4]) == 60 * 3 + strlen("…");
		}
	}
	CHECK(listed, "the list shows the newest version with a 60-character preview");
	kc_response_free(again);
	again = NULL;
	CHECK(kc_template_put(cashier, name, "en", "", "Hi", NULL, &again) == KC_OK &&
	      is(again, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, NULL),
	      "a cashier may not put a template");
out:
	kc_response_free(r);
	kc_response_free(again);
	kc_response_free(list);
	kc_free(kc);
	kc_free(cashier);
}

/* ---- members' language ---- */

/*
 * Register a member whose birthday is today, with consent, channel and
 * language ("" = not given); returns the id, 0 + failure.
 */
static int64_t member_new(Harness *h, KassaClient *kc, bool consent,
			  Kassa__V1__Channel channel, const char *language)
{
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	char phone[32], birthday[16];
	int64_t id = 0;

	it_fresh_phone(phone);
	if (!harness_psql_scalar(h, "SELECT to_char(current_date - interval '30 years',"
				 " 'YYYY-MM-DD')", birthday, sizeof(birthday)))
		return 0;
	reg.name = (char *)"Greeting Member";
	reg.phone = phone;
	reg.birthday = birthday;
	reg.marketing_consent = consent;
	reg.preferred_channel = channel;
	reg.language = (char *)language;
	if (kc_member_register(kc, &reg, NULL, &r) == KC_OK && is(r, ST_OK, NULL) &&
	    r->body_case == KASSA__V1__RESPONSE__BODY_MEMBER)
		id = r->member->member_id;
	CHECK(id > 0 && strcmp(r->member->language, language[0] ? language : "zh_CN") == 0,
	      "register (%s): %s", language, r ? kc_message(r) : kc_last_error(kc));
	kc_response_free(r);
	return id;
}

/* Guards: the language is registered, defaulted, updated, refused when unknown. */
static void test_language(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__MemberRegister v = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	const char *fields[] = { "language" };
	int64_t id;

	if (kc == NULL)
		return;
	id = member_new(h, kc, false, SMS, "");
	if (id == 0)
		goto out;
	v.language = (char *)"en";
	CHECK(kc_member_update(kc, id, &v, fields, 1, NULL, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      strcmp(r->member->language, "en") == 0, "updated to en");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld"
			 " AND language = 'en'", (long long)id) == 1, "stored");
	v.language = (char *)"de";
	CHECK(kc_member_update(kc, id, &v, fields, 1, NULL, &r) == KC_OK &&
	      is(r, ST_BAD, "BAD_LANGUAGE"), "de refused");
	kc_response_free(r);
	r = NULL;
	v.language = (char *)"";
	CHECK(kc_member_update(kc, id, &v, fields, 1, NULL, &r) == KC_OK &&
	      is(r, ST_BAD, "BAD_LANGUAGE"), "an empty language refused in an update");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_member_get_by_id(kc, id, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      strcmp(r->member->language, "en") == 0, "MemberGet answers the language");
out:
	kc_response_free(r);
	kc_free(kc);
}

/* ---- birthday greetings ---- */

typedef struct Fixture {
	char endpoint[64];	/* an active webhook endpoint taking SMS, delivering nowhere */
	int64_t def;		/* a birthday coupon definition of this run */
} Fixture;

static bool fixture_up(Harness *h, Fixture *f)
{
	char name[64], port[16];

	it_fresh_name("bday", name);
	snprintf(f->endpoint, sizeof(f->endpoint), "msg-%d", (int)getpid());
	if (!CHECK(it_free_port(port), "a free port"))
		return false;
	if (!it_sqlf(h, "INSERT INTO endpoints (name, kind, url, channels)"
		     " VALUES ('%s', 'webhook', 'https://127.0.0.1:%s/sms', '{1}')"
		     " ON CONFLICT (name) DO UPDATE SET active = true;"
		     " INSERT INTO coupon_defs (name, kind, value_minor, issue_on, valid_to)"
		     " VALUES ('%s', 'fixed', 1500, 'birthday', current_date + 30)",
		     f->endpoint, port, name))
		return false;
	f->def = it_sql_int(h, "SELECT def_id FROM coupon_defs WHERE name = '%s'", name);
	return f->def > 0;
}

static void fixture_down(Harness *h, const Fixture *f)
{
	/* no other run's member should get this definition later; the endpoint delivers nowhere */
	(void)it_sqlf(h, "UPDATE coupon_defs SET active = false WHERE def_id = %lld;"
		      " UPDATE endpoints SET active = false WHERE name = '%s';"
		      " UPDATE outbox SET state = 'cancelled', last_error = 'test over'"
		      " WHERE endpoint = '%s' AND state = 'pending'",
		      (long long)f->def, f->endpoint, f->endpoint);
}

/* The birthday batch the timer runs, for member id alone. */
static void birthday_job(Harness *h, int64_t id)
{
	CHECK(it_sql_int(h, "SELECT out_picked FROM kassa_birthday_due(1, %lld)",
			 (long long)id - 1) == 1, "the batch looks at the member");
}

static int64_t greetings(Harness *h, int64_t id)
{
	return it_sql_int(h, "SELECT count(*) FROM outbox WHERE member_id = %lld"
			  " AND kind = 'message' AND template = 'birthday'", (long long)id);
}

static int64_t coupons(Harness *h, int64_t id, int64_t def)
{
	return it_sql_int(h, "SELECT count(*) FROM coupons WHERE member_id = %lld"
			  " AND def_id = %lld", (long long)id, (long long)def);
}

/* Guards: one greeting with the coupon, in the member's language, however often the job runs. */
static void test_birthday_greeting(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Fixture f;
	int64_t zh, en;
	char buf[256], code[64], want[128], got[128] = "";

	if (kc == NULL || !fixture_up(h, &f))
		goto out;
	zh = member_new(h, kc, true, SMS, "zh_CN");
	en = member_new(h, kc, true, SMS, "en");
	if (zh == 0 || en == 0)
		goto down;
	birthday_job(h, zh);
	birthday_job(h, zh);
	birthday_job(h, en);
	CHECK(coupons(h, zh, f.def) == 1, "one coupon");
	CHECK(greetings(h, zh) == 1, "exactly one greeting after two runs: %lld",
	      (long long)greetings(h, zh));
	CHECK(it_sql_int(h, "SELECT count(*) FROM outbox o JOIN endpoints e ON e.name = o.endpoint"
			 " WHERE o.member_id = %lld AND o.channel = 1 AND o.purpose = 'marketing'"
			 " AND o.language = 'zh_CN' AND o.template_version >= 1"
			 " AND o.campaign_id IS NULL AND 1 = ANY (e.channels)",
			 (long long)zh) == 1, "SMS, marketing, Chinese, to an endpoint taking SMS");
	snprintf(buf, sizeof(buf), "SELECT c.code FROM coupons c WHERE c.member_id = %lld"
		 " AND c.def_id = %lld", (long long)zh, (long long)f.def);
	if (harness_psql_scalar(h, buf, code, sizeof(code))) {
		snprintf(buf, sizeof(buf), "SELECT vars->>'coupon' || '|' || (vars->>'coupon_value')"
			 " || '|' || (vars->>'valid_to' = to_char(current_date + 30, 'YYYY-MM-DD'))"
			 " FROM outbox WHERE member_id = %lld AND template = 'birthday'",
			 (long long)zh);
		snprintf(want, sizeof(want), "%s|\u00a515.00|true", code);
		CHECK(harness_psql_scalar(h, buf, got, sizeof(got)) && strcmp(got, want) == 0,
		      "vars carry the coupon: %s, want %s", got, want);
	}
	CHECK(greetings(h, en) == 1 &&
	      it_sql_int(h, "SELECT count(*) FROM outbox WHERE member_id = %lld"
			 " AND template = 'birthday' AND language = 'en'", (long long)en) == 1,
	      "the English-speaking member gets the en template");
down:
	fixture_down(h, &f);
out:
	kc_free(kc);
}

/* Guards: no consent -> the coupon but no greeting; no endpoint for the channel -> no row. */
static void test_birthday_no_greeting(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Fixture f;
	int64_t none, wechat, nochan, pct;

	if (kc == NULL || !fixture_up(h, &f))
		goto out;
	none = member_new(h, kc, false, SMS, "zh_CN");
	wechat = member_new(h, kc, true, WECHAT, "zh_CN");
	nochan = member_new(h, kc, true, KASSA__V1__CHANNEL__CHANNEL_UNSPECIFIED, "en");
	if (none == 0 || wechat == 0 || nochan == 0)
		goto down;
	birthday_job(h, none);
	CHECK(coupons(h, none, f.def) == 1 && greetings(h, none) == 0,
	      "without consent: the coupon, no greeting");
	birthday_job(h, nochan);
	CHECK(coupons(h, nochan, f.def) == 1 && greetings(h, nochan) == 0,
	      "without a preferred channel: no greeting");
	/*
	 * No active endpoint taking WeChat: made sure inside one transaction,
	 * rolled back, so other tests' endpoints are left as they are.
	 */
	CHECK(it_sqlf(h, "BEGIN; UPDATE endpoints SET active = false WHERE 3 = ANY (channels);"
		      " SELECT kassa_birthday_due(1, %lld);"
		      " DO $$ BEGIN IF (SELECT count(*) FROM outbox WHERE member_id = %lld) > 0"
		      " THEN RAISE EXCEPTION 'queued without an endpoint'; END IF; END $$;"
		      " ROLLBACK", (long long)wechat - 1, (long long)wechat),
	      "no endpoint for WeChat: nothing queued");
	/* what {coupon_value} says of other coupons (an inactive definition of this run) */
	pct = it_sql_int(h, "INSERT INTO coupon_defs (name, kind, percent_bp, active)"
			 " VALUES ('pct-%lld', 'percent', 1250, false) RETURNING def_id",
			 (long long)none);
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupon_defs WHERE def_id = %lld"
			 " AND kassa_coupon_value_text(def_id, 'CNY') = '12.5%%'",
			 (long long)pct) == 1 &&
	      it_sql_int(h, "SELECT count(*) FROM coupon_defs WHERE def_id = %lld"
			 " AND kassa_coupon_value_text(def_id, 'USD') = 'USD 15.00'",
			 (long long)f.def) == 1, "coupon values: 12.5%%, USD 15.00");
	CHECK(it_sql_int(h, "SELECT coalesce(kassa_outbox_message(%lld, 'no-such-template',"
			 " 'service', '{}', NULL), 0)", (long long)none) == 0,
	      "no such template: nothing queued");
down:
	fixture_down(h, &f);
out:
	kc_free(kc);
}

/* Guards: withdrawing consent through MemberUpdate cancels the pending greeting at once. */
static void test_consent_withdrawn(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__MemberRegister v = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	const char *fields[] = { "marketing_consent" };
	Fixture f;
	int64_t id, service;

	if (kc == NULL || !fixture_up(h, &f))
		goto out;
	id = member_new(h, kc, true, SMS, "en");
	if (id == 0)
		goto down;
	birthday_job(h, id);
	CHECK(greetings(h, id) == 1, "greeting queued");
	/* a service message is not marketing: it stays */
	service = it_sql_int(h, "SELECT kassa_outbox_message(%lld, 'birthday', 'service', '{}',"
			     " NULL)", (long long)id);
	CHECK(service > 0, "a service message queued");
	CHECK(kc_member_update(kc, id, &v, fields, 1, NULL, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      !r->member->marketing_consent, "consent withdrawn: %s",
	      r ? kc_message(r) : kc_last_error(kc));
	CHECK(it_sql_int(h, "SELECT count(*) FROM outbox WHERE member_id = %lld"
			 " AND purpose = 'marketing' AND state = 'cancelled'"
			 " AND last_error = 'consent withdrawn'", (long long)id) == 1,
	      "the marketing message is cancelled when the update answers");
	CHECK(it_sql_int(h, "SELECT count(*) FROM outbox WHERE outbox_id = %lld"
			 " AND state <> 'cancelled'", (long long)service) == 1,
	      "the service message is not cancelled");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld"
			 " AND consent_changed_at > now() - interval '1 minute'",
			 (long long)id) == 1, "when consent changed is recorded");
	CHECK(it_sql_int(h, "SELECT coalesce(kassa_outbox_message(%lld, 'birthday', 'marketing',"
			 " '{}', NULL), 0)", (long long)id) == 0,
	      "no new marketing message without consent");
down:
	fixture_down(h, &f);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Row outbox_id's state is `state` within timeout_s seconds (polled). */
static bool state_within(Harness *h, int64_t outbox_id, const char *state, int timeout_s)
{
	time_t end = time(NULL) + timeout_s;
	struct timespec pause = { 0, 50 * 1000 * 1000 };

	do {
		if (it_sql_int(h, "SELECT count(*) FROM outbox WHERE outbox_id = %lld"
			       " AND state = '%s'", (long long)outbox_id, state) == 1)
			return true;
		nanosleep(&pause, NULL);
	} while (time(NULL) <= end);
	return false;
}

/* Whether file path holds every one of the texts (NULL-terminated). */
static bool file_has(const char *path, const char *const *texts)
{
	static char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (; *texts != NULL; texts++)
		if (strstr(buf, *texts) == NULL)
			return false;
	return true;
}

/*
 * Guards: the greeting is delivered rendered: the en template with the
 * member's name and the coupon (a file endpoint of the run's own, named
 * to sort first among the endpoints taking SMS).
 */
static void test_birthday_delivered(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	const char *env = getenv("KASSA_TEST_ENV");
	char ep[64], file[64], path[512], code[64], sql[256], ep_used[64] = "";
	Fixture f;
	int64_t id, row;

	if (kc == NULL || env == NULL || !fixture_up(h, &f))
		goto out;
	snprintf(ep, sizeof(ep), "0msg-file-%d", (int)getpid());
	snprintf(file, sizeof(file), "msg-%d-%ld.jsonl", (int)getpid(), (long)time(NULL));
	snprintf(path, sizeof(path), "%s/outbox/%s", env, file);
	if (!it_sqlf(h, "INSERT INTO endpoints (name, kind, file, channels)"
		     " VALUES ('%s', 'file', '%s', '{1}')"
		     " ON CONFLICT (name) DO UPDATE SET file = excluded.file, active = true",
		     ep, file))
		goto down;
	id = member_new(h, kc, true, SMS, "en");
	if (id == 0)
		goto down;
	birthday_job(h, id);
	row = it_sql_int(h, "SELECT outbox_id FROM outbox WHERE member_id = %lld"
			 " AND template = 'birthday'", (long long)id);
	snprintf(sql, sizeof(sql), "SELECT endpoint FROM outbox WHERE outbox_id = %lld",
		 (long long)row);
	if (!CHECK(row > 0 && harness_psql_scalar(h, sql, ep_used, sizeof(ep_used)),
		   "greeting queued"))
		goto down;
	if (strcmp(ep_used, ep) != 0) {
		/* another test's endpoint sorts first: its delivery is not ours to read */
		printf("  note: the greeting went to endpoint %s; delivery not checked\n", ep_used);
		goto down;
	}
	snprintf(sql, sizeof(sql), "SELECT code FROM coupons WHERE member_id = %lld"
		 " AND def_id = %lld", (long long)id, (long long)f.def);
	if (CHECK(state_within(h, row, "sent", 15), "the file sender delivered the greeting") &&
	    harness_psql_scalar(h, sql, code, sizeof(code))) {
		/* the body is JSON inside the file's JSON line: look for plain text only */
		const char *want[] = { "Happy birthday, Greeting Member! Here is a birthday coupon",
				       code, NULL };

		CHECK(file_has(path, want), "%s holds the rendered greeting with %s", path, code);
	}
down:
	(void)it_sqlf(h, "UPDATE endpoints SET active = false WHERE name = '%s'", ep);
	fixture_down(h, &f);
out:
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "template_refusals", test_template_refusals },
	{ "template_versions", test_template_versions },
	{ "language", test_language },
	{ "birthday_greeting", test_birthday_greeting },
	{ "birthday_no_greeting", test_birthday_no_greeting },
	{ "consent_withdrawn", test_consent_withdrawn },
	{ "birthday_delivered", test_birthday_delivered },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
