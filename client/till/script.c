/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script: the line-oriented command mode of kassa-till (see script.h).
 *
 * Each input line is split into words (script_tokenize), dispatched on its
 * first one or two words to a cmd_*() function, and answered with one JSON
 * object: {"ok":true,"cmd":...,<result>} or {"ok":false,"cmd":...,"code":
 * ...,"detail":...,"message":...}. Codes are the protocol's status names;
 * mistakes caught here before anything is sent use INVALID_ARGUMENT (bad
 * syntax or value) and FAILED_PRECONDITION (e.g. no sale begun). Members
 * are shown with the masked phone only.
 *
 * Besides the sale, a till does the member's other counter business:
 * refunds of earlier sales, stored-value top-ups and claiming a coupon
 * with the code the member brought. Every command that changes state is
 * sent with a fresh idempotency key and reports it ("idempotency_key").
 *
 * The client library is set to retry: a dropped connection is
 * re-established (TLS session resumed, staff logged in again) and the same
 * request resent with the same idempotency key, up to three times. If that
 * fails the command answers UNAVAILABLE and the run ends with exit code 3.
 */
#include "script.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "sale.h"
#include "util.h"

#define SCRIPT_MAX_WORDS 64
#define SCRIPT_MAX_TAGS 32
#define SCRIPT_MAX_LINE_NO 500		/* as the server's RULES_MAX_LINES */

typedef struct Till {
	KassaClient *kc;		/* borrowed */
	Sale sale;			/* the open basket */
	bool failed;			/* some command failed */
	bool lost;			/* the connection is gone for good */
	bool quit;			/* "quit" seen */
} Till;

/* One parsed command line. */
typedef struct Cmd {
	const char *name;		/* "member register", ... for the output */
	char **keys;			/* words (or keys of key=value words) */
	char **vals;			/* values, NULL for plain words */
	int n;				/* words in total */
	int first;			/* index of the first argument after the verb */
} Cmd;

/* ---- words ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int script_tokenize(const char *line, char *out, char **keys, char **vals, int max,
		    const char **why)
{
	const char *p = line;
	char *o = out;
	int n = 0;

	for (;;) {
		char *start, *eq = NULL;

		while (is_blank(*p))
			p++;
		if (*p == '\0')
			return n;
		if (n == max) {
			*why = "too many words";
			return -1;
		}
		start = o;
		while (*p != '\0' && !is_blank(*p)) {
			if (*p == '"') {
				p++;
				while (*p != '\0' && *p != '"') {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					*o++ = *p++;
				}
				if (*p != '"') {
					*why = "unterminated quote";
					return -1;
				}
				p++;
			} else {
				if (*p == '=' && eq == NULL)
					eq = o;
				*o++ = *p++;
			}
		}
		*o++ = '\0';
		keys[n] = start;
		vals[n] = NULL;
		if (eq != NULL) {
			*eq = '\0';
			vals[n] = eq + 1;
		}
		n++;
	}
}

/* Value of key=... among the arguments, NULL if absent. */
static const char *arg_get(const Cmd *c, const char *key)
{
	int i;

	for (i = c->first; i < c->n; i++)
		if (c->vals[i] != NULL && strcmp(c->keys[i], key) == 0)
			return c->vals[i];
	return NULL;
}

/* The i-th plain word after the verb, NULL if there is none. */
static const char *arg_word(const Cmd *c, int i)
{
	int k = c->first + i;

	if (k >= c->n || c->vals[k] != NULL)
		return NULL;
	return c->keys[k];
}

static int arg_count(const Cmd *c)
{
	return c->n - c->first;
}


/* ---- answers ---- */

static void fail(Till *t, const Cmd *c, const char *code, const char *detail, const char *msg)
{
	t->failed = true;
	kcj_emit(kcj_fail(c->name, code, detail, msg));
}

static void usage(Till *t, const Cmd *c, const char *msg)
{
	fail(t, c, "INVALID_ARGUMENT", "USAGE", msg);
}

/*
 * Check the outcome of a request: print the failure and return false (the
 * response freed), or return true when the server answered OK (*resp is
 * then the caller's).
 */
static bool answered_ok(Till *t, const Cmd *c, KcResult r, Kassa__V1__Response **resp)
{
	/* resp, not *resp: the call that fills it may be the argument before it */
	if (r != KC_OK) {
		t->failed = true;
		if (r == KC_ERR_ARG) {
			kcj_emit(kcj_fail(c->name, "INVALID_ARGUMENT", "BAD_REQUEST",
					  kc_last_error(t->kc)));
			return false;
		}
		kcj_emit(kcj_fail_io(c->name, r, kc_last_error(t->kc)));
		if (!kc_is_connected(t->kc))
			t->lost = true;
		return false;
	}
	if (kc_status(*resp) != KASSA__V1__STATUS_CODE__OK) {
		t->failed = true;
		kcj_emit(kcj_fail_resp(c->name, *resp));
		kc_response_free(*resp);
		*resp = NULL;
		return false;
	}
	return true;
}

/* Check that the answer carries the body expected; print and free otherwise. */
static bool has_body(Till *t, const Cmd *c, Kassa__V1__Response *resp,
		     Kassa__V1__Response__BodyCase want)
{
	if (resp->body_case == want)
		return true;
	fail(t, c, "INTERNAL", "UNEXPECTED_RESPONSE", "the server answered with another message");
	kc_response_free(resp);
	return false;
}

static void sale_fail(Till *t, const Cmd *c, SaleError e)
{
	const char *code = e == SALE_NOT_OPEN || e == SALE_ALREADY_OPEN || e == SALE_EMPTY
				   ? "FAILED_PRECONDITION" : "INVALID_ARGUMENT";
	static const char *const msgs[] = {
		[SALE_OK] = "",
		[SALE_NOT_OPEN] = "no sale is open: use sale begin",
		[SALE_ALREADY_OPEN] = "a sale is open: finish or cancel it first",
		[SALE_TOO_MANY] = "too many lines or tenders on this sale",
		[SALE_BAD_QUANTITY] = "quantity must be a whole number from 1 to 100000",
		[SALE_BAD_AMOUNT] = "amount must be positive and the totals must fit",
		[SALE_EMPTY] = "the sale has no lines",
	};

	fail(t, c, code, sale_error_name(e), msgs[e]);
}

/*
 * The start of a sale command that takes no arguments (usage_msg is its
 * usage): true if a sale is open and, when need_lines, has lines; else
 * print why and return false.
 */
static bool sale_ready(Till *t, const Cmd *c, const char *usage_msg, bool need_lines)
{
	if (arg_count(c) != 0) {
		usage(t, c, usage_msg);
		return false;
	}
	if (!t->sale.open) {
		sale_fail(t, c, SALE_NOT_OPEN);
		return false;
	}
	if (need_lines && t->sale.n_items == 0) {
		sale_fail(t, c, SALE_EMPTY);
		return false;
	}
	return true;
}

/* ---- login, product, txn ---- */

static void cmd_login(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *id_s = arg_word(c, 0), *pin = arg_word(c, 1);
	int64_t staff_id;
	json_t *o;
	KcResult r;

	if (arg_count(c) != 2 || !kc_parse_i64(id_s, &staff_id) || pin == NULL) {
		usage(t, c, "login STAFF_ID PIN");
		return;
	}
	r = kc_login(t->kc, staff_id, pin, &resp);
	if (!answered_ok(t, c, r, &resp))
		return;
	o = kcj_ok(c->name);
	if (resp->body_case == KASSA__V1__RESPONSE__BODY_LOGIN_OK) {
		json_object_set_new(o, "staff_id", json_integer(resp->login_ok->staff_id));
		json_object_set_new(o, "name", json_string(resp->login_ok->name));
		json_object_set_new(o, "role", json_string(resp->login_ok->role));
	}
	kcj_emit(o);
	kc_response_free(resp);
}

static void cmd_product(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *code = arg_word(c, 0);
	json_t *o;

	if (arg_count(c) != 1 || code == NULL) {
		usage(t, c, "product CODE");
		return;
	}
	if (!answered_ok(t, c, kc_product_lookup(t->kc, code, &resp), &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_PRODUCT))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "product", kcj_product(resp->product));
	kcj_emit(o);
	kc_response_free(resp);
}

static void cmd_txn_show(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	int64_t id;
	json_t *o;

	if (arg_count(c) != 1 || !kc_parse_i64(arg_word(c, 0), &id)) {
		usage(t, c, "txn show ID");
		return;
	}
	if (!answered_ok(t, c, kc_transaction_get(t->kc, id, &resp), &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "transaction", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
}

/* ---- members ---- */

/* Print {"ok":true,...,"member":{...}} for a response carrying a Member; frees resp. */
static void emit_member(Till *t, const Cmd *c, Kassa__V1__Response *resp)
{
	json_t *o;

	if (!has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_MEMBER))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "member", kcj_member(resp->member, false));
	kcj_emit(o);
	kc_response_free(resp);
}

/*
 * Set one member field from key=val on m. *proto_name gets the
 * MemberRegister field name (for MemberUpdate.fields). val is modified
 * (tags are split at commas in place); tags points into tag storage.
 */
static bool member_field(Kassa__V1__MemberRegister *m, const char *key, char *val,
			 char **tags, const char **proto_name, const char **why)
{
	*why = NULL;
	if (strcmp(key, "name") == 0) {
		m->name = val;
		*proto_name = "name";
	} else if (strcmp(key, "phone") == 0) {
		m->phone = val;
		*proto_name = "phone";
	} else if (strcmp(key, "card") == 0 || strcmp(key, "card_no") == 0) {
		m->card_no = val;
		*proto_name = "card_no";
	} else if (strcmp(key, "birthday") == 0) {
		m->birthday = val;
		*proto_name = "birthday";
	} else if (strcmp(key, "email") == 0) {
		m->email = val;
		*proto_name = "email";
	} else if (strcmp(key, "address") == 0) {
		m->address = val;
		*proto_name = "address";
	} else if (strcmp(key, "notes") == 0) {
		m->notes = val;
		*proto_name = "notes";
	} else if (strcmp(key, "gender") == 0) {
		*proto_name = "gender";
		if (strcmp(val, "f") == 0)
			m->gender = KASSA__V1__GENDER__GENDER_FEMALE;
		else if (strcmp(val, "m") == 0)
			m->gender = KASSA__V1__GENDER__GENDER_MALE;
		else if (strcmp(val, "o") == 0)
			m->gender = KASSA__V1__GENDER__GENDER_OTHER;
		else if (*val == '\0')
			m->gender = KASSA__V1__GENDER__GENDER_UNSPECIFIED;
		else
			*why = "gender must be f, m or o";
	} else if (strcmp(key, "channel") == 0 || strcmp(key, "preferred_channel") == 0) {
		*proto_name = "preferred_channel";
		if (strcmp(val, "sms") == 0)
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_SMS;
		else if (strcmp(val, "email") == 0)
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_EMAIL;
		else if (strcmp(val, "wechat") == 0)
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_WECHAT;
		else if (*val == '\0')
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_UNSPECIFIED;
		else
			*why = "channel must be sms, email or wechat";
	} else if (strcmp(key, "consent") == 0 || strcmp(key, "marketing_consent") == 0) {
		*proto_name = "marketing_consent";
		if (strcmp(val, "yes") == 0)
			m->marketing_consent = true;
		else if (strcmp(val, "no") == 0)
			m->marketing_consent = false;
		else
			*why = "consent must be yes or no";
	} else if (strcmp(key, "tags") == 0) {
		char *p = val, *comma;

		*proto_name = "tags";
		m->n_tags = 0;
		m->tags = tags;
		while (*p != '\0') {
			if (m->n_tags == SCRIPT_MAX_TAGS) {
				*why = "too many tags";
				break;
			}
			comma = strchr(p, ',');
			if (comma != NULL)
				*comma = '\0';
			if (*p != '\0')
				tags[m->n_tags++] = p;
			if (comma == NULL)
				break;
			p = comma + 1;
		}
	} else {
		*why = "unknown field";
	}
	return *why == NULL;
}

static void cmd_member_register(Till *t, const Cmd *c)
{
	Kassa__V1__MemberRegister m = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *resp = NULL;
	char *tags[SCRIPT_MAX_TAGS];
	const char *pname, *why;
	char msg[160];
	int i;

	for (i = c->first; i < c->n; i++) {
		if (c->vals[i] == NULL) {
			usage(t, c, "member register name=... phone=... [field=value ...]");
			return;
		}
		if (!member_field(&m, c->keys[i], c->vals[i], tags, &pname, &why)) {
			snprintf(msg, sizeof(msg), "%s: %s", c->keys[i], why);
			fail(t, c, "INVALID_ARGUMENT", "BAD_FIELD", msg);
			return;
		}
	}
	if (arg_get(c, "name") == NULL || arg_get(c, "phone") == NULL) {
		usage(t, c, "member register needs name=... and phone=...");
		return;
	}
	if (!answered_ok(t, c, kc_member_register(t->kc, &m, NULL, &resp), &resp))
		return;
	emit_member(t, c, resp);
}

static void cmd_member_update(Till *t, const Cmd *c)
{
	Kassa__V1__MemberRegister m = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *resp = NULL;
	const char *fields[SCRIPT_MAX_WORDS];
	char *tags[SCRIPT_MAX_TAGS];
	const char *pname, *why;
	size_t nfields = 0;
	int64_t id = 0;
	char msg[160];
	int i;

	for (i = c->first; i < c->n; i++) {
		if (c->vals[i] == NULL) {
			usage(t, c, "member update id=N field=value ...");
			return;
		}
		if (strcmp(c->keys[i], "id") == 0) {
			if (!kc_parse_i64(c->vals[i], &id)) {
				usage(t, c, "member update id=N field=value ...");
				return;
			}
			continue;
		}
		if (!member_field(&m, c->keys[i], c->vals[i], tags, &pname, &why)) {
			snprintf(msg, sizeof(msg), "%s: %s", c->keys[i], why);
			fail(t, c, "INVALID_ARGUMENT", "BAD_FIELD", msg);
			return;
		}
		fields[nfields++] = pname;
	}
	if (id <= 0 || nfields == 0) {
		usage(t, c, "member update id=N field=value ...");
		return;
	}
	if (!answered_ok(t, c, kc_member_update(t->kc, id, &m, fields, nfields, NULL, &resp),
			 &resp))
		return;
	emit_member(t, c, resp);
}

/*
 * Look a member up by the one selector among the arguments (phone=,
 * card=, id=, qr=, or a plain number as id when allow_word). False after
 * printing the failure.
 */
static bool member_lookup(Till *t, const Cmd *c, bool allow_word, Kassa__V1__Response **resp)
{
	const char *v;
	int64_t id;
	KcResult r;

	*resp = NULL;
	if (arg_count(c) != 1) {
		usage(t, c, "give exactly one of phone=, card=, id=, qr=");
		return false;
	}
	if ((v = arg_get(c, "phone")) != NULL)
		r = kc_member_get_by_phone(t->kc, v, resp);
	else if ((v = arg_get(c, "card")) != NULL)
		r = kc_member_get_by_card(t->kc, v, resp);
	else if ((v = arg_get(c, "qr")) != NULL)
		r = kc_member_get_by_qr(t->kc, v, resp);
	else if ((v = arg_get(c, "id")) != NULL || (allow_word && (v = arg_word(c, 0)) != NULL)) {
		if (!kc_parse_i64(v, &id)) {
			usage(t, c, "member id must be a number");
			return false;
		}
		r = kc_member_get_by_id(t->kc, id, resp);
	} else {
		usage(t, c, "give exactly one of phone=, card=, id=, qr=");
		return false;
	}
	if (!answered_ok(t, c, r, resp))
		return false;
	if (!has_body(t, c, *resp, KASSA__V1__RESPONSE__BODY_MEMBER)) {
		*resp = NULL;
		return false;
	}
	return true;
}

static void cmd_member_find(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp;

	if (member_lookup(t, c, false, &resp))
		emit_member(t, c, resp);
}

static void cmd_member_search(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *name = arg_get(c, "name"), *phone = arg_get(c, "phone");
	const char *lim = arg_get(c, "limit");
	int64_t limit = 0;
	json_t *o, *arr;
	KcResult r;
	size_t i;

	if ((name == NULL) == (phone == NULL) || arg_count(c) != (lim != NULL ? 2 : 1) ||
	    (lim != NULL && (!kc_parse_i64(lim, &limit) || limit > UINT32_MAX))) {
		usage(t, c, "member search name=PREFIX|phone=SUFFIX [limit=N]");
		return;
	}
	if (name != NULL)
		r = kc_member_search_name(t->kc, name, (uint32_t)limit, &resp);
	else
		r = kc_member_search_phone(t->kc, phone, (uint32_t)limit, &resp);
	if (!answered_ok(t, c, r, &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_MEMBER_LIST))
		return;
	o = kcj_ok(c->name);
	arr = json_array();
	for (i = 0; i < resp->member_list->n_members; i++)
		json_array_append_new(arr, kcj_member(resp->member_list->members[i], false));
	json_object_set_new(o, "count", json_integer((json_int_t)resp->member_list->n_members));
	json_object_set_new(o, "members", arr);
	kcj_emit(o);
	kc_response_free(resp);
}

/* ---- sale ---- */

/* Add the basket's totals to o: total, tendered, due (still to pay), change. */
static void sale_totals_json(const Sale *s, json_t *o)
{
	int64_t total = 0, tendered = 0;

	if (!sale_total(s, &total) || !sale_tendered(s, &tendered))
		return;	/* cannot happen: sale_add()/sale_pay() refuse overflow */
	kcj_money(o, "total", total);
	kcj_money(o, "tendered", tendered);
	kcj_money(o, "due", tendered < total ? total - tendered : 0);
	kcj_money(o, "change", tendered > total ? tendered - total : 0);
}

static json_t *sale_item_json(const SaleItem *it, size_t line_no)
{
	json_t *o = json_object();

	json_object_set_new(o, "line_no", json_integer((json_int_t)line_no));
	json_object_set_new(o, "code", json_string(it->code));
	json_object_set_new(o, "product_id", json_integer(it->product_id));
	json_object_set_new(o, "sku", json_string(it->sku));
	json_object_set_new(o, "name", json_string(it->name));
	json_object_set_new(o, "quantity", json_integer(it->quantity));
	kcj_money(o, "unit_price", it->unit_minor);
	kcj_money(o, "line_total", it->line_minor);
	json_object_set_new(o, "gift", json_boolean(it->gift));
	return o;
}

static void cmd_sale_begin(Till *t, const Cmd *c)
{
	SaleError e;

	if (arg_count(c) != 0) {
		usage(t, c, "sale begin");
		return;
	}
	e = sale_begin(&t->sale);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	kcj_emit(kcj_ok(c->name));
}

/* sale add / sale gift: look CODE up and add [QTY] of it as a paid or a gift line. */
static void sale_add_line(Till *t, const Cmd *c, bool gift)
{
	Kassa__V1__Response *resp = NULL;
	const char *code = arg_word(c, 0), *qty_s = arg_word(c, 1);
	int64_t qty = 1;
	size_t line_no;
	SaleError e;
	json_t *o;

	if (code == NULL || arg_count(c) > 2 || (arg_count(c) == 2 && qty_s == NULL)) {
		usage(t, c, gift ? "sale gift CODE [QTY]" : "sale add CODE [QTY]");
		return;
	}
	if (qty_s != NULL && (!kc_parse_i64(qty_s, &qty) || qty < 1 || qty > SALE_MAX_QTY)) {
		sale_fail(t, c, SALE_BAD_QUANTITY);
		return;
	}
	if (!t->sale.open) {
		sale_fail(t, c, SALE_NOT_OPEN);
		return;
	}
	if (!answered_ok(t, c, kc_product_lookup(t->kc, code, &resp), &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_PRODUCT))
		return;
	if (gift)
		e = sale_add_gift(&t->sale, resp->product, code, (int32_t)qty, &line_no);
	else
		e = sale_add(&t->sale, resp->product, code, (int32_t)qty, &line_no);
	kc_response_free(resp);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "line", sale_item_json(&t->sale.items[line_no - 1], line_no));
	json_object_set_new(o, "lines", json_integer((json_int_t)t->sale.n_items));
	sale_totals_json(&t->sale, o);
	kcj_emit(o);
}

static void cmd_sale_add(Till *t, const Cmd *c)
{
	sale_add_line(t, c, false);
}

/* A line from the gift catalogue: price 0 here, the server charges its points. */
static void cmd_sale_gift(Till *t, const Cmd *c)
{
	sale_add_line(t, c, true);
}

static void cmd_sale_member(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp;
	json_t *o;
	SaleError e;

	if (!t->sale.open) {
		sale_fail(t, c, SALE_NOT_OPEN);
		return;
	}
	if (!member_lookup(t, c, true, &resp))
		return;
	e = sale_set_member(&t->sale, resp->member);
	if (e != SALE_OK) {
		kc_response_free(resp);
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "member", kcj_member(resp->member, false));
	kcj_emit(o);
	kc_response_free(resp);
}

static void cmd_sale_pay(Till *t, const Cmd *c)
{
	const char *kind_s = arg_word(c, 0), *amount_s = arg_word(c, 1), *ref = arg_get(c, "ref");
	Kassa__V1__TenderKind kind;
	const SaleTender *td;
	int64_t amount;
	SaleError e;
	json_t *o, *to;

	if (kind_s == NULL || amount_s == NULL || arg_count(c) != (ref != NULL ? 3 : 2)) {
		usage(t, c, "sale pay cash|stored AMOUNT | sale pay card|ewallet AMOUNT ref=REF");
		return;
	}
	if (strcmp(kind_s, "cash") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_CASH;
	} else if (strcmp(kind_s, "card") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_CARD;
	} else if (strcmp(kind_s, "ewallet") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_EWALLET;
	} else if (strcmp(kind_s, "stored") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE;
	} else {
		usage(t, c, "tender must be cash, card, ewallet or stored");
		return;
	}
	if ((kind == KASSA__V1__TENDER_KIND__TENDER_CARD ||
	     kind == KASSA__V1__TENDER_KIND__TENDER_EWALLET) && (ref == NULL || *ref == '\0')) {
		fail(t, c, "INVALID_ARGUMENT", "REFERENCE_REQUIRED",
		     "card and e-wallet tenders need ref=REFERENCE");
		return;
	}
	if ((kind == KASSA__V1__TENDER_KIND__TENDER_CASH ||
	     kind == KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE) && ref != NULL) {
		usage(t, c, "cash and stored value take no reference");
		return;
	}
	if (!money_parse(amount_s, &amount) || amount <= 0) {
		fail(t, c, "INVALID_ARGUMENT", "BAD_AMOUNT",
		     "amount must be positive, like 12.34");
		return;
	}
	e = sale_pay(&t->sale, kind, amount, ref);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	td = &t->sale.tenders[t->sale.n_tenders - 1];
	o = kcj_ok(c->name);
	to = json_object();
	json_object_set_new(to, "kind", json_string(kcj_tender_name(td->kind)));
	kcj_money(to, "amount", td->amount_minor);
	json_object_set_new(to, "reference", json_string(td->reference));
	json_object_set_new(o, "tender", to);
	sale_totals_json(&t->sale, o);
	kcj_emit(o);
}

static void cmd_sale_redeem(Till *t, const Cmd *c)
{
	const char *pts = arg_word(c, 0);
	int64_t points;
	SaleError e;
	json_t *o;

	if (pts == NULL || arg_count(c) != 1) {
		usage(t, c, "sale redeem POINTS");
		return;
	}
	if (!kc_parse_i64(pts, &points) || points < 0) {
		fail(t, c, "INVALID_ARGUMENT", "BAD_POINTS", "points must be a whole number >= 0");
		return;
	}
	e = sale_redeem(&t->sale, points);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "points_redeem", json_integer(points));
	kcj_emit(o);
}

static void cmd_sale_coupon(Till *t, const Cmd *c)
{
	const char *code = arg_word(c, 0);
	SaleError e;
	json_t *o;

	if (code == NULL || arg_count(c) != 1) {
		usage(t, c, "sale coupon CODE");
		return;
	}
	e = sale_coupon(&t->sale, code);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "coupons", json_integer((json_int_t)t->sale.n_coupons));
	kcj_emit(o);
}

/* What the server would charge: tier, coupons and points applied, nothing recorded. */
static void cmd_sale_quote(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	json_t *o;

	if (!sale_ready(t, c, "sale quote", true))
		return;
	if (!answered_ok(t, c, sale_quote(&t->sale, t->kc, &resp), &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "quote", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
}

static void cmd_sale_show(Till *t, const Cmd *c)
{
	const Sale *s = &t->sale;
	json_t *o, *lines, *tenders;
	size_t i;

	if (!sale_ready(t, c, "sale show", false))
		return;
	o = kcj_ok(c->name);
	lines = json_array();
	for (i = 0; i < s->n_items; i++)
		json_array_append_new(lines, sale_item_json(&s->items[i], i + 1));
	json_object_set_new(o, "lines", lines);
	tenders = json_array();
	for (i = 0; i < s->n_tenders; i++) {
		json_t *to = json_object();

		json_object_set_new(to, "kind", json_string(kcj_tender_name(s->tenders[i].kind)));
		kcj_money(to, "amount", s->tenders[i].amount_minor);
		json_object_set_new(to, "reference", json_string(s->tenders[i].reference));
		json_array_append_new(tenders, to);
	}
	json_object_set_new(o, "tenders", tenders);
	json_object_set_new(o, "member_id", json_integer(s->member_id));
	if (s->member != NULL)
		json_object_set_new(o, "member", kcj_member(s->member, false));
	sale_totals_json(s, o);
	kcj_emit(o);
}

static void cmd_sale_finish(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	int before = kc_reconnects(t->kc);
	KcResult r;
	json_t *o;

	if (!sale_ready(t, c, "sale finish", true))
		return;
	r = sale_checkout(&t->sale, t->kc, &resp);
	if (!answered_ok(t, c, r, &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "idempotency_key", json_string(t->sale.key));
	json_object_set_new(o, "reconnects", json_integer(kc_reconnects(t->kc) - before));
	json_object_set_new(o, "transaction", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
}

static void cmd_sale_cancel(Till *t, const Cmd *c)
{
	if (!sale_ready(t, c, "sale cancel", false))
		return;
	sale_reset(&t->sale);
	kcj_emit(kcj_ok(c->name));
}

/* ---- refunds, top-ups, coupons ---- */

/* {"ok":true,"cmd":...,"idempotency_key":key,"reconnects":n} to add the result to. */
static json_t *ok_keyed(Till *t, const Cmd *c, const char *key, int reconnects_before)
{
	json_t *o = kcj_ok(c->name);

	json_object_set_new(o, "idempotency_key", json_string(key));
	json_object_set_new(o, "reconnects", json_integer(kc_reconnects(t->kc) -
							   reconnects_before));
	return o;
}

/*
 * refund TXN_ID [line=N ...] [approver=ID pin=PIN] [reason=TEXT]: no
 * line= refunds every line not refunded yet; a refund above the rule set's
 * limit needs a manager's id and PIN (APPROVAL_REQUIRED otherwise).
 */
static void cmd_refund(Till *t, const Cmd *c)
{
	static const char use[] =
		"refund TXN_ID [line=N ...] [approver=ID pin=PIN] [reason=TEXT]";
	Kassa__V1__Response *resp = NULL;
	const char *approver_s = NULL, *pin = NULL, *reason = NULL;
	int32_t lines[SCRIPT_MAX_WORDS];
	int64_t txn_id, approver = 0, v;
	size_t nlines = 0;
	char key[KC_KEY_LEN];
	int i, before = kc_reconnects(t->kc);
	json_t *o;

	if (!kc_parse_i64(arg_word(c, 0), &txn_id) || txn_id <= 0) {
		usage(t, c, use);
		return;
	}
	for (i = c->first + 1; i < c->n; i++) {
		const char *k = c->keys[i], *val = c->vals[i];

		if (val == NULL) {
			usage(t, c, use);
			return;
		}
		if (strcmp(k, "line") == 0) {
			if (!kc_parse_i64(val, &v) || v < 1 || v > SCRIPT_MAX_LINE_NO) {
				fail(t, c, "INVALID_ARGUMENT", "BAD_LINE",
				     "line numbers are whole numbers from 1 to 500");
				return;
			}
			lines[nlines++] = (int32_t)v;
		} else if (strcmp(k, "approver") == 0 && approver_s == NULL) {
			approver_s = val;
		} else if (strcmp(k, "pin") == 0 && pin == NULL) {
			pin = val;
		} else if (strcmp(k, "reason") == 0 && reason == NULL) {
			reason = val;
		} else {
			usage(t, c, use);
			return;
		}
	}
	if ((approver_s == NULL) != (pin == NULL) ||
	    (approver_s != NULL && (!kc_parse_i64(approver_s, &approver) || approver <= 0))) {
		fail(t, c, "INVALID_ARGUMENT", "BAD_APPROVER",
		     "an approval is approver=STAFF_ID together with pin=PIN");
		return;
	}
	kc_new_key(key);
	if (!answered_ok(t, c, kc_refund(t->kc, txn_id, lines, nlines, approver, pin, reason,
					 key, &resp), &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_REFUND_RECORD))
		return;
	o = ok_keyed(t, c, key, before);
	json_object_set_new(o, "refund", kcj_refund(resp->refund_record));
	kcj_emit(o);
	kc_response_free(resp);
}

/* topup MEMBER_ID AMOUNT [card=REF|ewallet=REF]: paid in cash unless a reference says how. */
static void cmd_topup(Till *t, const Cmd *c)
{
	static const char use[] = "topup MEMBER_ID AMOUNT [card=REF|ewallet=REF]";
	Kassa__V1__Response *resp = NULL;
	const char *card = arg_get(c, "card"), *ewallet = arg_get(c, "ewallet");
	KcTender tender = { KASSA__V1__TENDER_KIND__TENDER_CASH, 0, NULL };
	int64_t member_id, amount;
	char key[KC_KEY_LEN];
	int before = kc_reconnects(t->kc);
	json_t *o;

	if (arg_word(c, 1) == NULL || (card != NULL && ewallet != NULL) ||
	    arg_count(c) != (card != NULL || ewallet != NULL ? 3 : 2) ||
	    !kc_parse_i64(arg_word(c, 0), &member_id) || member_id <= 0) {
		usage(t, c, use);
		return;
	}
	if (!money_parse(arg_word(c, 1), &amount) || amount <= 0) {
		fail(t, c, "INVALID_ARGUMENT", "BAD_AMOUNT", "amount must be positive, like 1000.00");
		return;
	}
	if (card != NULL) {
		tender.kind = KASSA__V1__TENDER_KIND__TENDER_CARD;
		tender.reference = card;
	} else if (ewallet != NULL) {
		tender.kind = KASSA__V1__TENDER_KIND__TENDER_EWALLET;
		tender.reference = ewallet;
	}
	if (tender.reference != NULL && *tender.reference == '\0') {
		fail(t, c, "INVALID_ARGUMENT", "REFERENCE_REQUIRED",
		     "card and e-wallet payments need a reference");
		return;
	}
	tender.amount_minor = amount;
	kc_new_key(key);
	if (!answered_ok(t, c, kc_top_up(t->kc, member_id, amount, &tender, 1, key, &resp),
			 &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TOP_UP_RECORD))
		return;
	o = ok_keyed(t, c, key, before);
	json_object_set_new(o, "tender", json_string(kcj_tender_name(tender.kind)));
	json_object_set_new(o, "topup", kcj_topup(resp->top_up_record));
	kcj_emit(o);
	kc_response_free(resp);
}

/* coupon claim MEMBER_ID CODE: the member brought a claim code; issue its coupon. */
static void cmd_coupon_claim(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *code = arg_word(c, 1);
	int64_t member_id;
	char key[KC_KEY_LEN];
	int before = kc_reconnects(t->kc);
	json_t *o;

	if (arg_count(c) != 2 || code == NULL || !kc_parse_i64(arg_word(c, 0), &member_id) ||
	    member_id <= 0) {
		usage(t, c, "coupon claim MEMBER_ID CODE");
		return;
	}
	kc_new_key(key);
	if (!answered_ok(t, c, kc_coupon_issue(t->kc, member_id, 0, code, key, &resp), &resp) ||
	    !has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_COUPON))
		return;
	o = ok_keyed(t, c, key, before);
	json_object_set_new(o, "member_id", json_integer(member_id));
	json_object_set_new(o, "coupon", kcj_coupon(resp->coupon));
	kcj_emit(o);
	kc_response_free(resp);
}

static void cmd_quit(Till *t, const Cmd *c)
{
	if (arg_count(c) != 0) {
		usage(t, c, "quit");
		return;
	}
	t->quit = true;
	kcj_emit(kcj_ok(c->name));
}

/* ---- dispatch ---- */

typedef struct CmdDef {
	const char *verb;		/* first word */
	const char *sub;		/* second word, or NULL for one-word commands */
	void (*fn)(Till *t, const Cmd *c);
} CmdDef;

static const CmdDef cmd_table[] = {
	{ "login", NULL, cmd_login },
	{ "product", NULL, cmd_product },
	{ "quit", NULL, cmd_quit },
	{ "refund", NULL, cmd_refund },
	{ "topup", NULL, cmd_topup },
	{ "coupon", "claim", cmd_coupon_claim },
	{ "member", "register", cmd_member_register },
	{ "member", "find", cmd_member_find },
	{ "member", "search", cmd_member_search },
	{ "member", "update", cmd_member_update },
	{ "sale", "begin", cmd_sale_begin },
	{ "sale", "add", cmd_sale_add },
	{ "sale", "gift", cmd_sale_gift },
	{ "sale", "member", cmd_sale_member },
	{ "sale", "pay", cmd_sale_pay },
	{ "sale", "redeem", cmd_sale_redeem },
	{ "sale", "coupon", cmd_sale_coupon },
	{ "sale", "quote", cmd_sale_quote },
	{ "sale", "show", cmd_sale_show },
	{ "sale", "finish", cmd_sale_finish },
	{ "sale", "cancel", cmd_sale_cancel },
	{ "txn", "show", cmd_txn_show },
};

/* Run one input line. */
static void run_line(Till *t, const char *line)
{
	char *keys[SCRIPT_MAX_WORDS], *vals[SCRIPT_MAX_WORDS];
	char *buf, name[64];
	const char *why = NULL;
	Cmd c = { .name = "", .keys = keys, .vals = vals };
	size_t i;

	if (!utf8_is_valid(line, strlen(line))) {
		c.name = "?";
		fail(t, &c, "INVALID_ARGUMENT", "BAD_UTF8", "the line is not valid UTF-8");
		return;
	}
	buf = xmalloc(strlen(line) + 1);
	c.n = script_tokenize(line, buf, keys, vals, SCRIPT_MAX_WORDS, &why);
	if (c.n < 0) {
		c.name = "?";
		usage(t, &c, why);
		goto out;
	}
	if (c.n == 0 || keys[0][0] == '#')
		goto out;	/* blank line or comment: no answer */
	for (i = 0; i < ARRAY_SIZE(cmd_table); i++) {
		const CmdDef *d = &cmd_table[i];

		if (vals[0] != NULL || strcmp(keys[0], d->verb) != 0)
			continue;
		if (d->sub == NULL) {
			c.name = d->verb;
			c.first = 1;
		} else if (c.n >= 2 && vals[1] == NULL && strcmp(keys[1], d->sub) == 0) {
			snprintf(name, sizeof(name), "%s %s", d->verb, d->sub);
			c.name = name;
			c.first = 2;
		} else {
			continue;
		}
		d->fn(t, &c);
		goto out;
	}
	c.name = vals[0] == NULL ? keys[0] : "?";
	fail(t, &c, "INVALID_ARGUMENT", "UNKNOWN_COMMAND", "unknown command");
out:
	free(buf);
}

int script_run(KassaClient *kc, FILE *in)
{
	Till t;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(&t, 0, sizeof(t));
	t.kc = kc;
	sale_init(&t.sale);
	while (!t.quit && !t.lost && (len = getline(&line, &cap, in)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if ((size_t)len != strlen(line)) {
			Cmd c = { .name = "?" };

			fail(&t, &c, "INVALID_ARGUMENT", "BAD_UTF8",
			     "the line contains a NUL byte");
			continue;
		}
		run_line(&t, line);
	}
	free(line);
	sale_reset(&t.sale);
	if (t.lost)
		return TILL_EXIT_CONN;
	return t.failed ? TILL_EXIT_FAILED : TILL_EXIT_OK;
}
